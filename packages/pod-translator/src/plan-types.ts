/**
 * The engine-neutral plan of a pod: what `translatePod` produces and what every engine consumes.
 * No Docker types here; `toDockerCreateBodies` renders a plan into Docker Engine API bodies.
 */

import type { ContainerEdits } from "@ild/gpu";

export type ContainerKind = "init" | "sidecar" | "regular";
export type PullPolicy = "Always" | "IfNotPresent" | "Never";
export type RestartPolicy = "Always" | "OnFailure" | "Never";

export interface TranslationIssue {
  /** Field path in the pod, e.g. `spec.containers[1].env[3].valueFrom.secretKeyRef`. */
  path: string;
  message: string;
}

export interface EnvVarPlan {
  name: string;
  value: string;
  /** The value came from a Secret: never log it. */
  secret?: boolean;
}

/** Where a mount's content comes from. Paths in `dataDir` are relative to the pod's data directory. */
export type MountSource =
  | {
      kind: "dataDir";
      path: string;
      /** The path is relative to the pod's SECRET directory (tmpfs), not its disk data directory. */
      secret?: boolean;
    }
  | { kind: "tmpfs"; sizeBytes?: number; mode?: number }
  | {
      kind: "hostPath";
      path: string;
      /** The hostPath volume's Kubernetes `type` (`DirectoryOrCreate`, `Socket`, ...; "" when unset). */
      type?: string;
    };

export interface MountPlan {
  /** The pod volume this mount comes from. */
  volume: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly: boolean;
  source: MountSource;
  /** Set when the mount is a single file (configMap/secret item with subPath). */
  isFile?: boolean;
  /**
   * The subPath (or expanded subPathExpr) below the volume's root, already included at the end of
   * `source.path`. Lexically checked here; the engine resolves it at every container create without
   * following symlinks (a pod can plant them in its own volumes) and mounts what it verified.
   */
  subPath?: string;
  /** Kubernetes mountPropagation: HostToContainer = `rslave`, Bidirectional = `rshared`; absent = private. */
  propagation?: "rslave" | "rshared";
}

/** A file the engine must write before containers start, under the pod's data directory. */
export interface MaterializedFile {
  /** Relative to the pod's data directory; validated: no `..`, not absolute, bounded length. */
  path: string;
  content: Uint8Array;
  mode: number;
  uid?: number;
  gid?: number;
  /** Secret material: the engine keeps it on tmpfs and never logs it. */
  secret: boolean;
}

export type VolumeKind = "emptyDir" | "configMap" | "secret" | "projected" | "downwardAPI" | "hostPath";

export interface VolumePlan {
  name: string;
  kind: VolumeKind;
  /** Directory relative to the pod's data directory (absent for hostPath and memory emptyDirs). */
  dir?: string;
  medium: "disk" | "memory";
  sizeLimitBytes?: number;
  /** hostPath only: the host path and its Kubernetes type. */
  hostPath?: { path: string; type: string };
  /** Directory ownership for fsGroup. */
  gid?: number;
  /** `dir` is relative to the pod's secret directory (tmpfs): secret volumes and projected volumes with secrets. */
  secret?: boolean;
}

/** A directory the engine must create (mkdir -p, no symlinks followed) before containers start. */
export interface DirectoryPlan {
  /** Relative to the pod's data directory, or to its secret directory when `secret`. Validated like files. */
  path: string;
  mode: number;
  uid?: number;
  gid?: number;
  secret: boolean;
}

export interface ResourcePlan {
  /** limits.cpu × 1e9 (fractional CPUs kept). */
  nanoCpus?: number;
  /** requests.cpu → relative weight (1024 per CPU, Kubernetes' formula, min 2). */
  cpuShares?: number;
  memoryLimitBytes?: number;
  memoryReservationBytes?: number;
  /** Extended resources asked for (limits), e.g. {"nvidia.com/gpu": 2}. Integers only. */
  extended: Record<string, number>;
  /** Devices the caller assigned to this container (GPU UUIDs, device paths). */
  devices: AssignedDevice[];
}

/** A device the caller (the device book) assigned to a container. */
export interface AssignedDevice {
  /** Resource name, e.g. `nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`, `amd.com/gpu`, `xilinx.com/fpga`. */
  resource: string;
  vendor: "nvidia" | "amd" | "generic";
  /** NVIDIA: GPU or MIG UUID. AMD/generic: unused. */
  id?: string;
  /** Host device paths to pass through (AMD, generic devices). */
  paths?: string[];
  /** Numeric host group ids the container needs to use the device (AMD: `render`, `video`). */
  groupIds?: number[];
  /** Device nodes, read-only driver files and env (CDI or discovery, @ild/gpu); rendered by @ild/gpu. */
  edits?: ContainerEdits;
}

export interface SecurityPlan {
  user?: number;
  group?: number;
  supplementalGroups: number[];
  runAsNonRoot: boolean;
  capAdd: string[];
  capDrop: string[];
  readOnlyRootFilesystem: boolean;
  noNewPrivileges: boolean;
  /** `securityContext.privileged` as the policy rendered it. */
  privileged: "no" | "privileged" | "capabilities";
  sysctls: Record<string, string>;
  /** `seccompProfile.type: Unconfined` (RuntimeDefault is the engine default). */
  seccompUnconfined?: boolean;
  /** `appArmorProfile.type: Unconfined`. */
  appArmorUnconfined?: boolean;
}

export interface PortPlan {
  name?: string;
  containerPort: number;
  protocol: "TCP" | "UDP" | "SCTP";
}

export type HandlerPlan =
  | { kind: "exec"; command: string[] }
  | {
      kind: "httpGet";
      scheme: "HTTP" | "HTTPS";
      /** Empty: the pod's own address (probe from inside the pod's network namespace, e.g. 127.0.0.1). */
      host: string;
      port: number;
      path: string;
      headers: Array<{ name: string; value: string }>;
    }
  /** `host` empty: the pod's own address. */
  | { kind: "tcpSocket"; host: string; port: number }
  | { kind: "grpc"; port: number; service?: string }
  | { kind: "sleep"; seconds: number };

export interface ProbePlan {
  handler: HandlerPlan;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
  terminationGracePeriodSeconds?: number;
}

export interface ContainerPlan {
  name: string;
  kind: ContainerKind;
  /** Position in its list (initContainers or containers). */
  index: number;
  image: string;
  pullPolicy: PullPolicy;
  /** Replaces the image ENTRYPOINT when set (Kubernetes `command`, `$(VAR)` expanded). */
  entrypoint?: string[];
  /** Replaces the image CMD when set (Kubernetes `args`); when only `command` is set, CMD is cleared. */
  cmd?: string[];
  workingDir?: string;
  env: EnvVarPlan[];
  mounts: MountPlan[];
  resources: ResourcePlan;
  security: SecurityPlan;
  ports: PortPlan[];
  probes: { startup?: ProbePlan; readiness?: ProbePlan; liveness?: ProbePlan };
  lifecycle: { postStart?: HandlerPlan; preStop?: HandlerPlan };
  tty: boolean;
  stdin: boolean;
  terminationMessagePath: string;
  terminationMessagePolicy: "File" | "FallbackToLogsOnError";
  /** Credentials from the pod's imagePullSecrets that match this image's registry, if any. */
  registryAuth?: RegistryAuth;
  /** Kubernetes `restartPolicy` of a native sidecar (`Always`); absent for other containers. */
  restartPolicy?: "Always";
}

export interface RegistryAuth {
  /** Registry host, e.g. `registry.example.org`. */
  registry: string;
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
}

export interface PodPlan {
  uid: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  restartPolicy: RestartPolicy;
  activeDeadlineSeconds?: number;
  terminationGracePeriodSeconds: number;
  hostname: string;
  subdomain?: string;
  hostAliases: Array<{ ip: string; hostnames: string[] }>;
  dns: {
    nameservers: string[];
    searches: string[];
    options: Array<{ name: string; value?: string }>;
    /** Kubernetes dnsPolicy (default ClusterFirst). `None` means only `dnsConfig` applies. */
    policy?: "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None";
  };
  /** `<subdomain>.<namespace>.svc.<cluster domain>` when a subdomain is set. */
  domainname?: string;
  /** Containers of the pod share one PID namespace. */
  shareProcessNamespace?: boolean;
  /** Init containers (kind init or sidecar) in order, then regular containers in order. */
  initContainers: ContainerPlan[];
  containers: ContainerPlan[];
  volumes: VolumePlan[];
  files: MaterializedFile[];
  /** Directories to create before the files (volume roots, nested item dirs, subPath dirs), parents first. */
  directories?: DirectoryPlan[];
  imagePullSecrets: RegistryAuth[];
  /** Things the translator understood but does not apply: never silently dropped. */
  warnings: TranslationIssue[];
}
