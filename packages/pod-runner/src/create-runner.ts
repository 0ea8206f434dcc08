import type { Readable } from "node:stream";
import { type Logger, noopLogger } from "@ild/common";
import type { DockerClient } from "@ild/dind-pool";
import { deviceLabels, type PodDeviceAllocation, toAssignedDevices, toDindDevices } from "@ild/gpu";
import type { RetrievedPodData } from "@ild/interlink-api";
import type { PodPlan, TranslatePodOptions } from "@ild/pod-translator";
import { systemClock } from "./clock.js";
import { createDindEngine } from "./engines/dind-engine.js";
import { createHostEngine } from "./engines/host-engine.js";
import { LABEL_DEVICES, LABEL_POD_UID, LABEL_RUNNER } from "./engines/labels.js";
import type { Sandbox, SandboxEngine, SandboxRequest } from "./engines/sandbox-engine.js";
import {
  ContainerNotFoundError,
  EngineUnavailableError,
  InvalidPodError,
  PodNotFoundError,
  WaitTimeoutError,
} from "./errors.js";
import { ensureTmpfs } from "./files/ensure-tmpfs.js";
import { materializeFiles, removePodFiles } from "./files/materialize-files.js";
import { podRoots, preparePodRoots } from "./files/pod-mounts.js";
import { podPaths } from "./files/pod-paths.js";
import { isStopping, listStoredPodUids, loadPod, markStopping, savePod } from "./files/pod-store.js";
import { builtinHooks, egressAllowList } from "./hooks/builtin-hooks.js";
import { hooksFor, runHookPhase, selectHooks } from "./hooks/hook-runner.js";
import { kubernetesBackoff } from "./lifecycle/backoff.js";
import { PodController } from "./lifecycle/pod-controller.js";
import { recoverContainerRecords } from "./lifecycle/recover-containers.js";
import { logInstance } from "./logs/log-instance.js";
import { openLogs } from "./logs/open-logs.js";
import { parseIp } from "./network/parse-cidr.js";
import type {
  DryRunResult,
  EngineKind,
  HookPhase,
  LogRequestOptions,
  PodHandle,
  PodSummary,
  Runner,
  RunnerOptions,
  StartOptions,
  StatusResult,
} from "./runner-types.js";
import { computePhase, newContainerRecord, type PodRecord } from "./state/pod-record.js";
import { notFoundStatus, type StatusFallback, toStatusResult } from "./state/to-pod-status.js";
import { defaultTranslator, type PodTranslator } from "./translation/translator-port.js";

export const ENGINE_ANNOTATION = "ild.io/engine";
export const POD_IP_ANNOTATION = "interlink.eu/pod-ip";

const HOOK_PHASES: HookPhase[] = ["pre-create", "pre-run", "post-run", "pre-stop", "post-stop"];

interface Devices {
  request: SandboxRequest["devices"];
  labels: Record<string, string>;
}

/** Creates a Runner: translate, devices, hooks, files and state here; sandboxes in the engines. */
export function createRunner(options: RunnerOptions): Runner {
  const logger: Logger = (options.logger ?? noopLogger).child({ component: "pod-runner" });
  const runnerId = options.runnerId ?? "default";
  const clock = options.clock ?? systemClock;
  const backoff = { ...kubernetesBackoff, ...options.backoff };
  const labels = { ...options.labels, [LABEL_RUNNER]: runnerId };
  const registered = [...builtinHooks, ...(options.hooks ?? [])];
  const enabledNames = options.enabledHooks ?? [
    ...builtinHooks.map((hook) => hook.name),
    ...(options.hooks ?? []).map((hook) => hook.name),
  ];
  const hooks = selectHooks(registered, enabledNames);
  const hookConfig = options.hookConfig ?? {};
  const sidecarStatusIn = options.sidecarStatusIn ?? "containers";
  const docker: DockerClient = options.docker;

  const hostEngine = createHostEngine({
    docker,
    runnerId,
    sandboxImage: options.sandboxImage ?? "ild/busybox:1",
    network: options.hostNetwork ?? "default",
    ...(options.podIpNetwork ? { podIpNetwork: options.podIpNetwork } : {}),
    logger,
  });
  const roots = podRoots(options.dataRoot, options.runRoot);
  const dindEngine = options.pool
    ? createDindEngine({
        pool: options.pool,
        docker,
        runnerId,
        ...(options.podIpNetwork ? { podIpNetwork: options.podIpNetwork } : {}),
        roots: { ...roots, dataRoot: options.dataRoot, runRoot: options.runRoot },
        ...(options.privilegedDevices ? { privilegedDevices: options.privilegedDevices } : {}),
        logger,
      })
    : undefined;
  const defaultEngine: EngineKind = options.engine ?? (options.pool ? "dind" : "host");

  const pods = new Map<string, PodController>();
  const starting = new Map<string, Promise<PodHandle>>();
  /** Pods whose start is in flight (hooks, devices, files, sandbox): status answers Pending for them. */
  const startingRecords = new Map<string, PodRecord>();
  const stopping = new Map<string, Promise<void>>();
  const podTranslator: PodTranslator = options.translator ?? defaultTranslator;
  let tmpfsPromise: Promise<boolean> | undefined;

  // The translator's security policy is the one place its rules live (baseline unless the caller picks
  // another level); hooks may only add restrictions. hookConfig.hostPathAllowList is the list's old place.
  const translateOptions: TranslatePodOptions = {
    ...options.translateOptions,
    ...(options.devices === undefined ? {} : { devicesAssignedLater: true }),
    policy: { hostPathAllowList: hookConfig.hostPathAllowList ?? [], ...options.translateOptions?.policy },
  };

  const engineFor = (kind: EngineKind): SandboxEngine => {
    if (kind === "host") {
      return hostEngine;
    }
    if (dindEngine === undefined) {
      throw new EngineUnavailableError("dind", "no DIND pool configured");
    }
    return dindEngine;
  };

  const chooseEngine = (plan: PodPlan, asked: EngineKind | undefined): EngineKind => {
    const annotated = plan.annotations[ENGINE_ANNOTATION];
    let kind = asked ?? defaultEngine;
    if (annotated !== undefined && asked === undefined) {
      if (annotated !== "host" && annotated !== "dind") {
        throw new InvalidPodError(`metadata.annotations["${ENGINE_ANNOTATION}"]`, "must be host or dind");
      }
      if (options.allowEngineAnnotation === false) {
        throw new EngineUnavailableError(annotated, "choosing the engine by annotation is not allowed here");
      }
      kind = annotated;
    }
    engineFor(kind);
    return kind;
  };

  const translate = async (
    input: RetrievedPodData,
  ): Promise<{ plan: PodPlan; warnings: DryRunResult["warnings"] }> => {
    const uid = input.pod?.metadata?.uid;
    if (!uid) {
      throw new InvalidPodError("pod.metadata.uid", "is required");
    }
    if (!input.pod.metadata?.name) {
      throw new InvalidPodError("pod.metadata.name", "is required");
    }
    // PodTranslationError (ILD_POD_INVALID, every problem with its field path) goes to the caller as is.
    const { plan, warnings } = podTranslator.translatePod({
      pod: input.pod,
      containers: input.container ?? [],
      options: translateOptions,
    });
    return { plan, warnings };
  };

  const podIpOf = (plan: PodPlan): string | undefined => {
    const value = plan.annotations[POD_IP_ANNOTATION];
    if (value === undefined || value === "") {
      return undefined;
    }
    if (options.podIpNetwork === undefined) {
      throw new InvalidPodError(
        `metadata.annotations["${POD_IP_ANNOTATION}"]`,
        "no pod IP network configured",
      );
    }
    return parseIp(value, `metadata.annotations["${POD_IP_ANNOTATION}"]`);
  };

  /** Books devices for extended resources and writes them into the plan. */
  const allocateDevices = (plan: PodPlan): Devices => {
    const requests = [...plan.initContainers, ...plan.containers]
      .filter((container) => Object.keys(container.resources.extended).length > 0)
      .map((container) => ({ container: container.name, requests: container.resources.extended }));
    if (requests.length === 0) {
      return { request: undefined, labels: {} };
    }
    if (options.devices === undefined) {
      throw new InvalidPodError(
        "spec.containers[].resources.limits",
        "extended resources but no device book",
      );
    }
    return applyAllocation(plan, options.devices.allocate(plan.uid, requests));
  };

  /** Devices into the plan (rendered per container), onto the sandbox (DIND) and into its labels. */
  const applyAllocation = (plan: PodPlan, allocation: PodDeviceAllocation): Devices => {
    const assigned = toAssignedDevices(allocation);
    for (const container of [...plan.initContainers, ...plan.containers]) {
      container.resources.devices = assigned[container.name] ?? [];
    }
    // Host paths of every booked node and driver file; inner containers find them at the same paths.
    return {
      request: toDindDevices(Object.values(allocation.containers).flat()),
      labels: deviceLabels(allocation),
    };
  };

  const newRecord = (
    input: RetrievedPodData,
    plan: PodPlan,
    engine: EngineKind,
    startedAt: number,
  ): PodRecord => ({
    uid: plan.uid,
    name: plan.name,
    namespace: plan.namespace,
    engine,
    input,
    plan,
    jobId: "",
    phase: "Pending",
    initContainers: plan.initContainers.map(newContainerRecord),
    containers: plan.containers.map(newContainerRecord),
    startedAt,
  });

  const newController = async (record: PodRecord): Promise<PodController> => {
    const engine = engineFor(record.engine);
    return new PodController(record, {
      engine,
      translator: podTranslator,
      translateOptions,
      paths: podPaths(options.dataRoot, options.runRoot, record.uid),
      labels,
      hooks,
      hookConfig,
      hostPathAllowList: translateOptions.policy?.hostPathAllowList ?? hookConfig.hostPathAllowList ?? [],
      ...(options.emptyDirCheckMs === undefined ? {} : { emptyDirCheckMs: options.emptyDirCheckMs }),
      onSandboxGone: (reason) => {
        void sandboxGone(record.uid, reason);
      },
      clock,
      backoff,
      logger,
    });
  };

  /**
   * A running pod's sandbox died (its DIND killed or out of memory, its engine crashed): what ran in it
   * is gone. The pod is taken back as after a reboot: recreated in a fresh sandbox (Always, OnFailure)
   * or Failed with ContainerStatusUnknown (Never).
   */
  const sandboxGone = async (podUid: string, reason: string): Promise<void> => {
    const controller = pods.get(podUid);
    if (controller === undefined || controller.stopped || stopping.has(podUid)) {
      return;
    }
    logger.warn({ podUid, reason }, "the pod's sandbox is gone: recreating or failing the pod");
    controller.close();
    pods.delete(podUid);
    try {
      await engineFor(controller.record.engine).removeSandbox(controller.sandbox ?? { podUid });
      await resume(podUid, true);
    } catch (error) {
      logger.error({ podUid, error: String(error) }, "could not take back a pod whose sandbox is gone");
    }
  };

  const handleOf = (controller: PodController): PodHandle => ({
    podUid: controller.record.uid,
    jobId: controller.record.jobId,
    engine: controller.record.engine,
  });

  const ensureSecretsTmpfs = (): Promise<boolean> => {
    tmpfsPromise ??= (async () => {
      const tmpfs = options.secretTmpfs === "off" ? false : await ensureTmpfs(options.runRoot, logger);
      // after the tmpfs: the pod roots are shared nosuid,nodev mounts of their own
      if (options.podRootMounts !== "off") {
        await preparePodRoots(roots);
      }
      return tmpfs;
    })();
    tmpfsPromise.catch(() => {
      tmpfsPromise = undefined;
    });
    return tmpfsPromise;
  };

  /** Creates the sandbox and hands the pod to its controller; cleans up what it made on failure. */
  const launch = async (
    input: RetrievedPodData,
    plan: PodPlan,
    engineKind: EngineKind,
    startedAt: number,
    signal: AbortSignal | undefined,
    devices: Devices,
  ): Promise<PodController> => {
    const paths = podPaths(options.dataRoot, options.runRoot, plan.uid);
    const engine = engineFor(engineKind);
    const record = newRecord(input, plan, engineKind, startedAt);
    const controller = await newController(record);
    try {
      await materializeFiles(plan, paths);
      const podIp = podIpOf(plan);
      const sandbox = await engine.createSandbox({
        plan,
        podUid: plan.uid,
        labels: { ...labels, ...devices.labels },
        ...(devices.request ? { devices: devices.request } : {}),
        ...(podIp ? { podIp } : {}),
        egress: egressAllowList(plan.annotations, hookConfig.egressDefaultAllowCidrs),
        ...(signal ? { signal } : {}),
      });
      controller.attach(sandbox);
    } catch (error) {
      await engine.removeSandbox({ podUid: plan.uid }).catch(() => {});
      options.devices?.release(plan.uid);
      await removePodFiles(paths).catch(() => {});
      throw error;
    }
    pods.set(plan.uid, controller);
    controller.start(false);
    return controller;
  };

  const doStart = async (
    input: RetrievedPodData,
    plan: PodPlan,
    engineKind: EngineKind,
    signal?: AbortSignal,
  ) => {
    const record = newRecord(input, plan, engineKind, clock.now());
    startingRecords.set(plan.uid, record);
    await ensureSecretsTmpfs();
    const probe = await newController(record);
    await runHookPhase(hooksFor(hooks, "pre-create"), "pre-create", probe.hookContext(), logger);
    const devices = allocateDevices(plan);
    const paths = podPaths(options.dataRoot, options.runRoot, plan.uid);
    await savePod(paths, { version: 1, input, engine: engineKind, startedAt: record.startedAt, runnerId });
    const controller = await launch(input, plan, engineKind, record.startedAt, signal, devices);
    return handleOf(controller);
  };

  const uidOf = (handle: PodHandle | string): string => (typeof handle === "string" ? handle : handle.podUid);

  /** Full teardown of a pod; works on a pod known only by its files and labels (after a crash). */
  const teardown = async (podUid: string, graceSeconds: number | undefined): Promise<void> => {
    const paths = podPaths(options.dataRoot, options.runRoot, podUid);
    await markStopping(paths);
    const controller = pods.get(podUid);
    if (controller !== undefined) {
      const grace = graceSeconds ?? controller.record.plan.terminationGracePeriodSeconds;
      await controller.runHooks("pre-stop");
      await controller.stop(grace);
      await controller.runHooks("post-stop");
      await engineFor(controller.record.engine).removeSandbox(controller.sandbox ?? { podUid });
    } else {
      // an unreadable pod.json does not block a delete: every engine is asked to remove the sandbox
      const stored = await loadPod(paths).catch((error: unknown) => {
        logger.warn({ podUid, error: String(error) }, "pod state unreadable; removing by labels");
        return undefined;
      });
      const engines = stored ? [engineFor(stored.engine)] : [hostEngine, ...(dindEngine ? [dindEngine] : [])];
      for (const engine of engines) {
        await engine.removeSandbox({ podUid });
      }
    }
    options.devices?.release(podUid);
    await removePodFiles(paths);
    pods.delete(podUid);
  };

  /**
   * After recovery the pods this runner holds are the whole truth for the device book: bookings of pods
   * that are gone (their containers vanished with a reboot, a crash between release and removal) go.
   * Pods whose state could not be read keep theirs (they may still run).
   */
  const pruneDeviceBookings = (stored: ReadonlySet<string>): void => {
    const book = options.devices;
    if (book === undefined) {
      return;
    }
    const keep: Array<{ podUid: string; containers: Record<string, string[]> }> = [];
    for (const uid of new Set([...pods.keys(), ...startingRecords.keys(), ...stored])) {
      const allocation = book.allocationOf(uid);
      if (allocation !== undefined) {
        keep.push({
          podUid: uid,
          containers: Object.fromEntries(
            Object.entries(allocation.containers).map(([name, devices]) => [
              name,
              devices.map((device) => device.id),
            ]),
          ),
        });
      }
    }
    book.restore(keep, { mode: "replace" });
  };

  const resume = async (podUid: string, lost = false): Promise<void> => {
    const paths = podPaths(options.dataRoot, options.runRoot, podUid);
    const stored = await loadPod(paths);
    if (stored?.runnerId !== undefined && stored.runnerId !== runnerId) {
      logger.debug({ podUid, owner: stored.runnerId }, "pod belongs to another runner");
      return;
    }
    if (stored === undefined || (await isStopping(paths))) {
      await teardown(podUid, 0);
      return;
    }
    const { plan } = await translate(stored.input);
    const engine = engineFor(stored.engine);
    const sandbox = await engine.adopt(podUid);
    if (sandbox === undefined && lost && plan.restartPolicy === "Never") {
      // its engine stopped under it (dockerd restart, reboot): what ran is gone, nothing restarts
      const record = newRecord(stored.input, plan, stored.engine, stored.startedAt);
      const controller = await newController(record);
      controller.markLost(
        "The pod's engine stopped (dockerd restart or host reboot); its containers could not be located",
      );
      pods.set(podUid, controller);
      options.devices?.release(podUid);
      logger.warn({ podUid }, "pod lost with its engine (restartPolicy Never): Failed");
      return;
    }
    if (sandbox === undefined) {
      // Crashed before the sandbox was up, or its engine stopped under it (restartPolicy Always or
      // OnFailure: the kubelet recreates the sandbox): start it again from the stored input.
      logger.info(
        { podUid, lost },
        lost
          ? "recreating the sandbox of a pod whose engine stopped"
          : "recovering a pod whose sandbox never came up",
      );
      const devices = allocateDevices(plan);
      await launch(stored.input, plan, stored.engine, stored.startedAt, undefined, devices);
      return;
    }
    const record = newRecord(stored.input, plan, stored.engine, stored.startedAt);
    const deviceLabel = await readDeviceLabel(sandbox);
    if (deviceLabel !== undefined && options.devices !== undefined) {
      options.devices.restore([{ podUid, containers: deviceLabel }]);
      const allocation = options.devices.allocationOf(podUid);
      if (allocation !== undefined) {
        applyAllocation(plan, allocation);
      }
    }
    await recoverContainerRecords(record, sandbox, clock);
    record.phase = computePhase(record);
    const controller = await newController(record);
    controller.attach(sandbox);
    pods.set(podUid, controller);
    controller.start(true);
  };

  /** Device ids by container, from the sandbox's labels (host) or the lease marker's (dind). */
  const readDeviceLabel = async (sandbox: Sandbox): Promise<Record<string, string[]> | undefined> => {
    const info = await docker.inspectContainer(sandbox.id).catch(() => undefined);
    let raw = info?.labels[LABEL_DEVICES];
    if (raw === undefined && sandbox.engine === "dind") {
      const markers = await docker
        .listVolumes({ label: [`${LABEL_POD_UID}=${sandbox.podUid}`, LABEL_DEVICES] })
        .catch(() => []);
      raw = markers[0]?.labels[LABEL_DEVICES];
    }
    if (raw === undefined) {
      return undefined;
    }
    try {
      return JSON.parse(raw) as Record<string, string[]>;
    } catch {
      return undefined;
    }
  };

  const runner: Runner = {
    async start(input: RetrievedPodData, startOptions: StartOptions = {}): Promise<PodHandle | DryRunResult> {
      const { plan, warnings } = await translate(input);
      const engineKind = chooseEngine(plan, startOptions.engine);
      if (startOptions.dryRun) {
        podIpOf(plan);
        return {
          dryRun: true,
          plan,
          engine: engineKind,
          hooks: HOOK_PHASES.flatMap((phase) =>
            hooksFor(hooks, phase).map((hook) => ({ name: hook.name, phase, priority: hook.priority })),
          ),
          warnings,
        };
      }
      const uid = plan.uid;
      const known = pods.get(uid);
      if (known !== undefined) {
        return handleOf(known);
      }
      const inFlight = starting.get(uid);
      if (inFlight !== undefined) {
        return inFlight;
      }
      const promise = doStart(input, plan, engineKind, startOptions.signal).finally(() => {
        starting.delete(uid);
        startingRecords.delete(uid);
      });
      starting.set(uid, promise);
      return promise;
    },

    async waitForCompletion(handle, waitOptions = {}): Promise<StatusResult> {
      const uid = uidOf(handle);
      await starting.get(uid)?.catch(() => {});
      const controller = pods.get(uid);
      if (controller === undefined) {
        throw new PodNotFoundError(uid);
      }
      const waits: Array<Promise<unknown>> = [controller.done];
      let timer: NodeJS.Timeout | undefined;
      if (waitOptions.timeoutMs !== undefined) {
        const timeoutMs = waitOptions.timeoutMs;
        waits.push(
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new WaitTimeoutError(uid, timeoutMs)), timeoutMs);
          }),
        );
      }
      if (waitOptions.signal !== undefined) {
        const signal = waitOptions.signal;
        waits.push(
          new Promise((_, reject) => {
            if (signal.aborted) {
              reject(signal.reason);
            }
            signal.addEventListener("abort", () => reject(signal.reason), { once: true });
          }),
        );
      }
      try {
        await Promise.race(waits);
      } finally {
        clearTimeout(timer);
      }
      return toStatusResult(controller.record, sidecarStatusIn);
    },

    async stop(handle, stopOptions = {}): Promise<void> {
      const uid = uidOf(handle);
      await starting.get(uid)?.catch(() => {});
      let promise = stopping.get(uid);
      if (promise === undefined) {
        promise = teardown(uid, stopOptions.gracePeriodSeconds).finally(() => stopping.delete(uid));
        stopping.set(uid, promise);
      }
      return promise;
    },

    status(podUid: string, fallback?: StatusFallback): StatusResult {
      const controller = pods.get(podUid);
      if (controller !== undefined) {
        return toStatusResult(controller.record, sidecarStatusIn);
      }
      const record = startingRecords.get(podUid);
      return record ? toStatusResult(record, sidecarStatusIn) : notFoundStatus(podUid, fallback);
    },

    async logs(podUid: string, container: string, logOptions: LogRequestOptions = {}): Promise<Readable> {
      const controller = pods.get(podUid);
      if (controller === undefined || controller.sandbox === undefined) {
        throw new PodNotFoundError(podUid);
      }
      const record = [...controller.record.initContainers, ...controller.record.containers].find(
        (item) => item.plan.name === container,
      );
      if (record === undefined) {
        throw new ContainerNotFoundError(podUid, container, `container ${container} is not in pod ${podUid}`);
      }
      const instance = logInstance(record, logOptions.previous === true, controller.record.name);
      if (instance.id === undefined) {
        throw new ContainerNotFoundError(podUid, container, instance.message);
      }
      return openLogs(controller.sandbox.docker, instance.id, logOptions, clock);
    },

    list(): PodSummary[] {
      return [...pods.values()].map((controller) => ({
        podUid: controller.record.uid,
        name: controller.record.name,
        namespace: controller.record.namespace,
        phase: controller.record.phase,
        engine: controller.record.engine,
        jobId: controller.record.jobId,
      }));
    },

    async recover(): Promise<void> {
      await ensureSecretsTmpfs();
      const lost = new Set<string>();
      if (options.pool !== undefined) {
        const report = await options.pool.reconcile();
        for (const item of report.lost ?? []) {
          lost.add(item.podUid);
        }
      }
      const stored = new Set(await listStoredPodUids(options.runRoot));
      for (const uid of await hostEngine.listSandboxPodUids()) {
        if (!stored.has(uid)) {
          logger.info({ podUid: uid }, "removing an orphaned host sandbox");
          await hostEngine.removeSandbox({ podUid: uid });
        }
      }
      for (const uid of stored) {
        if (pods.has(uid)) {
          continue;
        }
        try {
          await resume(uid, lost.has(uid));
        } catch (error) {
          logger.error({ podUid: uid, error: String(error) }, "could not recover pod");
        }
      }
      pruneDeviceBookings(stored);
    },

    async close(): Promise<void> {
      for (const controller of pods.values()) {
        controller.close();
      }
      pods.clear();
      hostEngine.close();
    },
  };
  return runner;
}
