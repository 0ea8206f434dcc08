import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podPaths } from "./files/pod-paths.js";
import { savePod } from "./files/pod-store.js";
import type { Hook, Runner } from "./runner-types.js";
import { BUSYBOX, podInput, shell } from "./test-support/pods.js";
import {
  asHandle,
  containerState,
  createTestRunner,
  type TestRunner,
  waitForStatus,
} from "./test-support/runner-fixture.js";

let fixture: TestRunner;
let release: () => void = () => {};
const gate = new Promise<void>((resolve) => {
  release = resolve;
});
/** Holds the first runner's pod in pre-run: the "starting pod" a crash interrupts. */
const holdHook: Hook = {
  name: "hold",
  priority: 0,
  phases: {
    "pre-run": async (context) => {
      if (context.plan.name === "starting") {
        await Promise.race([
          gate,
          new Promise((resolve) => context.signal.addEventListener("abort", resolve)),
        ]);
      }
    },
  },
};

beforeAll(async () => {
  fixture = await createTestRunner("recovery", { hooks: [holdHook] });
});

afterAll(async () => {
  release();
  await fixture.cleanup();
});

function running(runner: Runner, podUid: string, container: string) {
  return waitForStatus(runner, podUid, (status) =>
    Boolean(containerState(status, container)?.state?.running),
  );
}

describe("runner restart", () => {
  it("takes running pods back from labels and pod.json, and keeps supervising them", async () => {
    const input = podInput("running", {
      restartPolicy: "Always",
      initContainers: [shell("init", "echo done")],
      containers: [{ name: "app", image: BUSYBOX, command: ["sleep", "3600"] }],
    });
    const first = fixture.runner;
    const handle = asHandle(await first.start(input));
    const before = await running(first, handle.podUid, "app");
    await first.close();

    const second = fixture.restart();
    await second.recover();
    const after = second.status(handle.podUid);
    expect(after.found).toBe(true);
    expect(after.status.JID).toBe(handle.jobId);
    expect(containerState(after, "app")?.containerID).toBe(containerState(before, "app")?.containerID);
    expect(containerState(after, "init")?.state?.terminated?.exitCode).toBe(0);
    expect(asHandle(await second.start(input))).toEqual(handle);

    const id = (containerState(after, "app")?.containerID ?? "").replace("docker://", "");
    await fixture.docker.killContainer(id, "SIGKILL");
    const restarted = await waitForStatus(
      second,
      handle.podUid,
      (status) =>
        containerState(status, "app")?.restartCount === 1 &&
        Boolean(containerState(status, "app")?.state?.running),
    );
    expect(containerState(restarted, "app")?.lastState?.terminated?.exitCode).toBe(137);
    await second.stop(handle, { gracePeriodSeconds: 0 });
    expect(
      await fixture.docker.listContainers({ all: true, label: [`io.ild.pod-uid=${handle.podUid}`] }),
    ).toEqual([]);
    fixture.runner = second;
  });

  it("finishes starting a pod whose start a crash interrupted", async () => {
    const input = podInput("starting", {
      restartPolicy: "Never",
      containers: [shell("main", "echo finished")],
    });
    const first = fixture.restart();
    const handle = asHandle(await first.start(input));
    expect(first.status(handle.podUid).phase).toBe("Pending");
    await first.close();

    const second = fixture.restart();
    await second.recover();
    const final = await second.waitForCompletion(handle, { timeoutMs: 30_000 });
    expect(final.phase).toBe("Succeeded");
    expect(final.status.JID).toBe(handle.jobId);
    await second.stop(handle);
  });

  it("starts a pod that crashed before its sandbox existed, and removes orphaned sandboxes", async () => {
    const input = podInput("before-sandbox", {
      restartPolicy: "Never",
      containers: [shell("main", "exit 5")],
    });
    const uid = input.pod.metadata?.uid ?? "";
    await savePod(podPaths(fixture.options.dataRoot, fixture.options.runRoot, uid), {
      version: 1,
      input,
      engine: "host",
      startedAt: Date.now(),
    });
    const orphanInput = podInput("orphan", {
      containers: [{ name: "app", image: BUSYBOX, command: ["sleep", "3600"] }],
    });
    const orphanRunner = fixture.restart();
    const orphan = asHandle(await orphanRunner.start(orphanInput));
    await orphanRunner.close();
    const { rm } = await import("node:fs/promises");
    await rm(podPaths(fixture.options.dataRoot, fixture.options.runRoot, orphan.podUid).runDir, {
      recursive: true,
    });

    const runner = fixture.restart();
    await runner.recover();
    const final = await runner.waitForCompletion(uid, { timeoutMs: 30_000 });
    expect(final.phase).toBe("Failed");
    expect(containerState(final, "main")?.state?.terminated?.exitCode).toBe(5);
    expect(
      await fixture.docker.listContainers({ all: true, label: [`io.ild.pod-uid=${orphan.podUid}`] }),
    ).toEqual([]);
    await runner.stop(uid);
    fixture.runner = runner;
  });
});
