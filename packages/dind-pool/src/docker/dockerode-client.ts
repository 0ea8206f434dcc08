/**
 * The ONLY file in the repository that imports dockerode. Implements our `DockerClient` over
 * dockerode's modem (`modem.dial`), handling the pitfalls of style.md §(d) in one place:
 * demux (1-3), follow streams owned by an AbortSignal and closed by `close()` (4), no global timeout
 * (5), in-band progress errors (6-8), NDJSON split across chunks (9), benign 304/404/409 (10),
 * no AutoRemove reliance (11), exec exit codes from exec inspect (12), explicit endpoint options
 * beating a stray DOCKER_HOST (13), no API version pin (14), our own types (15), and
 * `stream/promises`-style settling on end/error/close (16).
 */
import { Agent as HttpsAgent } from "node:https";
import type { Readable } from "node:stream";
import { type Logger, noopLogger, sleep } from "@ild/common";
import Docker from "dockerode";
import type { DockerEndpointOptions } from "../pool-types.js";
import { BoundedOutput } from "./bounded-output.js";
import { demuxLogBuffer, demuxLogStream, demuxStream } from "./demux.js";
import type {
  CallOptions,
  ContainerCreateBody,
  ContainerInspect,
  ContainerSummary,
  DockerClient,
  DockerEvent,
  EngineVersion,
  EventFilter,
  ExecOptions,
  ExecResult,
  ImageInspect,
  LogLine,
  LogOptions,
  NetworkCreateBody,
  PullProgress,
  RegistryCredentials,
} from "./docker-client.js";
import { DockerError, DockerNotFoundError } from "./docker-errors.js";
import { followProgress } from "./follow-progress.js";
import { readJsonLines } from "./json-lines.js";
import { type ResolvedDockerEndpoint, resolveDockerEndpoint } from "./resolve-docker-endpoint.js";
import { isAbortError, toDockerError } from "./to-docker-error.js";

export interface CreateDockerClientOptions extends DockerEndpointOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Deadline for `removeContainer` waiting out a 409 "removal already in progress". Default 60 s. */
  removalWaitMs?: number;
}

interface DialRequest {
  path: string;
  method: "GET" | "POST" | "DELETE" | "PUT" | "HEAD";
  query?: Record<string, string | number | boolean | string[] | undefined>;
  body?: unknown;
  /** Status codes that are success. */
  ok: number[];
  isStream?: boolean;
  file?: Readable;
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
  authconfig?: RegistryCredentials;
}

/** Fully explicit dockerode options: nothing is left for docker-modem to take from the environment. */
export function toDockerodeOptions(endpoint: ResolvedDockerEndpoint): Docker.DockerOptions {
  const base = {
    timeout: undefined, // never an idle timeout (pitfall 5), also not from DOCKER_CLIENT_TIMEOUT
    // no connectionTimeout either: docker-modem clears it only when response headers arrive, so it
    // would cut an image load (headers come after the upload); deadlines are AbortSignals
    connectionTimeout: undefined,
    version: undefined, // no API version pin (pitfall 14)
    ca: undefined,
    cert: undefined,
    key: undefined,
    pathPrefix: undefined,
  };
  if (endpoint.kind === "unix") {
    return { ...base, socketPath: endpoint.socketPath, host: undefined, port: undefined, protocol: "http" };
  }
  const tls =
    endpoint.protocol === "https"
      ? {
          ca: endpoint.ca,
          cert: endpoint.cert,
          key: endpoint.key,
          agent: new HttpsAgent({
            keepAlive: true,
            rejectUnauthorized: endpoint.verify,
            ...(endpoint.ca === undefined ? {} : { ca: endpoint.ca }),
            ...(endpoint.cert === undefined ? {} : { cert: endpoint.cert }),
            ...(endpoint.key === undefined ? {} : { key: endpoint.key }),
          }),
        }
      : {};
  return {
    ...base,
    socketPath: undefined,
    host: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.protocol,
    ...tls,
  } as Docker.DockerOptions;
}

function toQueryString(query: DialRequest["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) {
      continue;
    }
    if (Array.isArray(value)) {
      for (const item of value) {
        params.append(key, item);
      }
    } else {
      params.append(key, String(value));
    }
  }
  return params.toString();
}

function labelFilters(filters: Record<string, string[] | undefined>): string | undefined {
  const entries = Object.entries(filters).filter(([, values]) => values !== undefined && values.length > 0);
  return entries.length === 0 ? undefined : JSON.stringify(Object.fromEntries(entries));
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function stringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(record(value))) {
    result[key] = String(item);
  }
  return result;
}

function toContainerInspect(raw: Record<string, unknown>): ContainerInspect {
  const state = record(raw.State);
  const config = record(raw.Config);
  const networks: ContainerInspect["networks"] = {};
  for (const [name, value] of Object.entries(record(record(raw.NetworkSettings).Networks))) {
    const network = record(value);
    networks[name] = {
      ipAddress: String(network.IPAddress ?? ""),
      networkId: String(network.NetworkID ?? ""),
    };
  }
  return {
    id: String(raw.Id ?? ""),
    name: String(raw.Name ?? "").replace(/^\//, ""),
    image: String(config.Image ?? raw.Image ?? ""),
    labels: stringRecord(config.Labels),
    state: {
      status: String(state.Status ?? ""),
      running: state.Running === true,
      exitCode: Number(state.ExitCode ?? 0),
      oomKilled: state.OOMKilled === true,
      error: String(state.Error ?? ""),
      ...(typeof state.StartedAt === "string" ? { startedAt: state.StartedAt } : {}),
      ...(typeof state.FinishedAt === "string" ? { finishedAt: state.FinishedAt } : {}),
      pid: Number(state.Pid ?? 0),
    },
    restartCount: Number(raw.RestartCount ?? 0),
    networks,
    raw,
  };
}

function toEvent(value: unknown): DockerEvent {
  const event = record(value);
  const actor = record(event.Actor);
  const timeNano = Number(event.timeNano ?? Number(event.time ?? 0) * 1e9);
  return {
    type: String(event.Type ?? event.type ?? ""),
    action: String(event.Action ?? event.status ?? ""),
    id: String(actor.ID ?? event.id ?? ""),
    attributes: stringRecord(actor.Attributes),
    timeNano,
  };
}

/** `name` → `name:latest`; keeps tags and digests (a bare name would pull every tag). */
export function withDefaultTag(reference: string): string {
  if (reference.includes("@")) {
    return reference;
  }
  const lastSegment = reference.slice(reference.lastIndexOf("/") + 1);
  return lastSegment.includes(":") ? reference : `${reference}:latest`;
}

/** True when a chunk starts like a multiplexed frame header (stream 0-2, three zero bytes). */
function looksMultiplexed(chunk: Buffer): boolean {
  return chunk.length >= 8 && (chunk[0] ?? 9) <= 2 && chunk[1] === 0 && chunk[2] === 0 && chunk[3] === 0;
}

class DockerodeClient implements DockerClient {
  readonly endpoint: string;
  private readonly docker: Docker;
  private readonly streams = new Set<Readable>();
  private readonly removalWaitMs: number;
  private closed = false;

  constructor(
    resolved: ResolvedDockerEndpoint,
    private readonly logger: Logger,
    removalWaitMs: number,
  ) {
    this.endpoint = resolved.description;
    this.removalWaitMs = removalWaitMs;
    this.docker = new Docker(toDockerodeOptions(resolved));
  }

  private dial<T>(operation: string, request: DialRequest): Promise<T> {
    const query = toQueryString(request.query);
    const okCodes: Record<number, true> = {};
    for (const code of request.ok) {
      okCodes[code] = true;
    }
    // `_query: {}` keeps docker-modem from turning the body into a query string (we built it);
    // `_body` is the JSON body for POST ("{}" is dropped by the modem).
    const dialOptions: Record<string, unknown> = {
      path: `${request.path}?${query}`,
      method: request.method,
      options: { _query: {}, _body: request.body ?? {} },
      statusCodes: okCodes,
      isStream: request.isStream === true,
      ...(request.file === undefined ? {} : { file: request.file }),
      ...(request.signal === undefined ? {} : { abortSignal: request.signal }),
      ...(request.headers === undefined ? {} : { headers: request.headers }),
      ...(request.authconfig === undefined ? {} : { authconfig: request.authconfig }),
    };
    this.logger.debug({ operation, path: request.path }, "docker call");
    return new Promise<T>((resolve, reject) => {
      if (request.signal?.aborted) {
        reject(request.signal.reason);
        return;
      }
      this.docker.modem.dial(dialOptions as never, (error: unknown, data: unknown) => {
        if (error) {
          reject(
            request.signal?.aborted ? request.signal.reason : toDockerError(operation, error, this.endpoint),
          );
          return;
        }
        resolve(data as T);
      });
    });
  }

  /** Tracks a stream so that `close()` can destroy it; untracks it once it closes. */
  private track(stream: Readable): Readable {
    this.streams.add(stream);
    stream.once("close", () => this.streams.delete(stream));
    return stream;
  }

  async ping(options?: CallOptions): Promise<void> {
    await this.dial("ping", { path: "/_ping", method: "GET", ok: [200], signal: options?.signal });
  }

  async version(options?: CallOptions): Promise<EngineVersion> {
    const raw = record(
      await this.dial("version", { path: "/version", method: "GET", ok: [200], signal: options?.signal }),
    );
    return {
      version: String(raw.Version ?? ""),
      apiVersion: String(raw.ApiVersion ?? ""),
      ...(typeof raw.MinAPIVersion === "string" ? { minApiVersion: raw.MinAPIVersion } : {}),
      os: String(raw.Os ?? ""),
      arch: String(raw.Arch ?? ""),
    };
  }

  async info(options?: CallOptions): Promise<Record<string, unknown>> {
    return record(
      await this.dial("info", { path: "/info", method: "GET", ok: [200], signal: options?.signal }),
    );
  }

  async createContainer(
    name: string | undefined,
    body: ContainerCreateBody,
    options?: CallOptions,
  ): Promise<string> {
    const result = record(
      await this.dial("container.create", {
        path: "/containers/create",
        method: "POST",
        query: { name },
        body,
        ok: [201],
        signal: options?.signal,
      }),
    );
    const id = String(result.Id ?? "");
    this.logger.debug({ containerId: id.slice(0, 12), name }, "container created");
    return id;
  }

  async startContainer(id: string, options?: CallOptions): Promise<void> {
    // 304 = already started: success (pitfall 10)
    await this.dial("container.start", {
      path: `/containers/${encodeURIComponent(id)}/start`,
      method: "POST",
      ok: [204, 304],
      signal: options?.signal,
    });
  }

  async stopContainer(id: string, timeoutSeconds: number, options?: CallOptions): Promise<void> {
    try {
      await this.dial("container.stop", {
        path: `/containers/${encodeURIComponent(id)}/stop`,
        method: "POST",
        query: { t: Math.max(0, Math.round(timeoutSeconds)) },
        ok: [204, 304],
        signal: options?.signal,
      });
    } catch (error) {
      if (error instanceof DockerNotFoundError) {
        return;
      }
      throw error;
    }
  }

  async killContainer(id: string, signal: string, options?: CallOptions): Promise<void> {
    await this.dial("container.kill", {
      path: `/containers/${encodeURIComponent(id)}/kill`,
      method: "POST",
      query: { signal },
      ok: [204],
      signal: options?.signal,
    });
  }

  async removeContainer(id: string, options?: CallOptions): Promise<void> {
    try {
      await this.dial("container.remove", {
        path: `/containers/${encodeURIComponent(id)}`,
        method: "DELETE",
        query: { force: true, v: true },
        ok: [204],
        signal: options?.signal,
      });
      return;
    } catch (error) {
      if (error instanceof DockerNotFoundError) {
        return;
      }
      if (!(error instanceof DockerError) || error.statusCode !== 409) {
        throw error;
      }
    }
    // 409 "removal already in progress": wait until it is gone (pitfall 10/11)
    const deadline = Date.now() + this.removalWaitMs;
    while (Date.now() < deadline) {
      try {
        await this.inspectContainer(id, options);
      } catch (error) {
        if (error instanceof DockerNotFoundError) {
          return;
        }
        throw error;
      }
      await sleep(50, options?.signal);
    }
    throw new DockerError("container.remove", `container ${id} still present after removal in progress`, {
      statusCode: 409,
    });
  }

  async inspectContainer(id: string, options?: CallOptions): Promise<ContainerInspect> {
    const raw = record(
      await this.dial("container.inspect", {
        path: `/containers/${encodeURIComponent(id)}/json`,
        method: "GET",
        ok: [200],
        signal: options?.signal,
      }),
    );
    return toContainerInspect(raw);
  }

  async listContainers(
    filters: { label?: string[]; name?: string[]; all?: boolean },
    options?: CallOptions,
  ): Promise<ContainerSummary[]> {
    const result = await this.dial<unknown>("container.list", {
      path: "/containers/json",
      method: "GET",
      query: {
        all: filters.all !== false,
        filters: labelFilters({ label: filters.label, name: filters.name }),
      },
      ok: [200],
      signal: options?.signal,
    });
    return (Array.isArray(result) ? result : []).map((item) => {
      const container = record(item);
      return {
        id: String(container.Id ?? ""),
        names: (Array.isArray(container.Names) ? container.Names : []).map((name) =>
          String(name).replace(/^\//, ""),
        ),
        image: String(container.Image ?? ""),
        state: String(container.State ?? ""),
        status: String(container.Status ?? ""),
        labels: stringRecord(container.Labels),
        created: Number(container.Created ?? 0),
      };
    });
  }

  async waitContainer(id: string, options?: CallOptions): Promise<number> {
    const result = record(
      await this.dial("container.wait", {
        path: `/containers/${encodeURIComponent(id)}/wait`,
        method: "POST",
        query: { condition: "not-running" },
        ok: [200],
        signal: options?.signal,
      }),
    );
    return Number(result.StatusCode ?? -1);
  }

  async updateContainer(
    id: string,
    resources: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<void> {
    await this.dial("container.update", {
      path: `/containers/${encodeURIComponent(id)}/update`,
      method: "POST",
      body: resources,
      ok: [200],
      signal: options?.signal,
    });
  }

  async exec(id: string, argv: string[], options?: ExecOptions): Promise<ExecResult> {
    const signal = options?.signal;
    const created = record(
      await this.dial("exec.create", {
        path: `/containers/${encodeURIComponent(id)}/exec`,
        method: "POST",
        body: {
          AttachStdin: false,
          AttachStdout: true,
          AttachStderr: true,
          Tty: false,
          Cmd: argv,
          ...(options?.user === undefined ? {} : { User: options.user }),
          ...(options?.env === undefined ? {} : { Env: options.env }),
          ...(options?.workingDir === undefined ? {} : { WorkingDir: options.workingDir }),
        },
        ok: [201],
        signal,
      }),
    );
    const execId = String(created.Id ?? "");
    const stream = this.track(
      await this.dial<Readable>("exec.start", {
        path: `/exec/${encodeURIComponent(execId)}/start`,
        method: "POST",
        body: { Detach: false, Tty: false },
        ok: [200],
        isStream: true,
        signal,
      }),
    );
    const output = {
      stdout: new BoundedOutput(options?.maxOutputBytes),
      stderr: new BoundedOutput(options?.maxOutputBytes),
    };
    try {
      for await (const frame of demuxStream(stream)) {
        output[frame.stream].push(frame.data);
      }
    } catch (error) {
      throw signal?.aborted ? signal.reason : toDockerError("exec.start", error, this.endpoint);
    } finally {
      stream.destroy();
    }
    // the exit code is not in the stream (pitfall 12): inspect until Running is false
    for (let attempt = 0; ; attempt++) {
      const inspected = record(
        await this.dial("exec.inspect", {
          path: `/exec/${encodeURIComponent(execId)}/json`,
          method: "GET",
          ok: [200],
          signal,
        }),
      );
      if (inspected.Running !== true && inspected.ExitCode !== null && inspected.ExitCode !== undefined) {
        return {
          exitCode: Number(inspected.ExitCode),
          stdout: output.stdout.text(),
          stderr: output.stderr.text(),
          ...(output.stdout.truncated || output.stderr.truncated ? { truncated: true } : {}),
        };
      }
      if (attempt > 200) {
        throw new DockerError("exec.inspect", `exec ${execId} still running after its stream ended`);
      }
      await sleep(10, signal);
    }
  }

  private logQuery(options: LogOptions | undefined, follow: boolean): DialRequest["query"] {
    return {
      follow,
      stdout: options?.stdout !== false,
      stderr: options?.stderr !== false,
      timestamps: options?.timestamps === true,
      tail: options?.tail === undefined ? "all" : String(options.tail),
      since: options?.since,
      until: options?.until,
    };
  }

  async readLogs(id: string, options?: LogOptions): Promise<LogLine[]> {
    const stream = this.track(
      await this.dial<Readable>("container.logs", {
        path: `/containers/${encodeURIComponent(id)}/logs`,
        method: "GET",
        query: this.logQuery(options, false),
        ok: [200],
        isStream: true, // collect raw bytes ourselves: the modem would JSON-parse a TTY log (pitfall 2)
        signal: options?.signal,
      }),
    );
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
      }
    } catch (error) {
      throw options?.signal?.aborted
        ? options.signal.reason
        : toDockerError("container.logs", error, this.endpoint);
    }
    const buffer = Buffer.concat(chunks);
    return demuxLogBuffer(buffer, {
      timestamps: options?.timestamps === true,
      tty: !looksMultiplexed(buffer) && buffer.length > 0,
    });
  }

  followLogs(id: string, options: LogOptions & { signal: AbortSignal }): AsyncIterable<LogLine> {
    return this.logLines(id, options, true);
  }

  streamLogs(id: string, options: LogOptions & { signal: AbortSignal }): AsyncIterable<LogLine> {
    return this.logLines(id, options, false);
  }

  /** Lines as the engine sends them, read only as fast as they are consumed. */
  private async *logLines(
    id: string,
    options: LogOptions & { signal: AbortSignal },
    follow: boolean,
  ): AsyncIterable<LogLine> {
    const { signal } = options;
    if (signal.aborted) {
      return;
    }
    let stream: Readable;
    try {
      stream = this.track(
        await this.dial<Readable>("container.logs", {
          path: `/containers/${encodeURIComponent(id)}/logs`,
          method: "GET",
          query: this.logQuery(options, follow),
          ok: [200],
          isStream: true,
          signal,
        }),
      );
    } catch (error) {
      if (signal.aborted) {
        return;
      }
      throw error;
    }
    const onAbort = (): void => {
      stream.destroy();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const first = await readHead(stream, 8);
      if (first.length === 0) {
        return;
      }
      if (stream.readableEnded) {
        yield* demuxLogBuffer(first, {
          timestamps: options.timestamps === true,
          tty: !looksMultiplexed(first),
        });
        return;
      }
      stream.unshift(first);
      yield* demuxLogStream(stream, {
        timestamps: options.timestamps === true,
        tty: !looksMultiplexed(first),
      });
    } catch (error) {
      if (signal.aborted || this.closed || isAbortError(error)) {
        return;
      }
      throw toDockerError("container.logs", error, this.endpoint);
    } finally {
      signal.removeEventListener("abort", onAbort);
      stream.destroy();
    }
  }

  /**
   * Engine events until the signal aborts. When the stream ends or breaks (daemon restart), it is
   * reopened with `since` = the last event's time, skipping events already yielded (pitfall 9).
   * Only the first connection's failure is thrown: a bad filter must not turn into a retry loop.
   */
  async *events(
    filter: EventFilter,
    options: { signal: AbortSignal; since?: number; reconnectDelayMs?: number },
  ): AsyncIterable<DockerEvent> {
    const { signal } = options;
    let since = options.since;
    let lastTimeNano = 0;
    const seenAtLast = new Set<string>();
    let connected = false;
    while (!signal.aborted && !this.closed) {
      let stream: Readable;
      try {
        stream = this.track(
          await this.dial<Readable>("events", {
            path: "/events",
            method: "GET",
            query: {
              since,
              filters: labelFilters({
                type: filter.type,
                label: filter.label,
                event: filter.event,
                container: filter.container,
              }),
            },
            ok: [200],
            isStream: true,
            signal,
          }),
        );
      } catch (error) {
        if (signal.aborted || this.closed) {
          return;
        }
        if (!connected) {
          throw error;
        }
        await sleep(options.reconnectDelayMs ?? 500, signal).catch(() => {});
        continue;
      }
      connected = true;
      const onAbort = (): void => {
        stream.destroy();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        for await (const value of readJsonLines(stream, "events")) {
          const event = toEvent(value);
          const key = `${event.timeNano}/${event.id}/${event.action}`;
          if (event.timeNano < lastTimeNano || (event.timeNano === lastTimeNano && seenAtLast.has(key))) {
            continue; // replayed by the `since` of a reconnection
          }
          if (event.timeNano > lastTimeNano) {
            lastTimeNano = event.timeNano;
            seenAtLast.clear();
          }
          seenAtLast.add(key);
          yield event;
        }
      } catch (error) {
        if (signal.aborted || this.closed || isAbortError(error)) {
          return;
        }
        if (error instanceof DockerError && error.code === "ILD_DOCKER_PROTOCOL") {
          throw error;
        }
        this.logger.debug({ err: error }, "events stream broke, reconnecting");
      } finally {
        signal.removeEventListener("abort", onAbort);
        stream.destroy();
      }
      if (signal.aborted || this.closed) {
        return;
      }
      if (lastTimeNano > 0) {
        since = Math.floor(lastTimeNano / 1e9);
      }
      await sleep(options.reconnectDelayMs ?? 500, signal).catch(() => {});
    }
  }

  async inspectImage(reference: string, options?: CallOptions): Promise<ImageInspect | undefined> {
    let raw: Record<string, unknown>;
    try {
      raw = record(
        await this.dial("image.inspect", {
          path: `/images/${encodeURIComponent(reference)}/json`,
          method: "GET",
          ok: [200],
          signal: options?.signal,
        }),
      );
    } catch (error) {
      if (error instanceof DockerNotFoundError) {
        return undefined;
      }
      throw error;
    }
    const config = record(raw.Config);
    return {
      id: String(raw.Id ?? ""),
      repoTags: (Array.isArray(raw.RepoTags) ? raw.RepoTags : []).map(String),
      size: Number(raw.Size ?? 0),
      entrypoint: Array.isArray(config.Entrypoint) ? config.Entrypoint.map(String) : null,
      cmd: Array.isArray(config.Cmd) ? config.Cmd.map(String) : null,
      ...(typeof config.User === "string" ? { user: config.User } : {}),
      ...(typeof config.WorkingDir === "string" ? { workingDir: config.WorkingDir } : {}),
      ...(Array.isArray(config.Env) ? { env: config.Env.map(String) } : {}),
    };
  }

  async pullImage(
    reference: string,
    options?: CallOptions & { auth?: RegistryCredentials; onProgress?: (event: PullProgress) => void },
  ): Promise<void> {
    const stream = this.track(
      await this.dial<Readable>("image.pull", {
        path: "/images/create",
        method: "POST",
        query: { fromImage: withDefaultTag(reference) },
        ok: [200],
        isStream: true,
        signal: options?.signal,
        ...(options?.auth === undefined ? {} : { authconfig: options.auth }),
      }),
    );
    try {
      await followProgress(stream, "image.pull", {
        ...(options?.signal === undefined ? {} : { signal: options.signal }),
        ...(options?.onProgress === undefined
          ? {}
          : {
              onProgress: (event) =>
                options.onProgress?.({
                  ...(event.status === undefined ? {} : { status: event.status }),
                  ...(event.id === undefined ? {} : { id: event.id }),
                  ...(event.progress === undefined ? {} : { progress: event.progress }),
                }),
            }),
      });
    } catch (error) {
      throw toDockerError("image.pull", error, this.endpoint);
    }
    // the stream ending is not proof (pitfall 6/7): verify
    if ((await this.inspectImage(withDefaultTag(reference), options)) === undefined) {
      throw new DockerError("image.pull", `${reference} is not present after the pull ended`);
    }
  }

  async saveImages(references: string[], options?: CallOptions): Promise<Readable> {
    return this.track(
      await this.dial<Readable>("image.save", {
        path: "/images/get",
        method: "GET",
        query: { names: references },
        ok: [200],
        isStream: true,
        signal: options?.signal,
      }),
    );
  }

  async loadImages(tar: Readable, options?: CallOptions): Promise<void> {
    const stream = this.track(
      await this.dial<Readable>("image.load", {
        path: "/images/load",
        method: "POST",
        query: { quiet: true },
        file: tar,
        ok: [200],
        isStream: true,
        signal: options?.signal,
        headers: { "Content-Type": "application/x-tar" },
      }),
    );
    try {
      await followProgress(
        stream,
        "image.load",
        options?.signal === undefined ? {} : { signal: options.signal },
      );
    } catch (error) {
      throw toDockerError("image.load", error, this.endpoint);
    }
  }

  async removeImage(reference: string, options?: CallOptions): Promise<void> {
    try {
      await this.dial("image.remove", {
        path: `/images/${encodeURIComponent(reference)}`,
        method: "DELETE",
        ok: [200],
        signal: options?.signal,
      });
    } catch (error) {
      if (error instanceof DockerNotFoundError) {
        return;
      }
      throw error;
    }
  }

  async createNetwork(body: NetworkCreateBody, options?: CallOptions): Promise<string> {
    const result = record(
      await this.dial("network.create", {
        path: "/networks/create",
        method: "POST",
        body: { CheckDuplicate: true, ...body },
        ok: [201],
        signal: options?.signal,
      }),
    );
    return String(result.Id ?? "");
  }

  async removeNetwork(idOrName: string, options?: CallOptions): Promise<void> {
    try {
      await this.dial("network.remove", {
        path: `/networks/${encodeURIComponent(idOrName)}`,
        method: "DELETE",
        ok: [204, 200],
        signal: options?.signal,
      });
    } catch (error) {
      if (error instanceof DockerNotFoundError) {
        return;
      }
      throw error;
    }
  }

  async listNetworks(
    filters: { label?: string[]; name?: string[] },
    options?: CallOptions,
  ): Promise<Array<{ id: string; name: string; labels: Record<string, string> }>> {
    const result = await this.dial<unknown>("network.list", {
      path: "/networks",
      method: "GET",
      query: { filters: labelFilters({ label: filters.label, name: filters.name }) },
      ok: [200],
      signal: options?.signal,
    });
    return (Array.isArray(result) ? result : []).map((item) => {
      const network = record(item);
      return {
        id: String(network.Id ?? ""),
        name: String(network.Name ?? ""),
        labels: stringRecord(network.Labels),
      };
    });
  }

  async connectNetwork(
    network: string,
    containerId: string,
    endpoint?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<void> {
    await this.dial("network.connect", {
      path: `/networks/${encodeURIComponent(network)}/connect`,
      method: "POST",
      body: { Container: containerId, ...(endpoint === undefined ? {} : { EndpointConfig: endpoint }) },
      ok: [200],
      signal: options?.signal,
    });
  }

  async createVolume(
    name: string,
    labels: Record<string, string>,
    options?: CallOptions & { driverOptions?: Record<string, string> },
  ): Promise<void> {
    const driver = options?.driverOptions ? { Driver: "local", DriverOpts: options.driverOptions } : {};
    await this.dial("volume.create", {
      path: "/volumes/create",
      method: "POST",
      body: { Name: name, Labels: labels, ...driver },
      ok: [201],
      signal: options?.signal,
    });
  }

  async removeVolume(name: string, options?: CallOptions): Promise<void> {
    try {
      await this.dial("volume.remove", {
        path: `/volumes/${encodeURIComponent(name)}`,
        method: "DELETE",
        ok: [204],
        signal: options?.signal,
      });
    } catch (error) {
      if (error instanceof DockerNotFoundError) {
        return;
      }
      throw error;
    }
  }

  async listVolumes(
    filters: { label?: string[] },
    options?: CallOptions,
  ): Promise<Array<{ name: string; labels: Record<string, string> }>> {
    const result = record(
      await this.dial("volume.list", {
        path: "/volumes",
        method: "GET",
        query: { filters: labelFilters({ label: filters.label }) },
        ok: [200],
        signal: options?.signal,
      }),
    );
    return (Array.isArray(result.Volumes) ? result.Volumes : []).map((item) => {
      const volume = record(item);
      return { name: String(volume.Name ?? ""), labels: stringRecord(volume.Labels) };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const stream of this.streams) {
      stream.destroy();
    }
    this.streams.clear();
  }
}

/** Reads at least `size` bytes (or everything until the end); errors reject. Pauses the stream. */
function readHead(stream: Readable, size: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const cleanup = (): void => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("close", onEnd);
      stream.off("error", onError);
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      chunks.push(buffer);
      length += buffer.length;
      if (length >= size) {
        cleanup();
        stream.pause();
        resolve(Buffer.concat(chunks));
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("close", onEnd);
    stream.once("error", onError);
  });
}

/**
 * A DockerClient over dockerode for the endpoint resolved from `endpoint` (explicit > DOCKER_HOST >
 * /var/run/docker.sock). Logs the chosen endpoint; call `version()` to log the engine's version.
 */
export function createDockerClient(endpoint: CreateDockerClientOptions = {}): DockerClient {
  const { env, logger, removalWaitMs, ...endpointOptions } = endpoint;
  const resolved = resolveDockerEndpoint(endpointOptions, env ?? process.env);
  const log = (logger ?? noopLogger).child({ component: "docker-client", endpoint: resolved.description });
  log.debug({ source: resolved.source }, "docker endpoint resolved");
  return new DockerodeClient(resolved, log, removalWaitMs ?? 60_000);
}
