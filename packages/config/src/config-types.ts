/**
 * The resolved ild configuration: what loadConfig returns (deeply frozen). Paths, sizes and durations are
 * already converted (absolute paths, bytes, milliseconds). The sidecar, the pool and the runner read this.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type DindSecurityMode = "auto" | "hardened" | "privileged" | "capabilities";
export type DindStorage = "tmpfs" | "volume";
export type EngineKind = "dind" | "host";
/** `allow`: privileged containers run privileged inside their own DIND (the DIND capability set). */
export type PrivilegedPolicy = "deny" | "allow";
/** Pod Security Standards level (@ild/pod-translator's policy layer). */
export type PolicyLevel = "baseline" | "restricted" | "privileged";

/** TLS for a tcp:// Docker endpoint: PEM file paths (or inline PEM). */
export interface DockerTlsConfig {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Verify the engine's certificate against `ca`. */
  readonly verify: boolean;
}

/** The host Docker engine. Compatible with @ild/dind-pool's DockerEndpointOptions. */
export interface DockerEndpointConfig {
  /** `unix:///var/run/docker.sock` or `tcp://host:2376`. Unset: DOCKER_HOST, then /var/run/docker.sock. */
  readonly host?: string;
  /** Present when any TLS setting is given. */
  readonly tls?: DockerTlsConfig;
}

export interface DindConfig {
  readonly image: string;
  /** Warm DINDs kept ready (AVAILABLEDINDS). */
  readonly poolSize: number;
  readonly maxConcurrentBuilds: number;
  readonly securityMode: DindSecurityMode;
  /** OCI runtime of the DINDs (`sysbox-runc`, ...); unset = the engine's default. */
  readonly runtime?: string;
  readonly storage: DindStorage;
  /** Size of the tmpfs holding each DIND's /var/lib/docker (storage "tmpfs"). */
  readonly tmpfsSizeBytes: number;
  /** Host folder (on disk) of the seed store and the image cache (absolute; `<dataRoot>/image-store`). */
  readonly imageStore: string;
  /** Disk budget of the image cache in bytes (least recently used tars evicted). */
  readonly imageCacheSizeBytes: number;
  /** CPU limit of each DIND (fractional CPUs); unset = no limit. */
  readonly cpus?: number;
  /** Memory limit of each DIND in bytes; unset = no limit. */
  readonly memoryBytes?: number;
  readonly readyTimeoutMs: number;
  readonly acquireTimeoutMs: number;
  readonly preloadImages: readonly string[];
  /** Host folder under which each DIND gets its socket directory (absolute). */
  readonly socketRoot: string;
}

export interface EngineConfig {
  /** Where pods run unless they ask otherwise. */
  readonly default: EngineKind;
  /** Whether a pod annotation may choose the engine. */
  readonly allowPodOverride: boolean;
}

export interface GpuConfig {
  /** GPUENABLED. */
  readonly enabled: boolean;
  /** FPGAENABLED. */
  readonly fpgaEnabled: boolean;
  /** false when FPGA_DISABLE_BOOKKEEPING=1: FPGAs may be shared by several containers. */
  readonly fpgaBookkeeping: boolean;
  /** Extended resource name → host device paths (e.g. `xilinx.com/fpga` → [`/dev/xclmgmt1`]). */
  readonly devices: Readonly<Record<string, readonly string[]>>;
}

export interface HooksConfig {
  /** Names of the hooks to run, in order. */
  readonly enabled: readonly string[];
}

export interface PolicyConfig {
  /** The level every pod is checked against (default `baseline`). */
  readonly level: PolicyLevel;
  /** What a container asking for `privileged: true` gets: refused, or privileged inside its own DIND. */
  readonly privileged: PrivilegedPolicy;
  /** Host paths (absolute prefixes) that hostPath volumes may use; empty = none allowed. */
  readonly hostPathAllowList: readonly string[];
  /** CIDRs pods may reach; empty = egress is not filtered. */
  readonly egressAllowCidrs: readonly string[];
}

export interface ServerConfig {
  /** TCP listen address (ignored when `socket` is set). */
  readonly host: string;
  /** TCP listen port (SidecarPort). */
  readonly port: number;
  /** Unix socket path (from `Socket: unix:///path`); when set, no TCP listener. */
  readonly socket?: string;
  /** File mode of the unix socket, e.g. 0o660. */
  readonly socketMode: number;
  /** Bearer token required on every request; never logged. */
  readonly authToken?: string;
  /** File holding the bearer token (read by the sidecar). */
  readonly authTokenFile?: string;
  readonly bodyLimitBytes: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** Creates that run at once; more wait (FIFO) in a queue of `maxQueuedCreates`. */
  readonly maxConcurrentCreates: number;
  /** Creates that may wait for a slot; past it they are answered 429 with Retry-After. */
  readonly maxQueuedCreates: number;
  /** Open client connections; a request past it is answered 503 with Retry-After. */
  readonly maxConnections: number;
  /** Retry-After of those answers. */
  readonly retryAfterSeconds: number;
}

export interface LoggingConfig {
  readonly level: LogLevel;
}

export interface MetricsConfig {
  readonly enabled: boolean;
}

export interface TracingConfig {
  /** ENABLE_TRACING=1. */
  readonly enabled: boolean;
  /** OTLP/gRPC collector (TELEMETRY_ENDPOINT). */
  readonly endpoint: string;
  /** Service name suffix `Plugin-<id>` (TELEMETRY_UNIQUE_ID); unset = random per start. */
  readonly uniqueId?: string;
  readonly caCertFile?: string;
  readonly clientCertFile?: string;
  readonly clientKeyFile?: string;
}

/** Reference-plugin keys that ild reads but does not act on (interLink's side of a shared file). */
export interface ReferenceConfig {
  readonly interlinkUrl?: string;
  readonly interlinkPort?: string;
  readonly sidecarUrl?: string;
  readonly exportPodData: boolean;
  readonly serviceAccount?: string;
  readonly namespace?: string;
  readonly vkConfigPath?: string;
  readonly vkTokenFile?: string;
  readonly podIp?: string;
}

export interface IldConfig {
  readonly docker: DockerEndpointConfig;
  readonly dind: DindConfig;
  readonly engine: EngineConfig;
  readonly gpu: GpuConfig;
  readonly hooks: HooksConfig;
  readonly policy: PolicyConfig;
  readonly server: ServerConfig;
  /** Root of per-pod files (absolute; DataRootFolder). */
  readonly dataRoot: string;
  /** Root of runtime files kept on tmpfs: secrets, sockets (absolute). */
  readonly runRoot: string;
  readonly logging: LoggingConfig;
  readonly metrics: MetricsConfig;
  readonly tracing: TracingConfig;
  readonly reference: ReferenceConfig;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/**
 * Explicit settings (highest precedence), in the same shape and units as the YAML `Ild:` block:
 * e.g. `{ server: { port: 4100 }, dind: { tmpfsSize: "2g", poolSize: 1 } }`.
 */
export interface ConfigOverrides {
  docker?: { host?: string; tls?: { ca?: string; cert?: string; key?: string; verify?: boolean | string } };
  dind?: {
    image?: string;
    poolSize?: number | string;
    maxConcurrentBuilds?: number | string;
    securityMode?: DindSecurityMode;
    runtime?: string;
    storage?: DindStorage;
    tmpfsSize?: number | string;
    imageStore?: string;
    imageCacheSize?: number | string;
    cpus?: number | string;
    memory?: number | string;
    readyTimeoutMs?: number | string;
    acquireTimeoutMs?: number | string;
    preloadImages?: readonly string[];
    socketRoot?: string;
  };
  engine?: DeepPartial<EngineConfig>;
  gpu?: {
    enabled?: boolean;
    fpgaEnabled?: boolean;
    fpgaBookkeeping?: boolean;
    devices?: Record<string, readonly string[]>;
  };
  hooks?: { enabled?: readonly string[] };
  policy?: {
    level?: PolicyLevel;
    /** `capabilities` is the old name of `allow`. */
    privileged?: PrivilegedPolicy | "capabilities";
    hostPathAllowList?: readonly string[];
    egressAllowCidrs?: readonly string[];
  };
  server?: {
    host?: string;
    port?: number | string;
    socket?: string;
    socketMode?: number | string;
    authToken?: string;
    authTokenFile?: string;
    bodyLimitBytes?: number | string;
    headersTimeoutMs?: number | string;
    requestTimeoutMs?: number | string;
    idleTimeoutMs?: number | string;
    maxConcurrentCreates?: number | string;
    maxQueuedCreates?: number | string;
    maxConnections?: number | string;
    retryAfterSeconds?: number | string;
  };
  dataRoot?: string;
  runRoot?: string;
  logging?: { level?: LogLevel };
  metrics?: { enabled?: boolean };
  tracing?: Partial<Omit<TracingConfig, "enabled">> & { enabled?: boolean };
}
