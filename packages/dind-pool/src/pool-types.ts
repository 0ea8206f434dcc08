import type { DockerClient } from "./docker/docker-client.js";

export type DindSecurityMode = "auto" | "privileged" | "capabilities";

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
  storage?: { kind: "tmpfs"; sizeBytes?: number } | { kind: "volume" };
  maxConcurrentBuilds?: number;
  readyTimeoutMs?: number;
  /** How long acquire waits for a warm DIND before PoolExhaustedError. */
  acquireTimeoutMs?: number;
  /** Host paths bind-mounted into every DIND at the same path (the pod data root). */
  sharedPaths?: Array<{ path: string; readOnly?: boolean }>;
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
}

export interface AcquireOptions {
  podUid: string;
  signal?: AbortSignal;
  labels?: Record<string, string>;
  resources?: DindResources;
  /** A DIND with devices cannot come from the warm pool: it is built for this lease. */
  devices?: DindDevices;
  /** Allowed egress CIDRs; unset = no egress rules. */
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
  /** Makes these images (present on the host engine) available in the inner engine. */
  deliverImages(references: string[], options?: { signal?: AbortSignal }): Promise<void>;
  /** Replaces the egress rules inside the DIND's network namespace. */
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
  | { type: "pool-warm"; warm: number; size: number };

export interface ReconcileReport {
  adopted: Array<{ podUid: string; containerId: string }>;
  removed: string[];
}

export interface DindPool {
  /** Engine version, chosen endpoint and security mode, once started. */
  readonly info: Promise<{
    endpoint: string;
    engineVersion: string;
    securityMode: "privileged" | "capabilities";
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
