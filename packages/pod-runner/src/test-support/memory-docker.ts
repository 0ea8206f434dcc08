import { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import type {
  ContainerCreateBody,
  ContainerInspect,
  ContainerSummary,
  DockerClient,
  DockerEvent,
  ExecResult,
  LogLine,
} from "@ild/dind-pool";
import { DockerConflictError } from "@ild/dind-pool";

export interface MemoryContainer {
  id: string;
  name: string;
  body: ContainerCreateBody;
  labels: Record<string, string>;
  status: "created" | "running" | "exited";
  exitCode: number;
  oomKilled: boolean;
  startedAt?: string;
  finishedAt?: string;
  logs: LogLine[];
}

/**
 * An in-memory DockerClient for unit tests: containers run until the test calls `exit()`; `onStart`
 * lets a test decide what a container does. Only what the runner uses is meaningful.
 */
export class MemoryDocker implements DockerClient {
  readonly endpoint = "memory://";
  readonly containers = new Map<string, MemoryContainer>();
  readonly images = new Set<string>(["ild/busybox:1"]);
  readonly networks = new Map<string, { id: string; name: string; labels: Record<string, string> }>();
  readonly volumes = new Map<string, Record<string, string>>();
  readonly calls: string[] = [];
  onStart: (container: MemoryContainer) => void = () => {};
  pullError: string | undefined;
  /** The next create/start of a pod container (not the sandbox) fails with this message. */
  failNext: { create?: string; start?: string } = {};
  private readonly emitter = new EventEmitter();
  private counter = 0;

  exit(id: string, exitCode: number, options: { oomKilled?: boolean } = {}): void {
    const container = this.containers.get(id);
    if (container === undefined || container.status !== "running") {
      return;
    }
    container.status = "exited";
    container.exitCode = exitCode;
    container.oomKilled = options.oomKilled === true;
    container.finishedAt = new Date().toISOString();
    this.emit(container, "die");
    this.emitter.emit(`exit:${id}`);
  }

  byName(name: string): MemoryContainer[] {
    return [...this.containers.values()].filter(
      (container) => container.labels["io.ild.container-name"] === name,
    );
  }

  private emit(container: MemoryContainer, action: string): void {
    const event: DockerEvent = {
      type: "container",
      action,
      id: container.id,
      attributes: { ...container.labels, name: container.name },
      timeNano: Date.now() * 1e6,
    };
    this.emitter.emit("event", event);
  }

  async ping(): Promise<void> {}
  async version() {
    return { version: "memory", apiVersion: "1.41", os: "linux", arch: "amd64" };
  }
  async info() {
    return {};
  }

  async createContainer(name: string | undefined, body: ContainerCreateBody): Promise<string> {
    this.calls.push(`create ${name}`);
    if (this.failNext.create !== undefined && body.Labels?.["io.ild.container-name"] !== undefined) {
      const message = this.failNext.create;
      this.failNext.create = undefined;
      throw new Error(message);
    }
    if ([...this.containers.values()].some((container) => container.name === name)) {
      throw new DockerConflictError("container.create", `name ${name} in use`);
    }
    this.counter += 1;
    const id = `c${String(this.counter).padStart(63, "0")}`;
    this.containers.set(id, {
      id,
      name: name ?? id,
      body,
      labels: body.Labels ?? {},
      status: "created",
      exitCode: 0,
      oomKilled: false,
      logs: [],
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const container = this.containers.get(id);
    if (container === undefined) {
      throw new Error(`no container ${id}`);
    }
    this.calls.push(`start ${container.name}`);
    if (this.failNext.start !== undefined && container.labels["io.ild.container-name"] !== undefined) {
      const message = this.failNext.start;
      this.failNext.start = undefined;
      container.status = "exited";
      container.exitCode = 128;
      throw new Error(message);
    }
    container.status = "running";
    container.startedAt = new Date().toISOString();
    this.emit(container, "start");
    this.onStart(container);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.calls.push(`stop ${this.containers.get(id)?.name} ${timeoutSeconds}`);
    this.exit(id, 143);
  }

  async killContainer(id: string): Promise<void> {
    this.exit(id, 137);
  }

  async removeContainer(id: string): Promise<void> {
    this.calls.push(`remove ${this.containers.get(id)?.name}`);
    this.exit(id, 137);
    this.containers.delete(id);
  }

  async inspectContainer(id: string): Promise<ContainerInspect> {
    const container = this.containers.get(id);
    if (container === undefined) {
      throw new Error(`no container ${id}`);
    }
    return {
      id,
      name: `/${container.name}`,
      image: container.body.Image,
      labels: container.labels,
      state: {
        status: container.status,
        running: container.status === "running",
        exitCode: container.exitCode,
        oomKilled: container.oomKilled,
        error: "",
        ...(container.startedAt ? { startedAt: container.startedAt } : {}),
        ...(container.finishedAt ? { finishedAt: container.finishedAt } : {}),
        pid: container.status === "running" ? 4242 : 0,
      },
      restartCount: 0,
      networks: { bridge: { ipAddress: "10.9.8.7", networkId: "n" } },
      raw: {},
    };
  }

  async listContainers(filters: { label?: string[]; name?: string[] }): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .filter((container) =>
        (filters.label ?? []).every((label) => {
          const [key, value] = label.split("=");
          return container.labels[key ?? ""] === value;
        }),
      )
      .map((container) => ({
        id: container.id,
        names: [`/${container.name}`],
        image: container.body.Image,
        state: container.status,
        status: container.status,
        labels: container.labels,
        created: 0,
      }));
  }

  waitContainer(id: string, options?: { signal?: AbortSignal }): Promise<number> {
    return new Promise((resolve, reject) => {
      const container = this.containers.get(id);
      if (container === undefined || container.status !== "running") {
        resolve(container?.exitCode ?? 0);
        return;
      }
      const done = () => resolve(this.containers.get(id)?.exitCode ?? 0);
      this.emitter.once(`exit:${id}`, done);
      options?.signal?.addEventListener("abort", () => {
        this.emitter.off(`exit:${id}`, done);
        reject(options.signal?.reason);
      });
    });
  }

  async updateContainer(): Promise<void> {}

  async exec(
    _id: string,
    _argv: string[],
    _options?: Parameters<DockerClient["exec"]>[2],
  ): Promise<ExecResult> {
    return { exitCode: 0, stdout: "", stderr: "" };
  }

  async readLogs(id: string): Promise<LogLine[]> {
    return this.containers.get(id)?.logs ?? [];
  }

  async *followLogs(id: string): AsyncIterable<LogLine> {
    yield* this.containers.get(id)?.logs ?? [];
  }

  async *streamLogs(id: string): AsyncIterable<LogLine> {
    yield* this.containers.get(id)?.logs ?? [];
  }

  async *events(_filter: unknown, options: { signal: AbortSignal }): AsyncIterable<DockerEvent> {
    const queue: DockerEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (event: DockerEvent) => {
      queue.push(event);
      wake?.();
    };
    this.emitter.on("event", listener);
    try {
      while (!options.signal.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          const onAbort = () => resolve();
          wake = () => {
            options.signal.removeEventListener("abort", onAbort);
            resolve();
          };
          options.signal.addEventListener("abort", onAbort, { once: true });
        });
      }
    } finally {
      this.emitter.off("event", listener);
    }
  }

  async inspectImage(reference: string) {
    return this.images.has(reference) ? { id: reference, repoTags: [reference], size: 1 } : undefined;
  }

  async pullImage(reference: string): Promise<void> {
    if (this.pullError !== undefined) {
      throw new Error(this.pullError);
    }
    this.images.add(reference);
  }

  async saveImages(): Promise<Readable> {
    return Readable.from([]);
  }
  async loadImages(): Promise<void> {}
  async removeImage(): Promise<void> {}

  async createNetwork(body: { Name: string; Labels?: Record<string, string> }): Promise<string> {
    this.networks.set(body.Name, { id: body.Name, name: body.Name, labels: body.Labels ?? {} });
    return body.Name;
  }
  async removeNetwork(id: string): Promise<void> {
    this.networks.delete(id);
  }
  async listNetworks() {
    return [...this.networks.values()];
  }
  async connectNetwork(): Promise<void> {}
  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    this.volumes.set(name, labels);
  }
  async removeVolume(name: string): Promise<void> {
    this.volumes.delete(name);
  }
  async listVolumes(filters: { label?: string[] }) {
    return [...this.volumes.entries()]
      .filter(([, labels]) =>
        (filters.label ?? []).every((label) => {
          const [key, value] = label.split("=");
          return labels[key ?? ""] === value;
        }),
      )
      .map(([name, labels]) => ({ name, labels }));
  }
  async close(): Promise<void> {}
}
