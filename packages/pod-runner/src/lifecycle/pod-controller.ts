import { EventEmitter, setMaxListeners } from "node:events";
import type { Logger } from "@ild/common";
import { IldError } from "@ild/common";
import type { ContainerInspect } from "@ild/dind-pool";
import type { HandlerPlan, ProbePlan, TranslatePodOptions } from "@ild/pod-translator";
import { ImagePullError } from "../engines/image-pull-error.js";
import {
  LABEL_CONTAINER_KIND,
  LABEL_CONTAINER_NAME,
  LABEL_GENERATION,
  LABEL_POD_UID,
} from "../engines/labels.js";
import type { Sandbox, SandboxEngine } from "../engines/sandbox-engine.js";
import { UnsafeMountError } from "../errors.js";
import type { PodPaths } from "../files/pod-paths.js";
import {
  prepareTerminationFile,
  readTerminationMessage,
  terminationFilePath,
} from "../files/termination-message.js";
import { verifyContainerMounts } from "../files/verified-mounts.js";
import { runHookPhase } from "../hooks/hook-runner.js";
import type { Clock, Hook, HookConfig, HookContext, HookPhase } from "../runner-types.js";
import { type ContainerRecord, computePhase, type PodRecord } from "../state/pod-record.js";
import type { PodTranslator } from "../translation/translator-port.js";
import { type BackoffOptions, backoffDelay } from "./backoff.js";
import { ContainerConfigError } from "./container-config-error.js";
import { crashLoopDelay } from "./crash-loop.js";
import { applyImageUser, clampCpuLimit } from "./create-time-settings.js";
import { type Deferred, deferred } from "./deferred.js";
import { watchEmptyDirLimits } from "./emptydir-limits.js";
import { sanitizeJoinedBody } from "./joined-body.js";
import { mayBeLateOom, recheckOom } from "./oom-recheck.js";
import { resolvePodIpEnv } from "./pod-ip-env.js";
import { runProbeLoop } from "./probe-loop.js";
import { shouldRestartContainer } from "./restart-policy.js";
import { type HandlerResult, runHandler } from "./run-handler.js";

export interface ControllerDeps {
  engine: SandboxEngine;
  translator: PodTranslator;
  /** The options the pod was translated with (env is resolved again with the sandbox's IP). */
  translateOptions?: TranslatePodOptions;
  paths: PodPaths;
  /** Labels for every container of the pod (runner id, test labels). */
  labels: Record<string, string>;
  hooks: Hook[];
  hookConfig: HookConfig;
  /** hostPath prefixes a mount may resolve to (symlinks resolved); empty: any. */
  hostPathAllowList: readonly string[];
  /** How often disk emptyDirs with a sizeLimit are measured (default 10 s). */
  emptyDirCheckMs?: number;
  /** The sandbox died under the running pod (a DIND killed, OOM): the runner recreates or fails it. */
  onSandboxGone?: (reason: string) => void;
  clock: Clock;
  backoff: BackoffOptions;
  logger: Logger;
}

function nowIso(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

function validIso(value: string | undefined): string | undefined {
  return value !== undefined && !value.startsWith("0001-") && value !== "" ? value : undefined;
}

/** Drives one pod: init containers, sidecars, regular containers, probes, restarts, stop. */
export class PodController {
  readonly record: PodRecord;
  sandbox: Sandbox | undefined;
  private readonly deps: ControllerDeps;
  private readonly logger: Logger;
  /** Aborted by close(): stops watching, changes nothing on the engine. */
  private readonly lifetime = new AbortController();
  /** Aborted when the pod stops running (stop, deadline, failure, close): no more starts or restarts. */
  private readonly supervision = new AbortController();
  private readonly exits = new Map<string, Deferred<ContainerInspect | undefined>>();
  private readonly noted = new Set<string>();
  private readonly emitter = new EventEmitter();
  private readonly completion = deferred<void>();
  private runPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private terminating: Promise<void> | undefined;
  private readonly probes = new Map<string, AbortController>();

  constructor(record: PodRecord, deps: ControllerDeps) {
    this.record = record;
    this.deps = deps;
    this.logger = deps.logger.child({ podUid: record.uid });
    this.emitter.setMaxListeners(0);
    setMaxListeners(0, this.lifetime.signal, this.supervision.signal);
  }

  get done(): Promise<void> {
    return this.completion.promise;
  }

  get stopped(): boolean {
    return this.stopPromise !== undefined;
  }

  attach(sandbox: Sandbox): void {
    this.sandbox = sandbox;
    this.record.jobId = sandbox.id;
    this.record.podIp = sandbox.ip;
    const { translator, translateOptions } = this.deps;
    resolvePodIpEnv(this.record, sandbox.ip, translator, translateOptions, this.logger);
    this.deps.engine.watch(
      sandbox,
      (event) => {
        if (event.action === "die" || event.action === "oom") {
          this.noteExit(event.id);
        }
      },
      this.lifetime.signal,
    );
    this.deps.engine.watchSandbox?.(
      sandbox,
      (reason) => {
        this.logger.warn({ reason }, "the pod's sandbox is gone");
        this.deps.onSandboxGone?.(reason);
      },
      this.supervision.signal,
    );
  }

  hookContext(): HookContext {
    const sandbox = this.sandbox;
    return {
      plan: this.record.plan,
      podUid: this.record.uid,
      engine: this.record.engine,
      signal: this.lifetime.signal,
      logger: this.logger,
      config: this.deps.hookConfig,
      ...(sandbox
        ? {
            sandbox: {
              id: sandbox.id,
              ip: sandbox.ip,
              ...(sandbox.setEgress ? { setEgress: sandbox.setEgress } : {}),
              removeContainers: () => this.removeContainers(),
            },
          }
        : {}),
    };
  }

  runHooks(phase: HookPhase): Promise<void> {
    return runHookPhase(this.deps.hooks, phase, this.hookContext(), this.logger);
  }

  /** Starts (or, after a runner restart, resumes) the pod's life in the background. */
  start(resumed: boolean): void {
    this.runPromise = this.run(resumed).catch((error: unknown) => {
      this.logger.error({ error: String(error) }, "pod controller failed");
    });
  }

  private changed(): void {
    if (this.record.phase !== "Failed" || this.record.reason === undefined) {
      this.record.phase = computePhase(this.record);
    }
    this.emitter.emit("change");
  }

  private waitUntil(predicate: () => boolean, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (predicate() || signal.aborted) {
          this.emitter.off("change", check);
          signal.removeEventListener("abort", check);
          resolve();
        }
      };
      this.emitter.on("change", check);
      signal.addEventListener("abort", check, { once: true });
      check();
    });
  }

  private async run(resumed: boolean): Promise<void> {
    const signal = this.supervision.signal;
    try {
      if (!resumed) {
        await this.runHooks("pre-run");
      }
      void this.watchDeadline();
      void this.watchEmptyDirs();
      for (const init of this.record.initContainers) {
        if (signal.aborted) {
          return;
        }
        if (init.plan.kind === "sidecar") {
          void this.supervise(init);
          await this.waitUntil(() => (init.state.kind === "running" && init.started) || init.final, signal);
          continue;
        }
        if (!init.final) {
          await this.supervise(init);
        }
        if (init.state.kind === "terminated" && init.state.exitCode !== 0) {
          this.failRemaining(
            "InitContainerFailed",
            `init container ${init.plan.name} failed with exit code ${init.state.exitCode}`,
            init.state.exitCode,
          );
          await this.stopSidecars(this.record.plan.terminationGracePeriodSeconds);
          return;
        }
      }
      if (signal.aborted) {
        return;
      }
      const regular = Promise.all(this.record.containers.map((container) => this.supervise(container)));
      regular.catch(() => {});
      if (!resumed) {
        await this.waitUntil(
          () =>
            this.record.containers.every(
              (container) => container.state.kind !== "waiting" || container.final,
            ),
          signal,
        );
        if (!signal.aborted) {
          await this.runHooks("post-run");
        }
      }
      await regular;
      if (this.record.containers.every((container) => container.final)) {
        await this.stopSidecars(this.record.plan.terminationGracePeriodSeconds);
      }
    } catch (error) {
      if (!this.stopped) {
        const message = error instanceof Error ? error.message : String(error);
        const reason = IldError.hasCode(error, "ILD_RUNNER_HOOK_FAILED") ? "HookFailed" : "Error";
        this.logger.warn({ error: message }, "pod failed");
        await this.terminateAll(reason, message, this.record.plan.terminationGracePeriodSeconds);
      }
    } finally {
      // a deadline or hook failure that is still stopping containers finishes before the pod completes
      await this.terminating;
      this.changed();
      if (this.record.phase === "Succeeded" || this.record.phase === "Failed") {
        this.completion.resolve();
      }
    }
  }

  private async watchDeadline(): Promise<void> {
    const seconds = this.record.plan.activeDeadlineSeconds;
    if (seconds === undefined) {
      return;
    }
    const left = this.record.startedAt + seconds * 1000 - this.deps.clock.now();
    try {
      await this.deps.clock.sleep(Math.max(0, left), this.supervision.signal);
    } catch {
      return;
    }
    if (this.record.phase === "Succeeded" || this.record.phase === "Failed") {
      return;
    }
    await this.terminateAll(
      "DeadlineExceeded",
      `Pod was active on the node longer than the specified deadline (${seconds}s)`,
      this.record.plan.terminationGracePeriodSeconds,
    );
  }

  /** Evicts the pod when a disk emptyDir grows past its sizeLimit (the kubelet's rule). */
  private async watchEmptyDirs(): Promise<void> {
    const over = await watchEmptyDirLimits(this.record.plan, this.deps.paths.dataDir, {
      clock: this.deps.clock,
      signal: this.supervision.signal,
      intervalMs: this.deps.emptyDirCheckMs ?? 10_000,
    });
    if (over === undefined || this.record.phase === "Succeeded" || this.record.phase === "Failed") {
      return;
    }
    await this.terminateAll(
      "Evicted",
      `Usage of EmptyDir volume "${over.volume}" exceeds the limit of ${over.limitBytes} bytes (${over.usedBytes} used).`,
      this.record.plan.terminationGracePeriodSeconds,
    );
  }

  /** Marks the pod Failed, stops every running container with grace, marks the rest terminated. */
  terminateAll(reason: string, message: string, graceSeconds: number): Promise<void> {
    this.terminating ??= (async () => {
      this.record.phase = "Failed";
      this.record.reason = reason;
      this.record.message = message;
      this.supervision.abort();
      await this.stopContainers(graceSeconds);
      this.failRemaining(reason, message, 1);
    })();
    return this.terminating;
  }

  /**
   * The pod's sandbox is gone (its engine was stopped by a dockerd restart or a reboot) and its
   * restartPolicy is Never: every container ends as the kubelet reports a container it cannot find.
   */
  markLost(message: string): void {
    this.failRemaining("ContainerStatusUnknown", message, 137);
    this.completion.resolve();
  }

  /** Containers that never ran (or wait for a restart) become terminated with the pod's failure. */
  private failRemaining(reason: string, message: string, exitCode: number): void {
    if (this.record.reason === undefined) {
      this.record.phase = "Failed";
      this.record.reason = reason;
      this.record.message = message;
    }
    this.supervision.abort();
    for (const container of [...this.record.initContainers, ...this.record.containers]) {
      if (container.state.kind === "waiting") {
        container.state = { kind: "terminated", exitCode, reason, message };
      }
      if (container.state.kind === "terminated") {
        container.final = true;
      }
    }
    this.changed();
  }

  private shouldRestart(container: ContainerRecord, exitCode: number): boolean {
    return (
      !this.supervision.signal.aborted &&
      shouldRestartContainer(this.record.plan, container, this.record.containers, exitCode)
    );
  }

  /** One container's restart loop (state machine, so it also resumes after a runner restart). */
  private async supervise(container: ContainerRecord): Promise<void> {
    const signal = this.supervision.signal;
    let restart = false;
    while (!container.final) {
      if (container.state.kind === "running" && container.containerId !== undefined) {
        if (!this.probes.has(container.containerId)) {
          this.startProbes(container, container.containerId);
        }
        const exited = await this.waitExit(container);
        if (!exited) {
          return;
        }
        continue;
      }
      if (container.state.kind === "terminated" && container.containerId !== undefined) {
        const exitCode = container.state.exitCode;
        if (!this.shouldRestart(container, exitCode)) {
          container.final = true;
          this.changed();
          return;
        }
        const delay = crashLoopDelay(container, this.deps.clock.now(), this.deps.backoff);
        container.lastState = container.state;
        container.state = {
          kind: "waiting",
          reason: "CrashLoopBackOff",
          message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${container.plan.name} pod=${this.record.name}_${this.record.namespace}(${this.record.uid})`,
        };
        this.changed();
        try {
          await this.deps.clock.sleep(delay, signal);
        } catch {
          container.state = container.lastState;
          container.final = true;
          this.changed();
          return;
        }
        restart = true;
      }
      if (signal.aborted) {
        return;
      }
      const started = await this.startInstance(container, restart);
      restart = false;
      if (!started) {
        return;
      }
    }
  }

  /** Image, create, start, postStart, probes. False when the pod stopped meanwhile. */
  private async startInstance(container: ContainerRecord, restart: boolean): Promise<boolean> {
    const signal = this.supervision.signal;
    const sandbox = this.sandbox;
    if (sandbox === undefined) {
      return false;
    }
    let failures = 0;
    let id: string | undefined;
    const generation = restart ? container.restartCount + 1 : container.restartCount;
    while (id === undefined) {
      try {
        await this.deps.engine.ensureImage(sandbox, {
          image: container.plan.image,
          pullPolicy: container.plan.pullPolicy,
          auths: this.record.plan.imagePullSecrets,
          signal,
        });
        id = await this.createContainer(sandbox, container, generation);
      } catch (error) {
        if (signal.aborted) {
          return false;
        }
        const message = error instanceof Error ? error.message : String(error);
        const reason =
          error instanceof ImagePullError
            ? failures > 0 && error.reason === "ErrImagePull"
              ? "ImagePullBackOff"
              : error.reason
            : error instanceof UnsafeMountError || error instanceof ContainerConfigError
              ? "CreateContainerConfigError"
              : "CreateContainerError";
        this.logger.warn({ container: container.plan.name, reason, error: message }, "container not created");
        container.state = { kind: "waiting", reason, message };
        this.changed();
        try {
          await this.deps.clock.sleep(backoffDelay(failures, this.deps.backoff), signal);
        } catch {
          return false;
        }
        failures += 1;
      }
    }
    if (signal.aborted) {
      await sandbox.docker.removeContainer(id).catch(() => {});
      return false;
    }
    const older = container.previousContainerId;
    if (container.containerId !== undefined && container.containerId !== id) {
      container.previousContainerId = container.containerId;
      if (older !== undefined) {
        await sandbox.docker.removeContainer(older).catch(() => {});
      }
    }
    container.containerId = id;
    container.restartCount = generation;
    container.stoppedByRunner = false;
    container.killedByProbe = false;
    container.runningSinceMs = undefined;
    try {
      await sandbox.docker.startContainer(id, { signal });
    } catch (error) {
      container.state = {
        kind: "terminated",
        exitCode: 128,
        reason: "StartError",
        message: error instanceof Error ? error.message : String(error),
        finishedAt: nowIso(this.deps.clock),
      };
      this.changed();
      return true;
    }
    this.watchExit(sandbox, id);
    const probes = container.plan.probes;
    container.state = { kind: "running", startedAt: nowIso(this.deps.clock) };
    container.runningSinceMs = this.deps.clock.now();
    container.started = probes.startup === undefined;
    container.ready = probes.readiness === undefined && probes.startup === undefined;
    this.changed();
    const postStart = container.plan.lifecycle.postStart;
    if (postStart !== undefined) {
      // no timeout (the kubelet sets none): it ends when it ends, or when the pod stops
      const result = await this.runContainerHandler(postStart, id, Number.POSITIVE_INFINITY, signal);
      if (!result.success && !signal.aborted) {
        this.logger.warn(
          { container: container.plan.name, message: result.message },
          "postStart hook failed",
        );
        container.failureMessage = `FailedPostStartHook: ${result.message ?? ""}`;
        await sandbox.docker.stopContainer(id, 0).catch(() => {});
        return true;
      }
    }
    this.startProbes(container, id);
    return true;
  }

  private async createContainer(
    sandbox: Sandbox,
    container: ContainerRecord,
    generation: number,
  ): Promise<string> {
    const { paths, translator } = this.deps;
    const labels = {
      ...this.deps.labels,
      [LABEL_POD_UID]: this.record.uid,
      [LABEL_CONTAINER_NAME]: container.plan.name,
      [LABEL_CONTAINER_KIND]: container.plan.kind,
      [LABEL_GENERATION]: String(generation),
    };
    const rendered = translator
      .toDockerCreateBodies(this.record.plan, {
        podDataDir: paths.dataDir,
        podSecretDir: paths.secretDir,
        networkMode: sandbox.networkMode,
        ...(sandbox.ipcMode ? { ipcMode: sandbox.ipcMode } : {}),
        memoryVolumeNames: sandbox.memoryVolumeNames,
        ...(sandbox.pidMode ? { pidMode: sandbox.pidMode } : {}),
        ...(sandbox.privilegedDevices ? { privilegedDevices: sandbox.privilegedDevices } : {}),
        labels,
        restartGeneration: { [container.plan.name]: generation },
      })
      .find(
        (item) => item.container.name === container.plan.name && item.container.kind === container.plan.kind,
      );
    if (rendered === undefined) {
      throw new Error(`translator rendered no body for container ${container.plan.name}`);
    }
    const body = sanitizeJoinedBody(
      { ...rendered.body, Labels: { ...(rendered.body.Labels ?? {}), ...labels } },
      sandbox.networkMode,
      sandbox.ip,
    );
    const target = container.plan.terminationMessagePath;
    const mounts = (body.HostConfig?.Mounts ?? []) as Array<{ Target?: string }>;
    if (target.startsWith("/") && !mounts.some((mount) => mount.Target === target)) {
      const file = terminationFilePath(paths.dataDir, container.plan, generation);
      prepareTerminationFile(file);
      body.HostConfig = {
        ...body.HostConfig,
        Mounts: [...mounts, { Type: "bind", Source: file, Target: target, ReadOnly: false }],
      };
    }
    // subPath and hostPath: resolved without following symlinks, at every create (restarts too)
    await verifyContainerMounts(
      container.plan,
      (body.HostConfig?.Mounts ?? []) as Array<{ Source?: string }>,
      {
        podDataDir: paths.dataDir,
        podSecretDir: paths.secretDir,
        hostPathAllowList: this.deps.hostPathAllowList,
        generation,
      },
    );
    // settings that depend on the engine: the image's user (runAsNonRoot, runAsGroup), its CPU count
    await applyImageUser(sandbox.docker, container.plan, body, this.record);
    await clampCpuLimit(sandbox.docker, container.plan, body, this.logger);
    const name = rendered.name;
    try {
      return await sandbox.docker.createContainer(name, body);
    } catch (error) {
      if (!IldError.isInstance(error) || !/CONFLICT/.test(error.code)) {
        throw error;
      }
      // Left over from a start interrupted by a crash: same pod, same generation.
      const stale = await sandbox.docker.listContainers({ all: true, name: [`^/${name}$`] });
      for (const item of stale) {
        await sandbox.docker.removeContainer(item.id);
      }
      return await sandbox.docker.createContainer(name, body);
    }
  }

  private watchExit(sandbox: Sandbox, id: string): void {
    if (!this.exits.has(id)) {
      this.exits.set(id, deferred());
    }
    sandbox.docker.waitContainer(id, { signal: this.lifetime.signal }).then(
      () => this.noteExit(id),
      () => {
        if (!this.lifetime.signal.aborted) {
          this.noteExit(id);
        }
      },
    );
  }

  /** A die event or a returned wait: inspect once and hand the result to the waiting supervisor. */
  private noteExit(id: string): void {
    const waiter = this.exits.get(id);
    const sandbox = this.sandbox;
    if (waiter === undefined || sandbox === undefined || this.noted.has(id)) {
      return;
    }
    this.noted.add(id);
    sandbox.docker.inspectContainer(id).then(
      (info) => {
        if (info.state.running) {
          this.noted.delete(id);
          return;
        }
        const container = [...this.record.initContainers, ...this.record.containers].find(
          (item) => item.containerId === id,
        );
        if (mayBeLateOom(info, container?.plan.resources.memoryLimitBytes)) {
          void recheckOom(sandbox.docker, id, info).then((final) => waiter.resolve(final));
          return;
        }
        waiter.resolve(info);
      },
      () => waiter.resolve(undefined),
    );
  }

  /** Resolves when the current instance exited (recorded); false when the runner closed. */
  private async waitExit(container: ContainerRecord): Promise<boolean> {
    const id = container.containerId;
    const sandbox = this.sandbox;
    if (id === undefined || sandbox === undefined) {
      return false;
    }
    if (!this.exits.has(id)) {
      this.watchExit(sandbox, id);
    }
    const waiter = this.exits.get(id);
    if (waiter === undefined) {
      return false;
    }
    const closed = new Promise<"closed">((resolve) => {
      if (this.lifetime.signal.aborted) {
        resolve("closed");
      }
      this.lifetime.signal.addEventListener("abort", () => resolve("closed"), { once: true });
    });
    const info = await Promise.race([waiter.promise, closed]);
    if (info === "closed") {
      return false;
    }
    this.exits.delete(id);
    this.noted.delete(id);
    this.probes.get(id)?.abort();
    this.probes.delete(id);
    const written = readTerminationMessage(
      terminationFilePath(this.deps.paths.dataDir, container.plan, container.restartCount),
    );
    if (written !== undefined) {
      container.failureMessage = written;
    } else if (
      info !== undefined &&
      info.state.exitCode !== 0 &&
      container.failureMessage === undefined &&
      container.plan.terminationMessagePolicy === "FallbackToLogsOnError"
    ) {
      container.failureMessage = await this.logTail(sandbox, id);
    }
    this.recordExit(container, info);
    return true;
  }

  /** Kubernetes' FallbackToLogsOnError: the last 80 lines, at most 2048 bytes. */
  private async logTail(sandbox: Sandbox, id: string): Promise<string | undefined> {
    try {
      const lines = await sandbox.docker.readLogs(id, { stdout: true, stderr: true, tail: 80 });
      const text = Buffer.concat(lines.map((line) => line.data)).toString("utf8");
      return text.length > 2048 ? text.slice(-2048) : text || undefined;
    } catch {
      return undefined;
    }
  }

  recordExit(container: ContainerRecord, info: ContainerInspect | undefined): void {
    container.ready = false;
    container.lastTerminatedId = info?.id ?? container.containerId;
    if (info === undefined) {
      container.state = {
        kind: "terminated",
        exitCode: 137,
        reason: "ContainerStatusUnknown",
        message: "The container could not be located when the pod was checked",
        finishedAt: nowIso(this.deps.clock),
      };
    } else {
      const exitCode = info.state.exitCode;
      const startedAt = validIso(info.state.startedAt);
      const finishedAt = validIso(info.state.finishedAt);
      const message = container.failureMessage ?? (info.state.error || undefined);
      container.state = {
        kind: "terminated",
        exitCode,
        reason: info.state.oomKilled ? "OOMKilled" : exitCode === 0 ? "Completed" : "Error",
        ...(message ? { message } : {}),
        ...(startedAt ? { startedAt } : {}),
        ...(finishedAt ? { finishedAt } : {}),
      };
    }
    container.failureMessage = undefined;
    this.changed();
  }

  private runContainerHandler(
    handler: HandlerPlan,
    containerId: string,
    timeoutSeconds: number,
    signal: AbortSignal = this.lifetime.signal,
  ): Promise<HandlerResult> {
    const sandbox = this.sandbox;
    if (sandbox === undefined) {
      return Promise.resolve({ success: false, message: "no sandbox" });
    }
    return runHandler(
      handler,
      { docker: sandbox.docker, containerId, podIp: sandbox.ip, clock: this.deps.clock },
      Math.max(1, timeoutSeconds) * 1000,
      AbortSignal.any([signal, this.lifetime.signal]),
    );
  }

  private startProbes(container: ContainerRecord, id: string): void {
    const { startup, readiness, liveness } = container.plan.probes;
    if (!startup && !readiness && !liveness) {
      return;
    }
    const controller = new AbortController();
    this.probes.set(id, controller);
    const signal = AbortSignal.any([controller.signal, this.supervision.signal, this.lifetime.signal]);
    const check = (probe: ProbePlan) => (timeoutMs: number, probeSignal: AbortSignal) =>
      runHandler(
        probe.handler,
        {
          docker: this.sandbox?.docker ?? (undefined as never),
          containerId: id,
          podIp: this.record.podIp ?? "",
          clock: this.deps.clock,
        },
        timeoutMs,
        probeSignal,
      );
    const kill = (probe: ProbePlan, what: string, result: HandlerResult): boolean => {
      this.logger.info({ container: container.plan.name, message: result.message }, `${what} probe failed`);
      container.failureMessage = `${what} probe failed: ${result.message ?? ""}`;
      container.killedByProbe = true;
      const grace = probe.terminationGracePeriodSeconds ?? this.record.plan.terminationGracePeriodSeconds;
      void this.stopInstance(id, grace, container.plan.lifecycle.preStop);
      return true;
    };
    const afterStartup = (): void => {
      if (readiness) {
        void runProbeLoop(
          readiness,
          check(readiness),
          {
            onHealthy: () => {
              container.ready = true;
              this.changed();
            },
            onUnhealthy: () => {
              container.ready = false;
              this.changed();
              return false;
            },
          },
          this.deps.clock,
          signal,
        );
      }
      if (liveness) {
        void runProbeLoop(
          liveness,
          check(liveness),
          { onHealthy: () => {}, onUnhealthy: (result) => kill(liveness, "Liveness", result) },
          this.deps.clock,
          signal,
        );
      }
    };
    if (startup) {
      void runProbeLoop(
        startup,
        check(startup),
        {
          onHealthy: () => {
            container.started = true;
            if (!readiness) {
              container.ready = true;
            }
            this.changed();
            afterStartup();
          },
          onUnhealthy: (result) => kill(startup, "Startup", result),
        },
        this.deps.clock,
        signal,
        true,
      );
    } else {
      afterStartup();
    }
  }

  /** preStop handler, then SIGTERM and SIGKILL after what is left of the grace period. */
  private async stopInstance(
    id: string,
    graceSeconds: number,
    preStop: HandlerPlan | undefined,
  ): Promise<void> {
    const sandbox = this.sandbox;
    if (sandbox === undefined) {
      return;
    }
    const began = this.deps.clock.now();
    if (preStop !== undefined) {
      await this.runContainerHandler(preStop, id, graceSeconds);
    }
    const left = Math.max(0, Math.ceil(graceSeconds - (this.deps.clock.now() - began) / 1000));
    await sandbox.docker.stopContainer(id, left).catch((error: unknown) => {
      this.logger.warn({ containerId: id.slice(0, 12), error: String(error) }, "stop failed");
    });
  }

  private async stopGroup(containers: ContainerRecord[], graceSeconds: number): Promise<void> {
    await Promise.all(
      containers.map(async (container) => {
        if (container.state.kind !== "running" || container.containerId === undefined) {
          return;
        }
        container.stoppedByRunner = true;
        await this.stopInstance(container.containerId, graceSeconds, container.plan.lifecycle.preStop);
      }),
    );
  }

  private async stopSidecars(graceSeconds: number): Promise<void> {
    const sidecars = this.record.initContainers.filter((container) => container.plan.kind === "sidecar");
    for (const sidecar of [...sidecars].reverse()) {
      sidecar.stoppedByRunner = true;
      await this.stopGroup([sidecar], graceSeconds);
      if (sidecar.containerId !== undefined && this.sandbox !== undefined) {
        const info = await this.sandbox.docker.inspectContainer(sidecar.containerId).catch(() => undefined);
        if (info !== undefined && !info.state.running && sidecar.state.kind === "running") {
          this.recordExit(sidecar, info);
        }
      }
      sidecar.final = true;
    }
    this.changed();
  }

  /** Regular containers first (together), then init and sidecar containers in reverse order. */
  private async stopContainers(graceSeconds: number): Promise<void> {
    this.supervision.abort();
    await this.stopGroup(this.record.containers, graceSeconds);
    for (const init of [...this.record.initContainers].reverse()) {
      await this.stopGroup([init], graceSeconds);
    }
    const sandbox = this.sandbox;
    if (sandbox === undefined) {
      return;
    }
    for (const container of [...this.record.initContainers, ...this.record.containers]) {
      if (container.state.kind === "running" && container.containerId !== undefined) {
        const info = await sandbox.docker.inspectContainer(container.containerId).catch(() => undefined);
        if (info === undefined || !info.state.running) {
          this.recordExit(container, info);
        }
      }
      if (container.state.kind === "terminated") {
        container.final = true;
      }
    }
    this.changed();
  }

  async removeContainers(): Promise<void> {
    const sandbox = this.sandbox;
    if (sandbox === undefined) {
      return;
    }
    const found = await sandbox.docker.listContainers({
      all: true,
      label: [`${LABEL_POD_UID}=${this.record.uid}`],
    });
    await Promise.all(
      found
        .filter((item) => item.labels[LABEL_CONTAINER_KIND] !== "sandbox")
        .map((item) => sandbox.docker.removeContainer(item.id)),
    );
  }

  /** Stop with grace: supervision off, preStop + SIGTERM + SIGKILL. Leaves the sandbox to the manager. */
  stop(graceSeconds: number): Promise<void> {
    this.stopPromise ??= (async () => {
      this.record.message ??= "stopped";
      await this.stopContainers(graceSeconds);
      await this.runPromise;
      this.lifetime.abort();
      this.completion.resolve();
    })();
    return this.stopPromise;
  }

  /** Runner closing: stop watching, leave everything running. */
  close(): void {
    this.supervision.abort();
    this.lifetime.abort();
  }
}
