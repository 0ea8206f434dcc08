/**
 * The Docker Engine API (v1.41+) ContainerCreate body, as far as the translator fills it. Structurally
 * compatible with `ContainerCreateBody` of `@ild/dind-pool` (which this package does not depend on).
 */

export interface DockerMount {
  Type: "bind" | "volume" | "tmpfs";
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface DockerDeviceRequest {
  Driver: string;
  DeviceIDs: string[];
  Capabilities: string[][];
  Options: Record<string, string>;
}

export interface DockerDeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface DockerHostConfig {
  NetworkMode: string;
  IpcMode?: string;
  PidMode?: string;
  Mounts: DockerMount[];
  RestartPolicy: { Name: "no" };
  AutoRemove: false;
  NanoCpus?: number;
  CpuShares?: number;
  Memory?: number;
  MemoryReservation?: number;
  CapAdd?: string[];
  CapDrop?: string[];
  SecurityOpt?: string[];
  ReadonlyRootfs?: boolean;
  GroupAdd?: string[];
  Sysctls?: Record<string, string>;
  DeviceRequests?: DockerDeviceRequest[];
  Devices?: DockerDeviceMapping[];
  DeviceCgroupRules?: string[];
  /** `[]`: no masked /proc paths (the API form of the CLI's `systempaths=unconfined`). */
  MaskedPaths?: string[];
  /** `[]`: no read-only /proc paths (the API form of the CLI's `systempaths=unconfined`). */
  ReadonlyPaths?: string[];
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
  ExtraHosts?: string[];
  [key: string]: unknown;
}

export interface DockerContainerCreateBody {
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  Hostname?: string;
  Domainname?: string;
  /** Informational only (never published); left out with a `container:` network mode, which refuses it. */
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
  StopTimeout?: number;
  HostConfig?: DockerHostConfig;
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> };
  [key: string]: unknown;
}
