/**
 * The interLink plugin wire contract, exactly as interLink (>= 0.5, and 0.4's legacy array) sends and
 * expects it. Field names are the Go JSON tags of interLink's pkg/interlink/types.go. The runtime
 * schemas in ./schemas validate these shapes; these types are the contract the other packages use.
 */
import type {
  ConfigMap,
  Container,
  ContainerStatus,
  Pod,
  PodSpec,
  Secret,
} from "kubernetes-types/core/v1.js";
import type { ObjectMeta } from "kubernetes-types/meta/v1.js";

export type { ConfigMap, Container, ContainerStatus, ObjectMeta, Pod, PodSpec, Secret };

/** One entry of `RetrievedPodData.container`: the data interLink gathered for one container. */
export interface RetrievedContainer {
  name: string;
  /** ConfigMaps this container mounts, keyed by their own metadata.name. `null` when none. */
  configMaps?: ConfigMap[] | null;
  /** One pseudo-ConfigMap per projected/downwardAPI volume, metadata.name = the VOLUME name. */
  projectedvolumemaps?: ConfigMap[] | null;
  /** Secrets mounted as volumes; `data` values are base64. */
  secrets?: Secret[] | null;
  /** Deprecated since interLink 0.3.8, always null. */
  emptyDirs?: string[] | null;
}

/** interLink's ScriptBuildConfig: always present, all-zero unless the JobScriptBuilder path is used. */
export interface JobConfig {
  SingularityHubProxy?: { server?: string; master_token?: string; cache_validity_seconds?: number };
  ApptainerOptions?: Record<string, unknown>;
  Volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Body of POST /create (one object; interLink <= 0.4 sent a one-element array of it). */
export interface RetrievedPodData {
  pod: Pod;
  container: RetrievedContainer[];
  jobConfig?: JobConfig;
  jobScript?: string;
}

/** Answer of POST /create. */
export interface CreateStruct {
  PodUID: string;
  PodJID: string;
}

/** One element of GET /status's answer. */
export interface PodStatus {
  name: string;
  UID: string;
  namespace: string;
  JID?: string;
  /** The host the pod landed on (newer interLink versions read it; older ones ignore it). */
  nodeName?: string;
  containers: ContainerStatus[];
  initContainers?: ContainerStatus[];
}

/** `Opts` of GET /getLogs. Zero values mean "unset"; an unset SinceTime is "0001-01-01T00:00:00Z". */
export interface ContainerLogOpts {
  Tail?: number;
  /** LimitBytes, serialised as `Bytes`. */
  Bytes?: number;
  Timestamps?: boolean;
  Follow?: boolean;
  Previous?: boolean;
  SinceSeconds?: number;
  SinceTime?: string;
}

/** Body of GET /getLogs. */
export interface LogStruct {
  Namespace: string;
  PodUID: string;
  PodName: string;
  ContainerName: string;
  Opts: ContainerLogOpts;
}

export interface PingAccelerator {
  resourceType: string;
  available: string;
}

export interface PingResources {
  cpu?: string;
  memory?: string;
  pods?: string;
  accelerators?: PingAccelerator[];
}

export interface PingTaint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" | string;
}

/** Answer of the ping (GET /status with body `[]`), interLink >= 0.6.2. */
export interface PingResponse {
  status: string;
  resources?: PingResources;
  taints?: PingTaint[];
}

// ---------------------------------------------------------------------------------------------------
// What the parse functions return: the wire objects with the fields ild relies on checked and the
// null lists normalised. Each is assignable to the plain wire type above.

/** The identity every parsed pod has: non-empty name, namespace and uid. */
export interface PodIdentity {
  name: string;
  namespace: string;
  uid: string;
}

/** A pod from /create: identity checked, `spec.containers` always a list, each with a name and an image. */
export type ValidatedPod = Pod & {
  metadata: ObjectMeta & PodIdentity;
  spec: PodSpec & { containers: Container[] };
};

/** A pod from /status: identity checked; the spec is checked when present. */
export type StatusPod = Pod & { metadata: ObjectMeta & PodIdentity };

/** The pod of a /delete request: only metadata.uid is guaranteed. */
export type DeletePod = Pod & { metadata: ObjectMeta & { uid: string } };

/** A RetrievedContainer whose null lists became `[]`. */
export interface NormalizedRetrievedContainer extends RetrievedContainer {
  configMaps: ConfigMap[];
  projectedvolumemaps: ConfigMap[];
  secrets: Secret[];
  emptyDirs: string[];
}

/** What parseCreateRequest returns: one RetrievedPodData, whatever form (object or legacy array) arrived. */
export interface NormalizedRetrievedPodData extends RetrievedPodData {
  pod: ValidatedPod;
  container: NormalizedRetrievedContainer[];
}

/** A /getLogs request in friendly form: zero values ("unset") became undefined, SinceTime a Date. */
export interface LogRequest {
  namespace: string;
  podUID: string;
  podName: string;
  containerName: string;
  /** Last N lines; undefined = all. */
  tail?: number;
  /** At most N bytes (LimitBytes, `Bytes` on the wire); undefined = no limit. */
  limitBytes?: number;
  timestamps: boolean;
  follow: boolean;
  previous: boolean;
  sinceSeconds?: number;
  sinceTime?: Date;
  /** The LogStruct as received (unknown fields kept). */
  raw: LogStruct;
}
