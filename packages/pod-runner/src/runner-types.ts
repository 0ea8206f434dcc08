import type { Readable } from "node:stream";
import type { Logger } from "@ild/common";
import type { DindPool, DockerClient } from "@ild/dind-pool";
import type { DeviceBook } from "@ild/gpu";
import type { PodStatus, RetrievedPodData } from "@ild/interlink-api";
import type { PodPlan, TranslatePodOptions } from "@ild/pod-translator";
import type { PodTranslator } from "./translation/translator-port.js";

export type EngineKind = "dind" | "host";

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

export interface PodHandle {
  podUid: string;
  /** Job id reported to interLink (PodJID): the sandbox container id. */
  jobId: string;
  engine: EngineKind;
}

export interface StartOptions {
  signal?: AbortSignal;
  dryRun?: boolean;
  engine?: EngineKind;
}

export interface DryRunResult {
  dryRun: true;
  plan: PodPlan;
  /** The engine the pod would run on. */
  engine?: EngineKind;
  hooks: Array<{ name: string; phase: HookPhase; priority: number }>;
  warnings: Array<{ path: string; message: string }>;
}

export type HookPhase = "pre-create" | "pre-run" | "post-run" | "pre-stop" | "post-stop";

export interface HookContext {
  plan: PodPlan;
  podUid: string;
  engine: EngineKind;
  signal: AbortSignal;
  logger: Logger;
  /** Present from pre-run on. */
  sandbox?: {
    id: string;
    ip: string;
    /** dind engine only: replaces the egress allow-list of the pod's sandbox. */
    setEgress?: (allowCidrs: string[] | undefined) => Promise<void>;
    /** Removes the pod's containers (what the `remove-containers` hook calls). */
    removeContainers?: () => Promise<void>;
  };
  /** The runner's configuration of built-in hooks (egress defaults, hostPath allow-list). */
  config?: HookConfig;
}

export interface Hook {
  name: string;
  /** Lower runs first. */
  priority: number;
  phases: Partial<Record<HookPhase, (context: HookContext) => Promise<void> | void>>;
}

export interface HookConfig {
  /**
   * The operator's egress allow-list (empty: not filtered). A pod's `ild.io/egress-allow`
   * annotation may only narrow it (a CIDR outside it is refused with 400); dind engine only.
   */
  egressDefaultAllowCidrs?: string[];
  /** Host path prefixes a pod may mount: used as `translateOptions.policy.hostPathAllowList` when that is not given. */
  hostPathAllowList?: string[];
}

export interface LogRequestOptions {
  tail?: number;
  limitBytes?: number;
  timestamps?: boolean;
  follow?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  sinceTime?: Date;
  signal?: AbortSignal;
}

export interface PodSummary {
  podUid: string;
  name: string;
  namespace: string;
  phase: PodPhase;
  engine: EngineKind;
  /** Sandbox container id (the job id); empty while the sandbox is being created. */
  jobId?: string;
}

export interface StatusResult {
  found: boolean;
  phase: PodPhase;
  /** Why the pod is in this phase (e.g. `DeadlineExceeded`, `Error`, `ImagePullBackOff`). */
  reason?: string;
  message?: string;
  /** The pod IP, once the sandbox exists. */
  podIp?: string;
  /** interLink's shape, containers AND initContainers. For an unknown pod: waiting with a message. */
  status: PodStatus;
}

export interface Runner {
  start(input: RetrievedPodData, options?: StartOptions): Promise<PodHandle | DryRunResult>;
  waitForCompletion(
    handle: PodHandle | string,
    options?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<StatusResult>;
  stop(
    handle: PodHandle | string,
    options?: { gracePeriodSeconds?: number; signal?: AbortSignal },
  ): Promise<void>;
  /** From memory, never throws; `fallback` names an unknown pod's entry (and its containers). */
  status(
    podUid: string,
    fallback?: { name: string; namespace: string; containers?: string[]; initContainers?: string[] },
  ): StatusResult;
  logs(podUid: string, container: string, options?: LogRequestOptions): Promise<Readable>;
  list(): PodSummary[];
  /** Rebuild state from labels and the data root after a restart. */
  recover(options?: { signal?: AbortSignal }): Promise<void>;
  /** Stop watching; leaves pods running. */
  close(): Promise<void>;
}

/** Injectable time source: unit tests drive back-off and probes with a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Pod IP networking (reference plugin's `interlink.eu/pod-ip` annotation, done safely). */
export interface PodIpNetworkOptions {
  /** An existing host-engine network the sandbox is attached to with the annotated address. */
  network: string;
  /** Routes added in the sandbox's network namespace (argv `ip route replace <cidr> via <via>`). */
  routes?: Array<{ cidr: string; via: string }>;
  /** Cluster DNS servers written to the pod's resolv.conf. */
  dnsServers?: string[];
}

export interface RunnerOptions {
  /** The host engine (sandboxes of the host engine, image source of the dind engine). */
  docker: DockerClient;
  /** The DIND pool: required for the `dind` engine. */
  pool?: DindPool;
  /** Device book for GPUs/FPGAs; without it pods asking for extended resources are refused. */
  devices?: DeviceBook;
  /** Pod files: `<dataRoot>/pods/<uid>/…`. Must be under the pool's `sharedPaths` for dind. */
  dataRoot: string;
  /** Secrets and pod.json: `<runRoot>/pods/<uid>/…` (tmpfs; mounted there when it is not one). */
  runRoot: string;
  /** `auto` (default): mount a tmpfs on runRoot when it is not one; `off`: use it as it is. */
  secretTmpfs?: "auto" | "off";
  /**
   * `auto` (default): `<dataRoot>/pods` and `<runRoot>/pods` become mounts of their own (nosuid, nodev,
   * shared: what lets a DIND see its pod's verified subPath binds); `off`: used as they are (tests on an
   * in-memory engine, or a host that prepared them).
   */
  podRootMounts?: "auto" | "off";
  /**
   * Device nodes each DIND of `pool` has for privileged pod containers, mapped into those containers
   * only (e.g. `["/dev/fuse"]` when the pool runs with `allowPrivilegedPods`). Default none.
   */
  privilegedDevices?: string[];
  /** Default engine: `dind` when a pool is given, else `host`. */
  engine?: EngineKind;
  /** Whether the `ild.io/engine` annotation may choose the engine (default true). */
  allowEngineAnnotation?: boolean;
  /** Scopes labels: two runners with different ids never adopt each other's pods (default `default`). */
  runnerId?: string;
  /** Extra labels put on everything the runner creates (e.g. `io.ild.test`). */
  labels?: Record<string, string>;
  /** Hooks registered in code (in addition to the built-ins). */
  hooks?: Hook[];
  /**
   * Hook names that run (built-in or registered). Default: `remove-containers`, `deny-privileged`,
   * `hostpath-allowlist`, `egress-acl` and every hook passed in `hooks`.
   */
  enabledHooks?: string[];
  hookConfig?: HookConfig;
  /** Image of the host engine's pause-style sandbox (default `ild/busybox:1`). */
  sandboxImage?: string;
  /** Host engine: `per-pod` (a labelled bridge per pod) or `default` (the engine's default bridge). */
  hostNetwork?: "per-pod" | "default";
  podIpNetwork?: PodIpNetworkOptions;
  /** The pod translator (default: @ild/pod-translator's translatePod/toDockerCreateBodies). */
  translator?: PodTranslator;
  /** Where native sidecars appear in status: `containers` (default; the VK holds a pod in
   * PodInitializing while any init container runs) or `initContainers` (Kubernetes' place). */
  sidecarStatusIn?: "containers" | "initContainers";
  /** Options passed to the pod translator. Its `policy` is the node's security policy, enforced once
   * by the translator (default: baseline level, privileged denied, hostPath only under
   * `hookConfig.hostPathAllowList`); hooks may only add restrictions. */
  translateOptions?: TranslatePodOptions;
  /** Kubernetes back-off: initial 10 s doubling to 5 min. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** How often disk emptyDirs with a sizeLimit are measured; over the limit the pod is Evicted (10 s). */
  emptyDirCheckMs?: number;
  clock?: Clock;
  logger?: Logger;
}
