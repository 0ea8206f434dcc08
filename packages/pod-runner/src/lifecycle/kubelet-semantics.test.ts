import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DockerClient, ExecResult } from "@ild/dind-pool";
import { removeTree } from "@ild/dind-pool";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunner } from "../create-runner.js";
import type { PodHandle, Runner } from "../runner-types.js";
import { ManualClock } from "../test-support/manual-clock.js";
import { MemoryDocker } from "../test-support/memory-docker.js";
import { podInput, shell } from "../test-support/pods.js";
import { containerState, readAll } from "../test-support/runner-fixture.js";
import { settle } from "../test-support/settle.js";

/** The in-memory engine, with exec and stop a test can steer (probes, lifecycle handlers). */
class SteeredDocker extends MemoryDocker {
  execAnswer: (command: string[], signal: AbortSignal | undefined) => Promise<ExecResult> = async () => ({
    exitCode: 0,
    stdout: "",
    stderr: "",
  });
  stopExitCode = 143;

  override async exec(
    _id: string,
    command: string[],
    options?: Parameters<DockerClient["exec"]>[2],
  ): Promise<ExecResult> {
    return this.execAnswer(command, options?.signal);
  }

  override async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.calls.push(`stop ${this.containers.get(id)?.name} ${timeoutSeconds}`);
    this.exit(id, this.stopExitCode);
  }
}

let root: string;
let docker: SteeredDocker;
let clock: ManualClock;
let runner: Runner;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ild-kubelet-semantics-"));
  docker = new SteeredDocker();
  clock = new ManualClock();
  runner = createRunner({
    docker,
    dataRoot: path.join(root, "data"),
    runRoot: path.join(root, "run"),
    secretTmpfs: "off",
    clock,
    runnerId: "semantics",
  });
});

afterEach(async () => {
  await runner.close();
  await removeTree(root);
});

/** Each start of a pod container writes "run <n>" to its log; `exits(n)` says whether run n ends at once (and how). */
function runs(exits: (name: string, run: number) => number | undefined): void {
  const counts = new Map<string, number>();
  docker.onStart = (container) => {
    const name = container.labels["io.ild.container-name"];
    if (name === undefined) {
      return;
    }
    const run = (counts.get(name) ?? 0) + 1;
    counts.set(name, run);
    container.logs = [{ stream: "stdout", data: Buffer.from(`${name} run ${run}\n`) }];
    const code = exits(name, run);
    if (code !== undefined) {
      setImmediate(() => docker.exit(container.id, code));
    }
  };
}

async function start(input: ReturnType<typeof podInput>): Promise<PodHandle> {
  const result = await runner.start(input);
  if ("dryRun" in result) {
    throw new Error("dry run");
  }
  return result;
}

function app(handle: PodHandle, name = "app") {
  return containerState(runner.status(handle.podUid), name);
}

function running(handle: PodHandle, name = "app"): boolean {
  return app(handle, name)?.state?.running !== undefined;
}

function backingOff(handle: PodHandle, name = "app"): boolean {
  return app(handle, name)?.state?.waiting?.reason === "CrashLoopBackOff";
}

function current(name: string) {
  const instances = docker.byName(name);
  const last = instances[instances.length - 1];
  if (last === undefined) {
    throw new Error(`no instance of ${name}`);
  }
  return last;
}

describe("crash-loop back-off (item 5)", () => {
  it("starts again from 10 s after an instance ran longer than 10 minutes; a short run keeps doubling", async () => {
    // runs 1, 2 and 4 crash at once; run 3 runs until the test ends it; run 5 runs 1 minute
    runs((_name, run) => (run === 3 || run === 5 ? undefined : 1));
    const handle = await start(podInput("reset", { containers: [shell("app", "")] }));
    await settle(() => backingOff(handle), "first crash");
    expect(app(handle)?.state?.waiting?.message).toMatch(/^back-off 10s /);
    await clock.advance(10_000);
    await settle(() => app(handle)?.restartCount === 1 && backingOff(handle), "second crash");
    expect(app(handle)?.state?.waiting?.message).toMatch(/^back-off 20s /);
    await clock.advance(20_000);
    await settle(() => running(handle), "run 3 running");

    await clock.advance(10 * 60_000 + 1_000);
    docker.exit(current("app").id, 1);
    await settle(() => backingOff(handle), "run 3 ended");
    // without the reset this would be 40 s
    expect(app(handle)?.state?.waiting?.message).toMatch(/^back-off 10s /);
    expect(app(handle)?.restartCount).toBe(2);

    await clock.advance(10_000);
    await settle(() => app(handle)?.restartCount === 3 && backingOff(handle), "run 4 crashed");
    expect(app(handle)?.state?.waiting?.message).toMatch(/^back-off 20s /);
    await clock.advance(20_000);
    await settle(() => running(handle), "run 5 running");
    await clock.advance(60_000);
    docker.exit(current("app").id, 1);
    await settle(() => backingOff(handle), "run 5 ended");
    // one minute is not long enough: the back-off keeps doubling
    expect(app(handle)?.state?.waiting?.message).toMatch(/^back-off 40s /);
    expect(app(handle)?.restartCount).toBe(4);
  });
});

describe("Previous logs during CrashLoopBackOff (item 6)", () => {
  it("serves the last terminated instance while waiting, and the one before once restarted", async () => {
    runs((_name, run) => (run <= 2 ? 1 : undefined));
    const handle = await start(podInput("previous", { containers: [shell("app", "")] }));
    await settle(() => backingOff(handle), "first crash");
    const logs = (previous: boolean) => runner.logs(handle.podUid, "app", { previous }).then(readAll);
    expect(await logs(true)).toBe("app run 1\n");
    // kubectl logs without --previous during the back-off shows the instance that ended, as the kubelet
    expect(await logs(false)).toBe("app run 1\n");

    await clock.advance(10_000);
    await settle(() => app(handle)?.restartCount === 1 && backingOff(handle), "second crash");
    expect(await logs(true)).toBe("app run 2\n");

    await clock.advance(20_000);
    await settle(() => running(handle), "run 3 running");
    expect(await logs(true)).toBe("app run 2\n");
    expect(await logs(false)).toBe("app run 3\n");
  });

  it("says no previous instance exists for a container that never restarted", async () => {
    runs(() => undefined);
    const handle = await start(podInput("no-previous", { containers: [shell("app", "")] }));
    await settle(() => running(handle), "running");
    await expect(runner.logs(handle.podUid, "app", { previous: true })).rejects.toThrow(
      /previous terminated container "app" in pod "no-previous" not found/,
    );
    expect(await runner.logs(handle.podUid, "app").then(readAll)).toBe("app run 1\n");
  });
});

describe("postStart (item 7)", () => {
  it("is not cut off at terminationGracePeriodSeconds: the handler ends when it ends", async () => {
    runs(() => undefined);
    let finish: (result: ExecResult) => void = () => {};
    let handlerSignal: AbortSignal | undefined;
    docker.execAnswer = (_command, signal) => {
      handlerSignal = signal;
      return new Promise((resolve) => {
        finish = resolve;
      });
    };
    const handle = await start(
      podInput("poststart", {
        terminationGracePeriodSeconds: 0,
        containers: [
          { ...shell("app", ""), lifecycle: { postStart: { exec: { command: ["sh", "-c", "sleep 60"] } } } },
        ],
      }),
    );
    await settle(() => handlerSignal !== undefined, "postStart started");
    // the old cut-off was max(1, grace) = 1 s of real time; wait past it
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(handlerSignal?.aborted).toBe(false);
    finish({ exitCode: 0, stdout: "", stderr: "" });
    await settle(() => running(handle), "running");
    expect(docker.calls.some((call) => call.startsWith("stop app"))).toBe(false);
    expect(app(handle)?.restartCount).toBe(0);
  });

  it("ends when the pod stops, and a failing postStart still kills the container", async () => {
    runs(() => undefined);
    let handlerSignal: AbortSignal | undefined;
    docker.execAnswer = (command, signal) => {
      handlerSignal = signal;
      if (command.includes("fail")) {
        return Promise.resolve({ exitCode: 1, stdout: "", stderr: "no" });
      }
      return new Promise((_resolve, reject) => {
        signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      });
    };
    const hanging = await start(
      podInput("poststart-stop", {
        containers: [{ ...shell("app", ""), lifecycle: { postStart: { exec: { command: ["hang"] } } } }],
      }),
    );
    await settle(() => handlerSignal !== undefined, "postStart started");
    await runner.stop(hanging, { gracePeriodSeconds: 0 });
    expect(handlerSignal?.aborted).toBe(true);

    const failing = await start(
      podInput("poststart-fail", {
        restartPolicy: "Never",
        containers: [{ ...shell("bad", ""), lifecycle: { postStart: { exec: { command: ["fail"] } } } }],
      }),
    );
    await settle(() => app(failing, "bad")?.state?.terminated !== undefined, "killed by postStart");
    expect(app(failing, "bad")?.state?.terminated?.message).toMatch(/FailedPostStartHook/);
  });
});

describe("restartPolicy OnFailure and probes (item 8)", () => {
  const liveness = { exec: { command: ["check"] }, periodSeconds: 10, failureThreshold: 1 };

  it("restarts a container its liveness probe killed even when it exits 0", async () => {
    runs(() => undefined);
    docker.stopExitCode = 0;
    docker.execAnswer = async () => ({ exitCode: 1, stdout: "", stderr: "unhealthy" });
    const handle = await start(
      podInput("liveness", {
        restartPolicy: "OnFailure",
        containers: [{ ...shell("app", ""), livenessProbe: liveness }],
      }),
    );
    await settle(() => running(handle), "running");
    await clock.advance(1_000);
    await settle(() => backingOff(handle), "killed by its liveness probe");
    expect(app(handle)?.lastState?.terminated?.exitCode).toBe(0);
    expect(runner.status(handle.podUid).phase).toBe("Running");
    docker.execAnswer = async () => ({ exitCode: 0, stdout: "", stderr: "" });
    await clock.advance(10_000);
    await settle(() => running(handle) && app(handle)?.restartCount === 1, "restarted");
  });

  it("does not restart a container that exits 0 by itself under OnFailure", async () => {
    runs(() => 0);
    docker.execAnswer = async () => ({ exitCode: 0, stdout: "", stderr: "" });
    const handle = await start(
      podInput("clean-exit", {
        restartPolicy: "OnFailure",
        containers: [{ ...shell("app", ""), livenessProbe: liveness }],
      }),
    );
    await settle(() => runner.status(handle.podUid).phase === "Succeeded", "succeeded");
    expect(app(handle)?.restartCount).toBe(0);
  });
});

describe("pod phase (item 9)", () => {
  it("is Running during CrashLoopBackOff once the container has run", async () => {
    runs(() => 1);
    const handle = await start(podInput("crashloop", { containers: [shell("app", "")] }));
    await settle(() => backingOff(handle), "crash-looping");
    expect(runner.status(handle.podUid).phase).toBe("Running");
  });

  it("is Pending while a container has never started (its image does not pull)", async () => {
    docker.pullError = "manifest unknown";
    const handle = await start(
      podInput("pending", {
        containers: [{ name: "app", image: "example.org/none:1", imagePullPolicy: "Always" }],
      }),
    );
    await settle(() => app(handle)?.state?.waiting?.reason === "ErrImagePull", "pull failed");
    expect(runner.status(handle.podUid).phase).toBe("Pending");
  });
});

describe("init containers in status (item 13)", () => {
  it("shows PodInitializing for the other containers while init runs, and a completed init container ready", async () => {
    runs(() => undefined);
    const handle = await start(
      podInput("init", { initContainers: [shell("prepare", "")], containers: [shell("app", "")] }),
    );
    await settle(() => running(handle, "prepare"), "init running");
    expect(app(handle)?.state?.waiting?.reason).toBe("PodInitializing");
    expect(app(handle, "prepare")?.ready).toBe(false);
    docker.exit(current("prepare").id, 0);
    await settle(() => running(handle), "app running");
    expect(app(handle, "prepare")?.state?.terminated?.exitCode).toBe(0);
    expect(app(handle, "prepare")?.ready).toBe(true);
  });

  it("keeps ContainerCreating for a pod without init containers, and a failed init container not ready", async () => {
    docker.pullError = "manifest unknown";
    const plain = await start(
      podInput("plain", {
        containers: [{ name: "app", image: "example.org/x:1", imagePullPolicy: "Always" }],
      }),
    );
    expect(app(plain)?.state?.waiting?.reason).toMatch(/ContainerCreating|ErrImagePull/);
    docker.pullError = undefined;
    runs((name) => (name === "prepare" ? 3 : undefined));
    const failed = await start(
      podInput("init-fails", {
        restartPolicy: "Never",
        initContainers: [shell("prepare", "")],
        containers: [shell("app", "")],
      }),
    );
    await settle(() => app(failed, "prepare")?.state?.terminated !== undefined, "init failed");
    expect(app(failed, "prepare")?.ready).toBe(false);
  });
});
