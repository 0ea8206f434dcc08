/**
 * OUR narrow view of a Docker engine: what the pool and the pod runner need, nothing more.
 * `dockerode-client.ts` is the only implementation over dockerode (the only file importing it);
 * `@ild/dind-pool/testing` has a fake. Bodies are Docker Engine API JSON (PascalCase), passed through.
 */
import type { Readable } from "node:stream";

export interface CallOptions {
  signal?: AbortSignal;
}

/** Docker Engine API `ContainerCreate` body (Config + HostConfig + NetworkingConfig). */
export interface ContainerCreateBody {
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  Tty?: boolean;
  OpenStdin?: boolean;
  Hostname?: string;
  Domainname?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
  StopTimeout?: number;
  HostConfig?: Record<string, unknown>;
  NetworkingConfig?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ContainerSummary {
  id: string;
  names: string[];
  image: string;
  state: string;
  status: string;
  labels: Record<string, string>;
  created: number;
}

export interface ContainerState {
  status: "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead" | string;
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  error: string;
  startedAt?: string;
  finishedAt?: string;
  pid: number;
}

export interface ContainerInspect {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  state: ContainerState;
  restartCount: number;
  /** Network name → IP address. */
  networks: Record<string, { ipAddress: string; networkId: string }>;
  /** Raw inspect JSON for anything not mapped above. */
  raw: Record<string, unknown>;
}

export interface ImageInspect {
  id: string;
  repoTags: string[];
  size: number;
  entrypoint?: string[] | null;
  cmd?: string[] | null;
  user?: string;
  workingDir?: string;
  env?: string[];
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when `maxOutputBytes` cut stdout or stderr (the rest was read and dropped). */
  truncated?: boolean;
}

export interface ExecOptions extends CallOptions {
  user?: string;
  env?: string[];
  workingDir?: string;
  /**
   * Keep at most this many bytes of stdout and of stderr each (exec probes: the kubelet's 10 KiB);
   * the rest is read and dropped, so memory stays bounded whatever the command prints. Unset: all.
   */
  maxOutputBytes?: number;
}

export interface LogLine {
  stream: "stdout" | "stderr";
  /** RFC3339Nano timestamp from the engine when `timestamps` was asked, else undefined. */
  timestamp?: string;
  /** The line's bytes including its trailing newline when it had one. */
  data: Buffer;
}

export interface LogOptions extends CallOptions {
  stdout?: boolean;
  stderr?: boolean;
  timestamps?: boolean;
  /** Number of lines from the end, or "all". */
  tail?: number | "all";
  /** Unix seconds (may be fractional). */
  since?: number;
  until?: number;
}

export interface DockerEvent {
  type: string;
  action: string;
  id: string;
  attributes: Record<string, string>;
  /** Nanoseconds since the epoch. */
  timeNano: number;
}

export interface EventFilter {
  type?: string[];
  label?: string[];
  event?: string[];
  container?: string[];
}

export interface PullProgress {
  status?: string;
  id?: string;
  progress?: string;
}

export interface RegistryCredentials {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
  serveraddress?: string;
}

export interface NetworkCreateBody {
  Name: string;
  Driver?: string;
  Internal?: boolean;
  Labels?: Record<string, string>;
  Options?: Record<string, string>;
  IPAM?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface EngineVersion {
  version: string;
  apiVersion: string;
  minApiVersion?: string;
  os: string;
  arch: string;
}

export interface DockerClient {
  /** A human-readable name of the endpoint (e.g. `unix:///var/run/docker.sock`). */
  readonly endpoint: string;

  ping(options?: CallOptions): Promise<void>;
  version(options?: CallOptions): Promise<EngineVersion>;
  info(options?: CallOptions): Promise<Record<string, unknown>>;

  /** Returns the new container's id. 409 name conflicts → DockerConflictError. */
  createContainer(
    name: string | undefined,
    body: ContainerCreateBody,
    options?: CallOptions,
  ): Promise<string>;
  /** 304 (already started) is success. */
  startContainer(id: string, options?: CallOptions): Promise<void>;
  /** 304 (already stopped) and 404 are success. `timeoutSeconds` before SIGKILL. */
  stopContainer(id: string, timeoutSeconds: number, options?: CallOptions): Promise<void>;
  killContainer(id: string, signal: string, options?: CallOptions): Promise<void>;
  /** force + volumes; 404 is success; 409 "removal in progress" waits until gone. */
  removeContainer(id: string, options?: CallOptions): Promise<void>;
  /** 404 → DockerNotFoundError. */
  inspectContainer(id: string, options?: CallOptions): Promise<ContainerInspect>;
  listContainers(
    filters: { label?: string[]; name?: string[]; all?: boolean },
    options?: CallOptions,
  ): Promise<ContainerSummary[]>;
  /** Blocks until the container is not running; returns the exit code. */
  waitContainer(id: string, options?: CallOptions): Promise<number>;
  updateContainer(id: string, resources: Record<string, unknown>, options?: CallOptions): Promise<void>;

  /** Runs argv in the container (no shell), demuxed output, exit code from exec inspect. */
  exec(id: string, argv: string[], options?: ExecOptions): Promise<ExecResult>;

  /** Non-follow logs, demuxed into lines in engine order (the whole log in memory: small logs only). */
  readLogs(id: string, options?: LogOptions): Promise<LogLine[]>;
  /**
   * Non-follow logs as a stream of lines, read from the engine as they are consumed: memory stays
   * bounded whatever the log's size. Ends at the log's end, when the signal aborts or the reader stops.
   */
  streamLogs(id: string, options: LogOptions & { signal: AbortSignal }): AsyncIterable<LogLine>;
  /** Follow logs until the container stops or the signal aborts (required: it owns the stream). */
  followLogs(id: string, options: LogOptions & { signal: AbortSignal }): AsyncIterable<LogLine>;

  /**
   * NDJSON events split on line boundaries; ends when the signal aborts. A stream that ends or
   * breaks (daemon restart) is reopened from the last event's time after `reconnectDelayMs`.
   */
  events(
    filter: EventFilter,
    options: { signal: AbortSignal; since?: number; reconnectDelayMs?: number },
  ): AsyncIterable<DockerEvent>;

  inspectImage(reference: string, options?: CallOptions): Promise<ImageInspect | undefined>;
  /** Resolves when the pull has finished; rejects on the first in-band error line. */
  pullImage(
    reference: string,
    options?: CallOptions & { auth?: RegistryCredentials; onProgress?: (event: PullProgress) => void },
  ): Promise<void>;
  /** `docker save` of one or more images as a tar stream. */
  saveImages(references: string[], options?: CallOptions): Promise<Readable>;
  /** `docker load` of a tar stream; resolves once loaded. */
  loadImages(tar: Readable, options?: CallOptions): Promise<void>;
  removeImage(reference: string, options?: CallOptions): Promise<void>;

  createNetwork(body: NetworkCreateBody, options?: CallOptions): Promise<string>;
  /** 404 is success. */
  removeNetwork(idOrName: string, options?: CallOptions): Promise<void>;
  listNetworks(
    filters: { label?: string[]; name?: string[] },
    options?: CallOptions,
  ): Promise<Array<{ id: string; name: string; labels: Record<string, string> }>>;
  connectNetwork(
    network: string,
    containerId: string,
    endpoint?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<void>;

  /**
   * `driverOptions` go to the local driver as `DriverOpts`, e.g. `{ type: "tmpfs", device: "tmpfs", o: "size=64m" }`
   * for a memory-backed volume.
   */
  createVolume(
    name: string,
    labels: Record<string, string>,
    options?: CallOptions & { driverOptions?: Record<string, string> },
  ): Promise<void>;
  /** 404 is success. */
  removeVolume(name: string, options?: CallOptions): Promise<void>;
  listVolumes(
    filters: { label?: string[] },
    options?: CallOptions,
  ): Promise<Array<{ name: string; labels: Record<string, string> }>>;

  /** Closes sockets and every follow stream still open. */
  close(): Promise<void>;
}
