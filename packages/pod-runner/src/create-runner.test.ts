import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { removeTree } from "@ild/dind-pool";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunner } from "./create-runner.js";
import type { Hook, HookPhase, PodHandle, Runner, RunnerOptions } from "./runner-types.js";
import { flush, ManualClock } from "./test-support/manual-clock.js";
import { MemoryDocker } from "./test-support/memory-docker.js";
import { podInput, shell } from "./test-support/pods.js";
import { containerState } from "./test-support/runner-fixture.js";

let root: string;
let docker: MemoryDocker;
let clock: ManualClock;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ild-runner-unit-"));
  docker = new MemoryDocker();
  clock = new ManualClock();
});

afterEach(async () => {
  await removeTree(root);
});

function makeRunner(extra: Partial<RunnerOptions> = {}): Runner {
  return createRunner({
    docker,
    dataRoot: path.join(root, "data"),
    runRoot: path.join(root, "run"),
    secretTmpfs: "off",
    podRootMounts: "off",
    clock,
    runnerId: "unit",
    ...extra,
  });
}

/** Pod containers (not the sandbox) exit with the code the test picks per start. */
function exitWith(code: (name: string, start: number) => number | undefined, oomKilled = false): void {
  const starts = new Map<string, number>();
  docker.onStart = (container) => {
    const name = container.labels["io.ild.container-name"];
    if (name === undefined) {
      return;
    }
    const count = (starts.get(name) ?? 0) + 1;
    starts.set(name, count);
    const exitCode = code(name, count);
    if (exitCode !== undefined) {
      setImmediate(() => docker.exit(container.id, exitCode, { oomKilled }));
    }
  };
}

async function started(runner: Runner, input: ReturnType<typeof podInput>): Promise<PodHandle> {
  const result = await runner.start(input);
  if ("dryRun" in result) {
    throw new Error("dry run");
  }
  await flush();
  return result;
}

describe("restart back-off", () => {
  it("restarts with Kubernetes' back-off, 10 s doubling to 5 min, counting restarts", async () => {
    exitWith(() => 1);
    const runner = makeRunner();
    const handle = await started(runner, podInput("crash", { containers: [shell("app", "exit 1")] }));
    for (let round = 0; round < 7; round += 1) {
      await clock.advance(300_000);
    }
    const backoffs = clock.sleeps.filter((ms) => ms >= 10_000);
    expect(backoffs.slice(0, 7)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    const app = containerState(runner.status(handle.podUid), "app");
    expect(app?.restartCount).toBeGreaterThanOrEqual(6);
    expect(app?.lastState?.terminated?.exitCode).toBe(1);
    expect(["CrashLoopBackOff", undefined]).toContain(app?.state?.waiting?.reason);
    await runner.close();
  });

  it("does not restart with restartPolicy Never, nor a successful container with OnFailure", async () => {
    exitWith((name) => (name === "bad" ? 2 : 0));
    const runner = makeRunner();
    const never = await started(
      runner,
      podInput("never", { restartPolicy: "Never", containers: [shell("bad", "")] }),
    );
    const onFailure = await started(
      runner,
      podInput("onfailure", { restartPolicy: "OnFailure", containers: [shell("good", "")] }),
    );
    await clock.advance(60_000);
    expect(runner.status(never.podUid).phase).toBe("Failed");
    expect(containerState(runner.status(never.podUid), "bad")?.restartCount).toBe(0);
    expect(runner.status(onFailure.podUid).phase).toBe("Succeeded");
    expect(docker.byName("good")).toHaveLength(1);
    await runner.close();
  });

  it("retries a failing init container (OnFailure) before starting the regular containers", async () => {
    exitWith((name, start) => (name === "init" ? (start === 1 ? 1 : 0) : 0));
    const runner = makeRunner();
    const handle = await started(
      runner,
      podInput("init-retry", {
        restartPolicy: "OnFailure",
        initContainers: [shell("init", "")],
        containers: [shell("main", "")],
      }),
    );
    expect(docker.byName("main")).toHaveLength(0);
    await clock.advance(10_000);
    const status = runner.status(handle.podUid);
    expect(containerState(status, "init")?.restartCount).toBe(1);
    expect(status.phase).toBe("Succeeded");
    await runner.close();
  });

  it("records OOMKilled from the engine's state", async () => {
    exitWith(() => 137, true);
    const runner = makeRunner();
    const handle = await started(
      runner,
      podInput("oom", { restartPolicy: "Never", containers: [shell("hog", "")] }),
    );
    await clock.advance(1000);
    expect(containerState(runner.status(handle.podUid), "hog")?.state?.terminated).toMatchObject({
      reason: "OOMKilled",
      exitCode: 137,
    });
    await runner.close();
  });

  it("uses the log tail as the termination message with FallbackToLogsOnError", async () => {
    docker.onStart = (container) => {
      if (container.labels["io.ild.container-name"] === "app") {
        container.logs = [{ stream: "stderr", data: Buffer.from("boom: disk full\n") }];
        setImmediate(() => docker.exit(container.id, 2));
      }
    };
    const runner = makeRunner();
    const handle = await started(
      runner,
      podInput("fallback", {
        restartPolicy: "Never",
        containers: [{ ...shell("app", ""), terminationMessagePolicy: "FallbackToLogsOnError" }],
      }),
    );
    await clock.advance(1000);
    expect(containerState(runner.status(handle.podUid), "app")?.state?.terminated).toMatchObject({
      exitCode: 2,
      message: "boom: disk full\n",
    });
    await runner.close();
  });

  it("stops the pod at activeDeadlineSeconds with reason DeadlineExceeded", async () => {
    const runner = makeRunner();
    const handle = await started(
      runner,
      podInput("deadline", { activeDeadlineSeconds: 5, containers: [shell("app", "sleep 1000")] }),
    );
    expect(runner.status(handle.podUid).phase).toBe("Running");
    await clock.advance(5_000);
    const status = runner.status(handle.podUid);
    expect(status.phase).toBe("Failed");
    expect(status.reason).toBe("DeadlineExceeded");
    expect(containerState(status, "app")?.state?.terminated?.exitCode).toBe(143);
    await runner.close();
  });
});

describe("images", () => {
  it("reports a failed pull as ErrImagePull with the registry's message, then ImagePullBackOff", async () => {
    docker.pullError = "manifest for example.org/app:1 not found: manifest unknown";
    const runner = makeRunner();
    const handle = await started(
      runner,
      podInput("pull", {
        containers: [{ name: "app", image: "example.org/app:1", imagePullPolicy: "IfNotPresent" }],
      }),
    );
    const first = containerState(runner.status(handle.podUid), "app")?.state?.waiting;
    expect(first?.reason).toBe("ErrImagePull");
    expect(first?.message).toMatch(/manifest unknown/);
    await clock.advance(10_000);
    expect(containerState(runner.status(handle.podUid), "app")?.state?.waiting?.reason).toBe(
      "ImagePullBackOff",
    );
    docker.pullError = undefined;
    await clock.advance(20_000);
    expect(containerState(runner.status(handle.podUid), "app")?.state?.running).toBeDefined();
    await runner.close();
  });

  it("reports ErrImageNeverPull for a missing image with pull policy Never", async () => {
    const runner = makeRunner();
    const handle = await started(
      runner,
      podInput("never-pull", { containers: [{ name: "app", image: "absent:1", imagePullPolicy: "Never" }] }),
    );
    expect(containerState(runner.status(handle.podUid), "app")?.state?.waiting?.reason).toBe(
      "ErrImageNeverPull",
    );
    await runner.close();
  });
});

describe("engine errors", () => {
  it("shows a failed create as CreateContainerError and creates it again after the back-off", async () => {
    docker.failNext.create = "invalid mount config for type bind: bind source path does not exist";
    const runner = makeRunner();
    const handle = await started(
      runner,
      podInput("create-error", { containers: [shell("app", "sleep 1000")] }),
    );
    const waiting = containerState(runner.status(handle.podUid), "app")?.state?.waiting;
    expect(waiting).toMatchObject({
      reason: "CreateContainerError",
      message: expect.stringMatching(/bind source/),
    });
    await clock.advance(10_000);
    expect(containerState(runner.status(handle.podUid), "app")?.state?.running).toBeDefined();
    await runner.close();
  });

  it("records a failed start as terminated StartError (exit 128) and restarts per policy", async () => {
    docker.failNext.start = 'OCI runtime create failed: exec: "nope": executable file not found in $PATH';
    const runner = makeRunner();
    const handle = await started(
      runner,
      podInput("start-error", { containers: [shell("app", "sleep 1000")] }),
    );
    const app = containerState(runner.status(handle.podUid), "app");
    expect(app?.state?.waiting?.reason).toBe("CrashLoopBackOff");
    expect(app?.lastState?.terminated).toMatchObject({ exitCode: 128, reason: "StartError" });
    await clock.advance(10_000);
    const restarted = containerState(runner.status(handle.podUid), "app");
    expect(restarted?.state?.running).toBeDefined();
    expect(restarted?.restartCount).toBe(1);
    await runner.close();
  });
});

describe("hooks", () => {
  function recorder(calls: string[], name: string, priority: number, fail?: HookPhase): Hook {
    const phases: Hook["phases"] = {};
    for (const phase of ["pre-create", "pre-run", "post-run", "pre-stop", "post-stop"] as HookPhase[]) {
      phases[phase] = () => {
        calls.push(`${phase}:${name}`);
        if (phase === fail) {
          throw new Error(`${name} refused`);
        }
      };
    }
    return { name, priority, phases };
  }

  it("runs each phase's hooks by priority (then name) around the pod's life", async () => {
    const calls: string[] = [];
    const runner = makeRunner({
      hooks: [recorder(calls, "late", 50), recorder(calls, "early", 1), recorder(calls, "also-late", 50)],
    });
    const handle = await started(runner, podInput("hooks", { containers: [shell("app", "sleep 1000")] }));
    await runner.stop(handle, { gracePeriodSeconds: 0 });
    const order = (phase: string) => calls.filter((call) => call.startsWith(`${phase}:`));
    for (const phase of ["pre-create", "pre-run", "post-run", "pre-stop", "post-stop"]) {
      expect(order(phase)).toEqual([`${phase}:early`, `${phase}:also-late`, `${phase}:late`]);
    }
    expect(calls.indexOf("pre-run:late")).toBeLessThan(calls.indexOf("post-run:early"));
    expect(calls.indexOf("post-run:late")).toBeLessThan(calls.indexOf("pre-stop:early"));
  });

  it("refuses the pod when a pre-create hook fails, creating nothing", async () => {
    const calls: string[] = [];
    const runner = makeRunner({ hooks: [recorder(calls, "gate", 1, "pre-create")] });
    await expect(runner.start(podInput("refused", { containers: [shell("app", "")] }))).rejects.toMatchObject(
      {
        code: "ILD_RUNNER_HOOK_FAILED",
        message: expect.stringMatching(/gate refused/),
      },
    );
    expect(docker.containers.size).toBe(0);
    expect(existsSync(path.join(root, "run", "pods"))).toBe(false);
  });

  it("fails the pod with the hook's message when a pre-run hook fails", async () => {
    const calls: string[] = [];
    const runner = makeRunner({ hooks: [recorder(calls, "quota", 1, "pre-run")] });
    const handle = await started(runner, podInput("pre-run", { containers: [shell("app", "")] }));
    const status = runner.status(handle.podUid);
    expect(status.phase).toBe("Failed");
    expect(containerState(status, "app")?.state?.terminated).toMatchObject({
      reason: "HookFailed",
      message: expect.stringMatching(/quota refused/),
    });
    expect(docker.byName("app")).toHaveLength(0);
    await runner.close();
  });

  it("logs a failing stop hook and goes on with the stop", async () => {
    const calls: string[] = [];
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (_bindings: object, message: string) => warnings.push(message),
      error() {},
      child() {
        return logger;
      },
    };
    const runner = makeRunner({
      hooks: [recorder(calls, "first", 1, "pre-stop"), recorder(calls, "second", 2, "post-stop")],
      logger,
    });
    const handle = await started(
      runner,
      podInput("stop-hooks", { containers: [shell("app", "sleep 1000")] }),
    );
    await runner.stop(handle, { gracePeriodSeconds: 0 });
    expect(calls).toContain("pre-stop:second");
    expect(calls).toContain("post-stop:first");
    expect(warnings.filter((message) => message === "stop hook failed")).toHaveLength(2);
    expect(docker.containers.size).toBe(0);
    expect(runner.status(handle.podUid).found).toBe(false);
  });

  it("refuses an egress allow-list on the host engine before creating anything", async () => {
    const runner = makeRunner();
    await expect(
      runner.start(
        podInput(
          "egress",
          { containers: [shell("app", "")] },
          { annotations: { "ild.io/egress-allow": "10.0.0.0/8" } },
        ),
      ),
    ).rejects.toMatchObject({ message: expect.stringMatching(/egress rules need the dind engine/) });
    expect(docker.containers.size).toBe(0);
  });

  it("denies privileged containers and hostPaths outside the allow-list by default", async () => {
    const runner = makeRunner({ hookConfig: { hostPathAllowList: ["/srv/data"] } });
    await expect(
      runner.start(
        podInput("privileged", {
          containers: [{ ...shell("app", ""), securityContext: { privileged: true } }],
        }),
      ),
    ).rejects.toMatchObject({
      code: "ILD_POD_INVALID",
      message: expect.stringMatching(/securityContext\.privileged: true is not allowed by policy/),
    });
    await expect(
      runner.start(
        podInput("hostpath", {
          volumes: [{ name: "etc", hostPath: { path: "/etc" } }],
          containers: [{ ...shell("app", ""), volumeMounts: [{ name: "etc", mountPath: "/h" }] }],
        }),
      ),
    ).rejects.toMatchObject({ message: expect.stringMatching(/spec\.volumes\[0\]\.hostPath\.path/) });
    expect(docker.containers.size).toBe(0);
  });

  it("honours Ild.policy.privileged allow even with the old policy hooks enabled (the translator decides once)", async () => {
    const runner = makeRunner({
      enabledHooks: ["deny-privileged", "hostpath-allowlist", "remove-containers"],
      translateOptions: { policy: { privileged: "allow" } },
    });
    await started(
      runner,
      podInput("allowed", {
        containers: [{ ...shell("app", "sleep 1000"), securityContext: { privileged: true } }],
      }),
    );
    const app = [...docker.containers.values()].find(
      (container) => container.labels["io.ild.container-name"] === "app",
    );
    expect(app?.body.HostConfig).toMatchObject({ CapAdd: ["ALL"], CapDrop: ["SYS_RESOURCE"] });
    expect(app?.body.HostConfig).not.toHaveProperty("Privileged");
    // A plain container of another pod still gets nothing beyond the baseline set.
    await expect(
      runner.start(
        podInput("plain", {
          containers: [{ ...shell("app", ""), securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }],
        }),
      ),
    ).rejects.toMatchObject({
      message: expect.stringContaining(
        'spec.containers[0].securityContext.capabilities.add[0]: "SYS_ADMIN" is not allowed by the baseline policy (Ild.policy.level)',
      ),
    });
    await runner.close();
  });
});

describe("start", () => {
  it("dry-run returns the plan and the hooks that would run, touching nothing", async () => {
    const runner = makeRunner();
    const result = await runner.start(podInput("dry", { containers: [shell("app", "")] }), { dryRun: true });
    if (!("dryRun" in result)) {
      throw new Error("expected a dry-run result");
    }
    expect(result.plan.containers.map((container) => container.name)).toEqual(["app"]);
    expect(result.engine).toBe("host");
    expect(result.hooks).toContainEqual({ name: "egress-acl", phase: "pre-create", priority: 30 });
    expect(result.hooks).toContainEqual({ name: "remove-containers", phase: "post-stop", priority: 900 });
    expect(docker.calls).toEqual([]);
    expect(existsSync(path.join(root, "data"))).toBe(false);
  });

  it("is idempotent per pod UID, also for concurrent calls", async () => {
    const runner = makeRunner();
    const input = podInput("twice", { containers: [shell("app", "sleep 1000")] });
    const [first, second] = await Promise.all([runner.start(input), runner.start(input)]);
    expect(second).toEqual(first);
    expect(await runner.start(input)).toEqual(first);
    expect(
      docker.calls.filter((call) => call.endsWith("-sandbox") && call.startsWith("create")),
    ).toHaveLength(1);
    await runner.close();
  });

  it("refuses the dind engine without a pool and an engine annotation when policy forbids it", async () => {
    const runner = makeRunner({ allowEngineAnnotation: false });
    await expect(
      runner.start(podInput("dind", { containers: [shell("app", "")] }), { engine: "dind" }),
    ).rejects.toMatchObject({ code: "ILD_RUNNER_ENGINE_UNAVAILABLE" });
    await expect(
      runner.start(
        podInput(
          "annotated",
          { containers: [shell("app", "")] },
          { annotations: { "ild.io/engine": "host" } },
        ),
      ),
    ).rejects.toMatchObject({ code: "ILD_RUNNER_ENGINE_UNAVAILABLE" });
  });

  it("stops an unknown pod as a no-op, and a pod twice without error", async () => {
    const runner = makeRunner();
    await runner.stop("0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d");
    const handle = await started(
      runner,
      podInput("twice-stopped", { containers: [shell("app", "sleep 1000")] }),
    );
    await Promise.all([
      runner.stop(handle, { gracePeriodSeconds: 0 }),
      runner.stop(handle, { gracePeriodSeconds: 0 }),
    ]);
    await runner.stop(handle);
    expect(docker.containers.size).toBe(0);
    expect(existsSync(path.join(root, "run", "pods", handle.podUid))).toBe(false);
  });

  it("gives each pod its own labelled bridge with hostNetwork per-pod, removed on stop", async () => {
    const runner = makeRunner({ hostNetwork: "per-pod" });
    const handle = await started(runner, podInput("own-net", { containers: [shell("app", "sleep 1000")] }));
    const network = docker.networks.get(`ild-pod-${handle.podUid}`);
    expect(network?.labels["io.ild.pod-uid"]).toBe(handle.podUid);
    expect(docker.containers.get(handle.jobId)?.body.HostConfig?.NetworkMode).toBe(
      `ild-pod-${handle.podUid}`,
    );
    expect(docker.byName("app")[0]?.body.HostConfig?.NetworkMode).toBe(`container:${handle.jobId}`);
    await runner.stop(handle, { gracePeriodSeconds: 0 });
    expect(docker.networks.size).toBe(0);
  });

  it("answers status from memory: no engine call per status, also with many pods", async () => {
    const runner = makeRunner();
    const handles = [];
    for (let index = 0; index < 50; index += 1) {
      handles.push(
        await started(runner, podInput(`many-${index}`, { containers: [shell("app", "sleep 1000")] })),
      );
    }
    const before = docker.calls.length;
    const inspect = docker.inspectContainer.bind(docker);
    let inspects = 0;
    docker.inspectContainer = (id) => {
      inspects += 1;
      return inspect(id);
    };
    for (const handle of handles) {
      expect(containerState(runner.status(handle.podUid), "app")?.state?.running).toBeDefined();
    }
    expect(runner.list()).toHaveLength(50);
    expect(docker.calls.length).toBe(before);
    expect(inspects).toBe(0);
    await runner.close();
  });

  it("recovers only its own pods from a shared run root", async () => {
    const mine = makeRunner();
    const other = makeRunner({ runnerId: "other" });
    const handle = await started(other, podInput("not-mine", { containers: [shell("app", "sleep 1000")] }));
    await other.close();
    await mine.recover();
    expect(mine.status(handle.podUid).found).toBe(false);
    expect(docker.byName("app")).toHaveLength(1);
    const owner = makeRunner({ runnerId: "other" });
    await owner.recover();
    expect(owner.status(handle.podUid).found).toBe(true);
    await owner.close();
  });

  it("answers Pending with ContainerCreating while a start is in flight", async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const runner = makeRunner({
      hooks: [{ name: "slow", priority: 0, phases: { "pre-create": () => gate } }],
    });
    const input = podInput("in-flight", { containers: [shell("app", "sleep 1000")] });
    const starting = runner.start(input);
    await flush();
    const status = runner.status(input.pod.metadata?.uid ?? "");
    expect(status).toMatchObject({ found: true, phase: "Pending" });
    expect(containerState(status, "app")?.state?.waiting?.reason).toBe("ContainerCreating");
    open();
    await starting;
    await runner.close();
  });

  it("answers status for an unknown pod from memory without throwing", () => {
    const runner = makeRunner();
    const status = runner.status("4c9e3a0c-1d2b-4e5f-8a9b-0c1d2e3f4a5b", {
      name: "ghost",
      namespace: "ns",
      initContainers: ["setup"],
    });
    expect(status).toMatchObject({ found: false, phase: "Unknown" });
    expect(status.status.initContainers?.[0]?.state?.waiting?.message).toBe("pod not known to this plugin");
  });
});
