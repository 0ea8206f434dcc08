import type { DockerClient } from "./docker/docker-client.js";

/**
 * `auto` (default) = `hardened`: the smallest capability set the inner engine needs, default device
 * cgroup, masked /proc paths. `capabilities` (every capability but SYS_RESOURCE, all devices) and
 * `privileged` are explicit opt-ins that make a DIND's root the host's root.
 */
export type DindSecurityMode = "auto" | "hardened" | "privileged" | "capabilities";

export interface DockerEndpointOptions {
  /** `unix:///path`, `tcp://host:port`. Unset: DOCKER_HOST, then /var/run/docker.sock. */
  host?: string;
  tls?: { ca?: string; cert?: string; key?: string; verify?: boolean };
}

export interface DindResources {
  nanoCpus?: number;
  memoryBytes?: number;
}

/** A Docker DeviceRequest / device mapping the DIND container itself needs (GPUs). */
export interface DindDevices {
  deviceRequests?: Array<{
    Driver?: string;
    DeviceIDs?: string[];
    Capabilities: string[][];
    Options?: Record<string, string>;
  }>;
  devices?: Array<{ PathOnHost: string; PathInContainer: string; CgroupPermissions: string }>;
  /** Driver files (NVIDIA libraries, nvidia-smi) bind-mounted read-only at the same path inside. */
  mounts?: Array<{ Type: "bind"; Source: string; Target: string; ReadOnly: true }>;
  groupAdd?: string[];
  env?: string[];
}

export interface DindPoolOptions {
  /** The host engine: a DockerClient, or endpoint options to build the dockerode one. */
  docker: DockerClient | DockerEndpointOptions;
  /** Scopes every label: two pools with different ids never touch each other's DINDs. */
  poolId: string;
  /** Warm DINDs kept ready (AVAILABLEDINDS). */
  size: number;
  image: string;
  /** Host folder under which each DIND gets its own socket directory. */
  socketRoot: string;
  securityMode?: DindSecurityMode;
  /** OCI runtime of every DIND (`HostConfig.Runtime`, e.g. `sysbox-runc`); unset = the engine's default. */
  runtime?: string;
  /**
   * Pods may run privileged inside their DIND (policy `privileged: allow`): DINDs get every
   * capability but SYS_RESOURCE and /dev/fuse (never a wildcard device rule). Default false.
   */
  allowPrivilegedPods?: boolean;
  /**
   * Inner dockerd with `--userns-remap` (inner root = uid 100000 of the DIND). Docker then refuses the
   * host network namespace for inner containers, which the pod runner uses: for other callers only.
   */
  userNamespaceRemap?: boolean;
  /**
   * Each DIND's /var/lib/docker: a tmpfs (default; fast, but images and container layers live in RAM,
   * up to `sizeBytes`, default 8 GiB) or a Docker volume of its own on the host engine's disk (big
   * images without RAM cost). A volume is labelled with its DIND, removed in the background once the
   * DIND is gone (`close()` waits for it), and by `reconcile()` after a crash.
   */
  storage?: { kind: "tmpfs"; sizeBytes?: number } | { kind: "volume" };
  /**
   * Host folder (on a disk, not a tmpfs: images are big) under which the pool keeps its seed store and
   * its image cache, in `<storeRoot>/<poolId>`. Default: `socketRoot`.
   */
  storeRoot?: string;
  /**
   * Budget of the image cache (`docker save` tars of delivered images, least recently used evicted
   * first). Default 20 GiB; 0 = no cache (every delivery streams from the host engine).
   */
  imageCacheMaxBytes?: number;
  maxConcurrentBuilds?: number;
  readyTimeoutMs?: number;
  /** How long acquire waits for a warm DIND before PoolExhaustedError. */
  acquireTimeoutMs?: number;
  /** Host paths bind-mounted into every DIND at the same path (the pod data root). */
  sharedPaths?: Array<{ path: string; readOnly?: boolean }>;
  /**
   * Per-pod paths (absolute; e.g. `<dataRoot>/pods`): each DIND gets its own empty host folder mounted
   * at each of them (rslave), which only its lease fills (`lease.slotFor(path)`). No DIND ever sees
   * another pod's files; a warm DIND sees none. The pool makes `<socketRoot>/<poolId>/slots` a shared
   * mount (the sidecar runs as root).
   */
  podPaths?: string[];
  /** Images made available in every DIND (seed store). */
  preloadImages?: string[];
  /** Extra dockerd flags for the inner engine. */
  innerDaemonArgs?: string[];
  logger?: import("@ild/common").Logger;
  /**
   * DNS resolvers (IPv4, `a.b.c.d` or CIDR) a lease with egress rules may still reach on port 53.
   * Default: the non-loopback nameservers of the host's /etc/resolv.conf.
   */
  dnsServers?: string[];
  /**
   * Extra labels on everything the pool creates (containers, networks, volumes); the pool's own
   * `io.ild.*` keys always win.
   */
  labels?: Record<string, string>;
  /** Run `reconcile()` before warming (default true): adopt leased DINDs, remove leftovers. */
  reconcileOnStart?: boolean;
  /**
   * How to reach an inner engine from the host path of its socket. Default: the dockerode client
   * over that socket. Tests pass in-memory clients (`FakeDockerClient` of `@ild/dind-pool/testing`).
   */
  connectInner?: (socketPath: string) => DockerClient;
  /**
   * Where egress rules go: the host's iptables-nft by default (the sidecar runs as root in the
   * host's network namespace, beside the engine). Tests may pass their own.
   */
  firewall?: import("./pool/host-firewall.js").HostFirewall;
}

export interface AcquireOptions {
  podUid: string;
  signal?: AbortSignal;
  labels?: Record<string, string>;
  resources?: DindResources;
  /** A DIND with devices cannot come from the warm pool: it is built for this lease. */
  devices?: DindDevices;
  /**
   * Allowed egress CIDRs (IPv4), enforced on the host for the DIND's own bridge before the lease
   * is handed out (and re-applied when a restarted pool adopts it); unset = no egress rules.
   */
  egress?: { allowCidrs: string[] };
}

export interface DindLease {
  readonly podUid: string;
  /** The DIND container's id on the host engine. */
  readonly containerId: string;
  readonly containerName: string;
  /** The DIND's IP on its own network: the pod IP. */
  readonly ip: string;
  readonly networkId: string;
  /** Host path of the inner engine's API socket. */
  readonly socketPath: string;
  /** Name of the DIND's dedicated network on the host engine. */
  readonly networkName?: string;
  /** True when the lease was re-adopted by `reconcile()` after a restart. */
  readonly adopted?: boolean;
  /** Client for the inner engine. */
  readonly docker: DockerClient;
  /**
   * The host folder that appears at `path` (one of the pool's `podPaths`) inside this DIND and only
   * inside it: bind the pod's own folders below it. Undefined for a path the pool was not given.
   */
  slotFor(path: string): string | undefined;
  /** Makes these images (present on the host engine) available in the inner engine. */
  deliverImages(references: string[], options?: { signal?: AbortSignal }): Promise<void>;
  /** Replaces the DIND's egress rules on the host (`undefined` lifts them). */
  setEgress(allowCidrs: string[] | undefined, options?: { signal?: AbortSignal }): Promise<void>;
  /** Destroys the DIND with its network and volumes; idempotent. */
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface PoolStats {
  size: number;
  warm: number;
  leased: number;
  building: number;
  failed: number;
  waiting: number;
  /** Boot durations (create → inner `_ping`) of the DINDs this pool built, in ms. */
  bootMs?: { last: number; average: number; count: number };
}

export type PoolEvent =
  | { type: "dind-building"; containerName: string }
  | { type: "dind-ready"; containerId: string; bootMs: number }
  | { type: "dind-failed"; error: Error }
  | { type: "dind-leased"; containerId: string; podUid: string; waitMs: number }
  | { type: "dind-released"; containerId: string; podUid: string }
  | { type: "pool-warm"; warm: number; size: number }
  /** A new DIND's preloaded images checked: those it had from the seed store, those streamed. */
  | { type: "dind-preloaded"; containerName: string; seeded: string[]; streamed: string[]; ms: number };

export interface ReconcileReport {
  adopted: Array<{ podUid: string; containerId: string }>;
  removed: string[];
  /** Leased DINDs found stopped (dockerd restart, reboot): removed, their pods' engines are gone. */
  lost?: Array<{ podUid: string; containerId: string }>;
}

export interface DindPool {
  /** Engine version, chosen endpoint and security mode, once started. */
  readonly info: Promise<{
    endpoint: string;
    engineVersion: string;
    securityMode: "hardened" | "privileged" | "capabilities";
  }>;
  stats(): PoolStats;
  /** Resolves when `size` DINDs are warm (or rejects on a persistent build failure). */
  whenWarm(options?: { signal?: AbortSignal }): Promise<void>;
  acquire(options: AcquireOptions): Promise<DindLease>;
  /** A lease that survived a restart (re-adopted by reconcile), by pod UID. */
  findLease(podUid: string): DindLease | undefined;
  leases(): DindLease[];
  /** Finds this pool's DINDs after a crash: adopts leased ones, removes half-built/orphaned ones. */
  reconcile(options?: { signal?: AbortSignal }): Promise<ReconcileReport>;
  on(listener: (event: PoolEvent) => void): () => void;
  /** Stops building, destroys warm (unleased) DINDs, leaves leased ones running. Idempotent. */
  close(): Promise<void>;
}
