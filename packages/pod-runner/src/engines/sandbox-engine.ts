import type { DindDevices, DockerClient, DockerEvent } from "@ild/dind-pool";
import type { PodPlan, PullPolicy, RegistryAuth } from "@ild/pod-translator";
import type { EngineKind } from "../runner-types.js";

export interface SandboxRequest {
  plan: PodPlan;
  podUid: string;
  /** Labels for every object of the pod (runner id, pod uid, test labels). */
  labels: Record<string, string>;
  /** Devices the sandbox itself must hold (dind: the DIND container). */
  devices?: DindDevices;
  /** Pod IP on a configured host network (`interlink.eu/pod-ip`). */
  podIp?: string;
  /**
   * The pod's egress allow-list (operator list narrowed by the pod); undefined: not filtered. The
   * dind engine has it enforced on the host before the DIND is handed out; the host engine ignores it.
   */
  egress?: string[] | undefined;
  signal?: AbortSignal;
}

/** One pod's sandbox: the namespace holder its containers join, and the engine they run in. */
export interface Sandbox {
  readonly engine: EngineKind;
  readonly podUid: string;
  /** Job id: the sandbox container id (pause container or DIND). */
  readonly id: string;
  /** Pod IP, reachable from this process. */
  readonly ip: string;
  /** The engine pod containers are created in. */
  readonly docker: DockerClient;
  readonly networkMode: string;
  readonly ipcMode?: string;
  /** Set when the pod shares one PID namespace (shareProcessNamespace). */
  readonly pidMode?: string;
  /** Pod volume name → Docker volume name (emptyDir medium Memory). */
  readonly memoryVolumeNames: Record<string, string>;
  /** Device nodes this engine has for privileged containers (Ild.policy.privileged: allow), e.g. /dev/fuse. */
  readonly privilegedDevices?: readonly string[];
  setEgress?: (allowCidrs: string[] | undefined) => Promise<void>;
}

export interface EnsureImageRequest {
  image: string;
  pullPolicy: PullPolicy;
  auths: RegistryAuth[];
  signal?: AbortSignal;
}

export interface SandboxEngine {
  readonly kind: EngineKind;
  createSandbox(request: SandboxRequest): Promise<Sandbox>;
  /** Finds this pod's sandbox after a restart (labels), or undefined. */
  adopt(podUid: string, signal?: AbortSignal): Promise<Sandbox | undefined>;
  /** Sandboxes of this runner whose pod the caller does not know (to remove after a crash). */
  listSandboxPodUids(signal?: AbortSignal): Promise<string[]>;
  /** Makes the image present in the sandbox's engine, honouring the pull policy; throws ImagePullError. */
  ensureImage(sandbox: Sandbox, request: EnsureImageRequest): Promise<void>;
  /** Container events (start, die, oom) of this pod's containers until the signal aborts. */
  watch(sandbox: Sandbox, listener: (event: DockerEvent) => void, signal: AbortSignal): void;
  /** Calls `onGone` once if the sandbox itself dies (a DIND killed, OOM, its engine crashed) before `signal` aborts. */
  watchSandbox?(sandbox: Sandbox, onGone: (reason: string) => void, signal: AbortSignal): void;
  /** Removes the sandbox with its networks and volumes; idempotent. */
  removeSandbox(sandbox: Sandbox | { podUid: string }): Promise<void>;
}
