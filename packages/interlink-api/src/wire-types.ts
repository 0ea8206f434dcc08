/**
 * The interLink plugin wire contract, exactly as interLink (>= 0.5, and 0.4's legacy array) sends and
 * expects it. Field names are the Go JSON tags of interLink's pkg/interlink/types.go. The runtime
 * schemas in ./schemas validate these shapes; these types are the contract the other packages use.
 */
import type { ConfigMap, ContainerStatus, Pod, Secret } from "kubernetes-types/core/v1.js";

export type { ConfigMap, ContainerStatus, Pod, Secret };

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
