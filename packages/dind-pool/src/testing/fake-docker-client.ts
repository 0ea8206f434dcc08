/**
 * An in-memory `DockerClient` for logic and scale tests (thousands of containers, no engine):
 * containers with a state machine, exec answered by a handler, logs, events, images, networks and
 * volumes, with the real adapter's benign-status semantics (304/404 are success where the adapter
 * says so) and injectable failures and latency. A container whose whole command is `true` or
 * `false` exits at once with 0 or 1; others run until `exit()`, stop, kill or remove.
 * Use it in addition to real-engine tests.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type {
  CallOptions,
  ContainerCreateBody,
  ContainerInspect,
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
} from "../docker/docker-client.js";
import {
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerStreamError,
} from "../docker/docker-errors.js";

export interface FakeDockerContainer {
  id: string;
  name: string;
  body: ContainerCreateBody;
  labels: Record<string, string>;
  status: "created" | "running" | "exited";
  exitCode: number;
  resources: Record<string, unknown>;
  logs: LogLine[];
  createdAt: number;
  ipAddress: string;
}

export interface FakeDockerClientOptions {
  endpoint?: string;
  /** Images present at start. */
  images?: string[];
  /** Answers `exec`; default: exit 0, no output. */
  execHandler?: (container: FakeDockerContainer, argv: string[]) => ExecResult | Promise<ExecResult>;
  /** Called when a container starts (e.g. to add log lines or let it exit). */
  onStart?: (container: FakeDockerContainer) => void | Promise<void>;
  /** Delay before every call, in ms (a slow engine). */
  latencyMs?: number;
  /** Storage driver `info` reports (default `overlay2`). */
  storageDriver?: string;
}

function labelMatch(labels: Record<string, string>, filters: string[] | undefined): boolean {
  return (filters ?? []).every((filter) => {
    const index = filter.indexOf("=");
    return index === -1 ? filter in labels : labels[filter.slice(0, index)] === filter.slice(index + 1);
  });
}

export class FakeDockerClient implements DockerClient {
  readonly endpoint: string;
  readonly containers = new Map<string, FakeDockerContainer>();
  readonly images = new Set<string>();
  readonly networks = new Map<string, { id: string; name: string; labels: Record<string, string> }>();
  readonly volumes = new Map<string, { name: string; labels: Record<string, string> }>();
  /** Every call, by operation name, in order. */
  readonly calls: string[] = [];
  closed = false;
  private readonly failures = new Map<string, Error[]>();
  private readonly eventListeners = new Set<(event: DockerEvent) => void>();
  private readonly exitWaiters = new Map<string, Array<(code: number) => void>>();
  private nextIp = 2;

  constructor(private readonly options: FakeDockerClientOptions = {}) {
    this.endpoint = options.endpoint ?? "fake://docker";
    for (const image of options.images ?? []) {
      this.images.add(image);
    }
  }

  /** The next call of `operation` (e.g. `createContainer`) rejects with `error`. */
  failNext(
    operation: keyof DockerClient,
    error: Error = new DockerError(operation, "injected failure"),
  ): void {
    const queue = this.failures.get(operation) ?? [];
    queue.push(error);
    this.failures.set(operation, queue);
  }

  /** Makes a running container exit (as if its main process ended). */
  exit(idOrName: string, exitCode = 0): void {
    const container = this.find(idOrName);
    if (container.status !== "running") {
      return;
    }
    container.status = "exited";
    container.exitCode = exitCode;
    this.emit("container", "die", container);
    for (const resolve of this.exitWaiters.get(container.id) ?? []) {
      resolve(exitCode);
    }
    this.exitWaiters.delete(container.id);
  }

  private async enter(operation: string, options?: CallOptions): Promise<void> {
    this.calls.push(operation);
    options?.signal?.throwIfAborted();
    if (this.options.latencyMs) {
      await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
      options?.signal?.throwIfAborted();
    }
    const queue = this.failures.get(operation);
    const error = queue?.shift();
    if (error !== undefined) {
      throw error;
    }
  }

  private find(idOrName: string): FakeDockerContainer {
    const container =
      this.containers.get(idOrName) ??
      [...this.containers.values()].find(
        (candidate) =>
          candidate.name === idOrName || (idOrName.length >= 12 && candidate.id.startsWith(idOrName)),
      );
    if (container === undefined) {
      throw new DockerNotFoundError("container", `No such container: ${idOrName}`);
    }
    return container;
  }

  private emit(
    type: string,
    action: string,
    container: { id: string; name: string; labels: Record<string, string> },
  ): void {
    const event: DockerEvent = {
      type,
      action,
      id: container.id,
      attributes: { ...container.labels, name: container.name },
      timeNano: Date.now() * 1e6,
    };
    for (const listener of this.eventListeners) {
      listener(event);
    }
  }

  async ping(options?: CallOptions): Promise<void> {
    await this.enter("ping", options);
  }

  async version(options?: CallOptions): Promise<EngineVersion> {
    await this.enter("version", options);
    return { version: "0.0.0-fake", apiVersion: "1.41", minApiVersion: "1.12", os: "linux", arch: "amd64" };
  }

  async info(options?: CallOptions): Promise<Record<string, unknown>> {
    await this.enter("info", options);
    return {
      Containers: this.containers.size,
      Images: this.images.size,
      Driver: this.options.storageDriver ?? "overlay2",
    };
  }

  async createContainer(
    name: string | undefined,
    body: ContainerCreateBody,
    options?: CallOptions,
  ): Promise<string> {
    await this.enter("createContainer", options);
    const containerName = name ?? `fake_${randomBytes(4).toString("hex")}`;
    if ([...this.containers.values()].some((container) => container.name === containerName)) {
      throw new DockerConflictError(
        "container.create",
        `Conflict. The container name "/${containerName}" is already in use`,
      );
    }
    if (!this.images.has(body.Image)) {
      throw new DockerNotFoundError("container.create", `No such image: ${body.Image}`);
    }
    const id = randomBytes(32).toString("hex");
    const container: FakeDockerContainer = {
      id,
      name: containerName,
      body,
      labels: { ...(body.Labels ?? {}) },
      status: "created",
      exitCode: 0,
      resources: {},
      logs: [],
      createdAt: Date.now(),
      ipAddress: `10.99.${Math.floor(this.nextIp / 250)}.${(this.nextIp % 250) + 2}`,
    };
    this.nextIp++;
    this.containers.set(id, container);
    this.emit("container", "create", container);
    return id;
  }

  async startContainer(id: string, options?: CallOptions): Promise<void> {
    await this.enter("startContainer", options);
    const container = this.find(id);
    if (container.status === "running") {
      return; // 304
    }
    container.status = "running";
    this.emit("container", "start", container);
    // `true` / `false` as the whole command exit at once (probes, one-shot checks)
    const command = [...(container.body.Entrypoint ?? []), ...(container.body.Cmd ?? [])];
    if (command.length === 1 && (command[0] === "true" || command[0] === "false")) {
      this.exit(container.id, command[0] === "true" ? 0 : 1);
      return;
    }
    await this.options.onStart?.(container);
  }

  async stopContainer(id: string, _timeoutSeconds: number, options?: CallOptions): Promise<void> {
    await this.enter("stopContainer", options);
    if (
      !this.containers.has(id) &&
      ![...this.containers.values()].some((container) => container.name === id)
    ) {
      return; // 404 is success
    }
    this.exit(id, 143);
  }

  async killContainer(id: string, _signal: string, options?: CallOptions): Promise<void> {
    await this.enter("killContainer", options);
    const container = this.find(id);
    if (container.status !== "running") {
      throw new DockerConflictError("container.kill", `Container ${container.id} is not running`);
    }
    this.exit(id, 137);
  }

  async removeContainer(id: string, options?: CallOptions): Promise<void> {
    await this.enter("removeContainer", options);
    let container: FakeDockerContainer;
    try {
      container = this.find(id);
    } catch {
      return; // 404 is success
    }
    this.exit(container.id, 137);
    this.containers.delete(container.id);
    this.emit("container", "destroy", container);
  }

  async inspectContainer(id: string, options?: CallOptions): Promise<ContainerInspect> {
    await this.enter("inspectContainer", options);
    const container = this.find(id);
    const network = String(
      (container.body.HostConfig as { NetworkMode?: string } | undefined)?.NetworkMode ?? "bridge",
    );
    return {
      id: container.id,
      name: container.name,
      image: container.body.Image,
      labels: { ...container.labels },
      state: {
        status: container.status,
        running: container.status === "running",
        exitCode: container.exitCode,
        oomKilled: false,
        error: "",
        pid: container.status === "running" ? 4242 : 0,
      },
      restartCount: 0,
      networks: {
        [network]: { ipAddress: container.ipAddress, networkId: this.networks.get(network)?.id ?? network },
      },
      raw: {
        Id: container.id,
        Config: { ...container.body, Labels: container.labels },
        HostConfig: { ...(container.body.HostConfig ?? {}), ...container.resources },
      },
    };
  }

  async listContainers(
    filters: { label?: string[]; name?: string[]; all?: boolean },
    options?: CallOptions,
  ): Promise<ContainerSummary[]> {
    await this.enter("listContainers", options);
    return [...this.containers.values()]
      .filter((container) => filters.all !== false || container.status === "running")
      .filter((container) => labelMatch(container.labels, filters.label))
      .filter((container) => (filters.name ?? []).every((name) => container.name.includes(name)))
      .map((container) => ({
        id: container.id,
        names: [container.name],
        image: container.body.Image,
        state: container.status,
        status: container.status,
        labels: { ...container.labels },
        created: Math.floor(container.createdAt / 1000),
      }));
  }

  async waitContainer(id: string, options?: CallOptions): Promise<number> {
    await this.enter("waitContainer", options);
    const container = this.find(id);
    if (container.status !== "running") {
      return container.exitCode;
    }
    return new Promise<number>((resolve, reject) => {
      const waiters = this.exitWaiters.get(container.id) ?? [];
      waiters.push(resolve);
      this.exitWaiters.set(container.id, waiters);
      options?.signal?.addEventListener("abort", () => reject(options.signal?.reason), { once: true });
    });
  }

  async updateContainer(
    id: string,
    resources: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<void> {
    await this.enter("updateContainer", options);
    Object.assign(this.find(id).resources, resources);
  }

  async exec(id: string, argv: string[], options?: CallOptions): Promise<ExecResult> {
    await this.enter("exec", options);
    const container = this.find(id);
    if (container.status !== "running") {
      throw new DockerConflictError("exec.create", `Container ${container.id} is not running`);
    }
    return (await this.options.execHandler?.(container, argv)) ?? { exitCode: 0, stdout: "", stderr: "" };
  }

  async readLogs(id: string, options?: LogOptions): Promise<LogLine[]> {
    await this.enter("readLogs", options);
    const lines = this.find(id).logs.filter((line) =>
      line.stream === "stdout" ? options?.stdout !== false : options?.stderr !== false,
    );
    return typeof options?.tail === "number" ? lines.slice(-options.tail) : lines;
  }

  async *followLogs(id: string, options: LogOptions & { signal: AbortSignal }): AsyncIterable<LogLine> {
    yield* await this.readLogs(id, options);
  }

  async *streamLogs(id: string, options: LogOptions & { signal: AbortSignal }): AsyncIterable<LogLine> {
    yield* await this.readLogs(id, options);
  }

  async *events(
    filter: EventFilter,
    options: { signal: AbortSignal; since?: number },
  ): AsyncIterable<DockerEvent> {
    const queue: DockerEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (event: DockerEvent): void => {
      if (filter.type && !filter.type.includes(event.type)) {
        return;
      }
      if (filter.event && !filter.event.includes(event.action)) {
        return;
      }
      if (!labelMatch(event.attributes, filter.label)) {
        return;
      }
      queue.push(event);
      wake?.();
    };
    this.eventListeners.add(listener);
    const onAbort = (): void => wake?.();
    options.signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!options.signal.aborted) {
        const event = queue.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.eventListeners.delete(listener);
      options.signal.removeEventListener("abort", onAbort);
    }
  }

  async inspectImage(reference: string, options?: CallOptions): Promise<ImageInspect | undefined> {
    await this.enter("inspectImage", options);
    if (!this.images.has(reference)) {
      return undefined;
    }
    return {
      id: `sha256:${Buffer.from(reference).toString("hex").padEnd(64, "0").slice(0, 64)}`,
      repoTags: [reference],
      size: 1,
    };
  }

  async pullImage(reference: string, options?: CallOptions): Promise<void> {
    await this.enter("pullImage", options);
    if (reference.startsWith("missing/")) {
      throw new DockerStreamError("image.pull", "manifest unknown");
    }
    this.images.add(reference.includes(":") ? reference : `${reference}:latest`);
  }

  /** A fake "tar": the image names, one a line (loadImages of another FakeDockerClient reads it). */
  async saveImages(references: string[], options?: CallOptions): Promise<Readable> {
    await this.enter("saveImages", options);
    for (const reference of references) {
      if (!this.images.has(reference)) {
        throw new DockerNotFoundError("image.save", `No such image: ${reference}`);
      }
    }
    return Readable.from([Buffer.from(references.map((reference) => `${reference}\n`).join(""))]);
  }

  async loadImages(tar: Readable, options?: CallOptions): Promise<void> {
    await this.enter("loadImages", options);
    const chunks: Buffer[] = [];
    for await (const chunk of tar) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    }
    for (const line of Buffer.concat(chunks).toString("utf8").split("\n")) {
      if (line.trim() !== "") {
        this.images.add(line.trim());
      }
    }
  }

  async removeImage(reference: string, options?: CallOptions): Promise<void> {
    await this.enter("removeImage", options);
    this.images.delete(reference);
  }

  async createNetwork(body: NetworkCreateBody, options?: CallOptions): Promise<string> {
    await this.enter("createNetwork", options);
    if ([...this.networks.values()].some((network) => network.name === body.Name)) {
      throw new DockerConflictError("network.create", `network with name ${body.Name} already exists`);
    }
    const id = randomBytes(32).toString("hex");
    this.networks.set(id, { id, name: body.Name, labels: { ...(body.Labels ?? {}) } });
    return id;
  }

  async removeNetwork(idOrName: string, options?: CallOptions): Promise<void> {
    await this.enter("removeNetwork", options);
    const network =
      this.networks.get(idOrName) ?? [...this.networks.values()].find((item) => item.name === idOrName);
    if (network !== undefined) {
      this.networks.delete(network.id);
    }
  }

  async listNetworks(
    filters: { label?: string[]; name?: string[] },
    options?: CallOptions,
  ): Promise<Array<{ id: string; name: string; labels: Record<string, string> }>> {
    await this.enter("listNetworks", options);
    return [...this.networks.values()]
      .filter((network) => labelMatch(network.labels, filters.label))
      .filter((network) => (filters.name ?? []).every((name) => network.name.includes(name)))
      .map((network) => ({ ...network, labels: { ...network.labels } }));
  }

  async connectNetwork(
    network: string,
    containerId: string,
    _endpoint?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<void> {
    await this.enter("connectNetwork", options);
    this.find(containerId);
    if (!this.networks.has(network) && ![...this.networks.values()].some((item) => item.name === network)) {
      throw new DockerNotFoundError("network.connect", `network ${network} not found`);
    }
  }

  async createVolume(name: string, labels: Record<string, string>, options?: CallOptions): Promise<void> {
    await this.enter("createVolume", options);
    this.volumes.set(name, { name, labels: { ...labels } });
  }

  async removeVolume(name: string, options?: CallOptions): Promise<void> {
    await this.enter("removeVolume", options);
    this.volumes.delete(name);
  }

  async listVolumes(
    filters: { label?: string[] },
    options?: CallOptions,
  ): Promise<Array<{ name: string; labels: Record<string, string> }>> {
    await this.enter("listVolumes", options);
    return [...this.volumes.values()]
      .filter((volume) => labelMatch(volume.labels, filters.label))
      .map((volume) => ({ ...volume, labels: { ...volume.labels } }));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
