import { type ChildProcess, spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podPaths } from "./files/pod-paths.js";
import { BUSYBOX, podInput, shell } from "./test-support/pods.js";
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

function spawnChild(podFile: string, mode?: "hold"): ChildProcess {
  const { dataRoot, runRoot, runnerId } = fixture.options;
  const argv = [childScript, dataRoot, runRoot, runnerId ?? "", podFile, ...(mode ? [mode] : [])];
  child = spawn(process.execPath, ["--conditions=@ild/source", "--import", tsxLoader, ...argv], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return child;
}

/** Resolves with the first capture group once the child printed a line matching `pattern`. */
function output(running: ChildProcess, pattern: RegExp): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let out = "";
    running.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        resolve(match[1]);
      }
    });
    running.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
  });
}

async function kill(running: ChildProcess): Promise<void> {
  running.kill("SIGKILL");
  await new Promise((resolve) => running.once("exit", resolve));
  child = undefined;
}

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
    const running = spawnChild(podFile);
    const podUid = (await output(running, /started (\S+)\n/)) ?? "";
    const before = await fixture.docker.listContainers({ label: [`io.ild.pod-uid=${podUid}`] });
    await kill(running);

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

  it("finishes a pod whose runner was killed in the middle of starting it", async () => {
    const input = podInput("killed-starting", {
      restartPolicy: "Never",
      containers: [shell("main", "echo finished")],
    });
    const podFile = path.join(fixture.root, "starting.json");
    await writeFile(podFile, JSON.stringify(input));
    const running = spawnChild(podFile, "hold");
    await output(running, /(holding)\n/);
    await kill(running);
    const uid = input.pod.metadata?.uid ?? "";
    const main = await fixture.docker.listContainers({
      all: true,
      label: [`io.ild.pod-uid=${uid}`, "io.ild.container-name=main"],
    });
    expect(main).toEqual([]);

    const runner = fixture.restart();
    await runner.recover();
    const final = await runner.waitForCompletion(uid, { timeoutMs: 30_000 });
    expect(final.phase).toBe("Succeeded");
    expect(containerState(final, "main")?.state?.terminated?.exitCode).toBe(0);
    await runner.stop(uid);
    expect(await fixture.docker.listContainers({ all: true, label: [`io.ild.pod-uid=${uid}`] })).toEqual([]);
    fixture.runner = runner;
  });
});
