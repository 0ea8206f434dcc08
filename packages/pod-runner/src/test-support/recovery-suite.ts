import { describe, expect, it } from "vitest";
import { podPaths } from "../files/pod-paths.js";
import { savePod } from "../files/pod-store.js";
import type { Hook, Runner } from "../runner-types.js";
import type { EngineFixture } from "./engine-fixture.js";
import { BUSYBOX, podInput, shell } from "./pods.js";
import { asHandle, containerState, waitForStatus } from "./runner-fixture.js";

let release: () => void = () => {};
const gate = new Promise<void>((resolve) => {
  release = resolve;
});

/** Holds the pod named "starting" in pre-run: the "starting pod" a crash interrupts. */
export const holdHook: Hook = {
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

export function releaseHeldPods(): void {
  release();
}

function running(runner: Runner, podUid: string, container: string) {
  return waitForStatus(
    runner,
    podUid,
    (status) => Boolean(containerState(status, container)?.state?.running),
    60_000,
  );
}

/** A runner restart (new Runner on the same labels, data root and pool id) in the middle of a pod's life. */
export function recoverySuite(get: () => EngineFixture): void {
  describe("runner restart", () => {
    it("takes running pods back from labels and pod.json, and keeps supervising them", async () => {
      const input = podInput("running", {
        restartPolicy: "Always",
        initContainers: [shell("init", "echo done")],
        containers: [{ name: "app", image: BUSYBOX, command: ["sleep", "3600"] }],
      });
      const first = get().runner;
      const handle = asHandle(await first.start(input));
      const before = await running(first, handle.podUid, "app");
      await first.close();

      const second = await get().restart();
      await second.recover();
      expect(get().errors).toEqual([]);
      const after = second.status(handle.podUid);
      expect(after.found).toBe(true);
      expect(after.phase).toBe("Running");
      expect(after.status.JID).toBe(handle.jobId);
      expect(containerState(after, "app")?.containerID).toBe(containerState(before, "app")?.containerID);
      expect(containerState(after, "init")?.state?.terminated?.exitCode).toBe(0);
      expect(asHandle(await second.start(input))).toEqual(handle);

      const id = (containerState(after, "app")?.containerID ?? "").replace("docker://", "");
      await get().podDocker(handle.podUid).killContainer(id, "SIGKILL");
      const restarted = await waitForStatus(
        second,
        handle.podUid,
        (status) =>
          containerState(status, "app")?.restartCount === 1 &&
          Boolean(containerState(status, "app")?.state?.running),
        60_000,
      );
      expect(containerState(restarted, "app")?.lastState?.terminated?.exitCode).toBe(137);
      await second.stop(handle, { gracePeriodSeconds: 0 });
      expect(await get().leftovers(handle.podUid)).toBe(0);
    });

    it("finishes starting a pod whose start a crash interrupted", async () => {
      const input = podInput("starting", {
        restartPolicy: "Never",
        containers: [shell("main", "echo finished")],
      });
      const first = await get().restart();
      const handle = asHandle(await first.start(input));
      expect(first.status(handle.podUid).phase).toBe("Pending");
      await first.close();

      const second = await get().restart();
      await second.recover();
      expect(get().errors).toEqual([]);
      const final = await second.waitForCompletion(handle, { timeoutMs: 60_000 });
      expect(final.phase).toBe("Succeeded");
      expect(final.status.JID).toBe(handle.jobId);
      await second.stop(handle);
      expect(await get().leftovers(handle.podUid)).toBe(0);
    });

    it("starts a pod that crashed before its sandbox existed", async () => {
      const input = podInput("before-sandbox", {
        restartPolicy: "Never",
        containers: [shell("main", "exit 5")],
      });
      const uid = input.pod.metadata?.uid ?? "";
      const { dataRoot, runRoot } = get().options;
      await savePod(podPaths(dataRoot, runRoot, uid), {
        version: 1,
        input,
        engine: get().engine,
        startedAt: Date.now(),
      });
      const runner = await get().restart();
      await runner.recover();
      expect(get().errors).toEqual([]);
      const final = await runner.waitForCompletion(uid, { timeoutMs: 60_000 });
      expect(final.phase).toBe("Failed");
      expect(containerState(final, "main")?.state?.terminated?.exitCode).toBe(5);
      await runner.stop(uid);
      expect(await get().leftovers(uid)).toBe(0);
    });
  });
}
