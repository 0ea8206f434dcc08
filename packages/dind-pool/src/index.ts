export type { Frame } from "./docker/demux.js";
export {
  demuxBuffer,
  demuxLogBuffer,
  demuxLogStream,
  demuxStream,
  FrameDecoder,
  LogLineSplitter,
} from "./docker/demux.js";
export type {
  CallOptions,
  ContainerCreateBody,
  ContainerInspect,
  ContainerState,
  ContainerSummary,
  DockerClient,
  DockerEvent,
  EngineVersion,
  EventFilter,
  ExecResult,
  ImageInspect,
  LogLine,
  LogOptions,
  NetworkCreateBody,
  PullProgress,
  RegistryCredentials,
} from "./docker/docker-client.js";
export {
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerProtocolError,
  DockerStreamError,
  DockerUnavailableError,
} from "./docker/docker-errors.js";
export type { CreateDockerClientOptions } from "./docker/dockerode-client.js";
export { createDockerClient } from "./docker/dockerode-client.js";
export type { ProgressEvent } from "./docker/follow-progress.js";
export { followProgress } from "./docker/follow-progress.js";
export { JsonLineSplitter, parseJsonLine, readJsonLines } from "./docker/json-lines.js";
export type {
  EndpointSource,
  ResolvedDockerEndpoint,
  TcpDockerEndpoint,
  UnixDockerEndpoint,
} from "./docker/resolve-docker-endpoint.js";
export {
  defaultDockerSocket,
  InvalidDockerEndpointError,
  resolveDockerEndpoint,
} from "./docker/resolve-docker-endpoint.js";
export { isAbortError, toDockerError } from "./docker/to-docker-error.js";
export type { DindStartPhase } from "./errors.js";
export {
  DindSecurityProbeError,
  DindStartError,
  EgressSetupError,
  HostMountError,
  ImageDeliveryError,
  InvalidEgressError,
  InvalidPoolOptionsError,
  PoolClosedError,
  PoolExhaustedError,
} from "./errors.js";
export type { MountEntry } from "./host/host-mounts.js";
export {
  bindMount,
  ensureSharedMount,
  mountsBelow,
  parseMountInfo,
  removeTree,
  unmountBelow,
} from "./host/host-mounts.js";
export { ImageDoesNotFitError } from "./image-errors.js";
export type { DindRole, LeaseStateLabel } from "./labels.js";
export { labelKeys, managedByValue, poolFilter } from "./labels.js";
export { createDindPool } from "./pool/create-dind-pool.js";
export type { DindSecurityOptions, ResolvedSecurityMode } from "./pool/dind-security.js";
export {
  dindSeccompDeniedSyscalls,
  dockerDefaultCapabilities,
  hardenedCapabilities,
  securityHostConfig,
} from "./pool/dind-security.js";
export type { DindEgressSpec, IpFamily, SavedFilter } from "./pool/egress-rules.js";
export {
  bridgeInterface,
  egressChainName,
  parseFilterSave,
  renderDindEgress,
  renderEgressRemoval,
  validateEgressCidrs,
} from "./pool/egress-rules.js";
export type { HostFirewall } from "./pool/host-firewall.js";
export { createIptablesFirewall } from "./pool/host-firewall.js";
export type {
  AcquireOptions,
  DindDevices,
  DindLease,
  DindPool,
  DindPoolOptions,
  DindResources,
  DindSecurityMode,
  DockerEndpointOptions,
  PoolEvent,
  PoolStats,
  ReconcileReport,
} from "./pool-types.js";
