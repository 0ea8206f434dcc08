import { type ChildProcess, spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podPaths } from "./files/pod-paths.js";
import { BUSYBOX, podInput } from "./test-support/pods.js";
import {
  containerState,
  createTestRunner,
  type TestRunner,
  waitForStatus,
} from "./test-support/runner-fixture.js";

const childScript = fileURLToPath(new URL("./test-support/child-runner.ts", import.meta.url));
const tsxLoader = createRequire(import.meta.url).resolve("tsx");
let fixture: TestRunner;
let child: ChildProcess | undefined;

beforeAll(async () => {
  fixture = await createTestRunner("kill");
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await fixture.cleanup();
});

describe("kill -9 of the runner process", () => {
  it("leaves the pod running; a new runner takes it back from labels and pod.json, and stops it cleanly", async () => {
    const input = podInput("survivor", {
      restartPolicy: "Always",
      containers: [
        { name: "app", image: BUSYBOX, command: ["sleep", "3600"] },
        { name: "helper", image: BUSYBOX, command: ["sleep", "3600"] },
      ],
    });
    const podFile = path.join(fixture.root, "pod.json");
    await writeFile(podFile, JSON.stringify(input));
    const { dataRoot, runRoot, runnerId } = fixture.options;
    const running = spawn(
      process.execPath,
      [
        "--conditions=@ild/source",
        "--import",
        tsxLoader,
        childScript,
        dataRoot,
        runRoot,
        runnerId ?? "",
        podFile,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    child = running;
    const podUid = await new Promise<string>((resolve, reject) => {
      let out = "";
      running.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /started (\S+)\n/.exec(out);
        if (match?.[1]) {
          resolve(match[1]);
        }
      });
      running.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
    });
    const before = await fixture.docker.listContainers({ label: [`io.ild.pod-uid=${podUid}`] });
    running.kill("SIGKILL");
    await new Promise((resolve) => running.once("exit", resolve));
    child = undefined;

    const runner = fixture.restart();
    await runner.recover();
    const status = await waitForStatus(runner, podUid, (current) =>
      current.status.containers.every((container) => container.state?.running),
    );
    expect(status.phase).toBe("Running");
    const after = await fixture.docker.listContainers({ label: [`io.ild.pod-uid=${podUid}`] });
    expect(after.map((item) => item.id).sort()).toEqual(before.map((item) => item.id).sort());
    expect(containerState(status, "app")?.restartCount).toBe(0);

    await runner.stop(podUid, { gracePeriodSeconds: 0 });
    expect(await fixture.docker.listContainers({ all: true, label: [`io.ild.pod-uid=${podUid}`] })).toEqual(
      [],
    );
    fixture.runner = runner;
  });

  it("removes a host sandbox whose pod.json is gone (an orphan) when recovering", async () => {
    const orphanRunner = fixture.restart();
    const orphan = podInput("orphan", {
      containers: [{ name: "app", image: BUSYBOX, command: ["sleep", "3600"] }],
    });
    const handle = await orphanRunner.start(orphan);
    if ("dryRun" in handle) {
      throw new Error("not a dry run");
    }
    await orphanRunner.close();
    await rm(podPaths(fixture.options.dataRoot, fixture.options.runRoot, handle.podUid).runDir, {
      recursive: true,
    });
    const runner = fixture.restart();
    await runner.recover();
    expect(runner.status(handle.podUid).found).toBe(false);
    expect(
      await fixture.docker.listContainers({ all: true, label: [`io.ild.pod-uid=${handle.podUid}`] }),
    ).toEqual([]);
    fixture.runner = runner;
  });
});
