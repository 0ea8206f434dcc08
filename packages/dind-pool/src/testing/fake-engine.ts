/**
 * A fake Docker engine: a node:http server on a unix socket in a temp folder that answers the
 * Engine API routes our dockerode adapter uses, with a tiny in-memory state (containers, execs,
 * images, networks, volumes). Its purpose is to PROVOKE what a real engine rarely does on demand:
 * 304/404/409 answers, multiplexed frames split anywhere, NDJSON split across chunks, in-band pull
 * errors, requests that never answer, slow answers. Use it in addition to real-engine tests.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type FakeRouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  context: { url: URL; params: string[]; body: Buffer },
) => void | Promise<void>;

export interface FakeContainer {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  running: boolean;
  exitCode: number;
  /** Frames the logs endpoint returns. */
  logs: Array<{ stream: "stdout" | "stderr"; data: string }>;
  body: Record<string, unknown>;
}

export interface FakeEngine {
  /** Host path of the engine's unix socket. */
  readonly socketPath: string;
  /** `unix://<socketPath>`, to pass as `host`. */
  readonly host: string;
  /** Every request seen: method, path without API version prefix (with query), the raw URL, body. */
  readonly requests: Array<{ method: string; path: string; rawUrl: string; body: string }>;
  readonly containers: Map<string, FakeContainer>;
  readonly images: Set<string>;
  readonly networks: Map<string, { id: string; name: string; labels: Record<string, string> }>;
  readonly volumes: Map<string, { name: string; labels: Record<string, string> }>;
  /** Replaces the answer of `method` + path regex (matched against the path without API version). */
  override(method: string, path: RegExp, handler: FakeRouteHandler): void;
  /** Adds a delay before every answer (a slow engine). */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/** Writes one multiplexed frame header + payload. */
export function encodeFrame(stream: "stdout" | "stderr" | "stdin", data: Buffer | string): Buffer {
  const payload = Buffer.isBuffer(data) ? data : Buffer.from(data);
  const header = Buffer.alloc(8);
  header[0] = stream === "stdin" ? 0 : stream === "stdout" ? 1 : 2;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Sends `payload` in chunks of `chunkSize` bytes, with a macrotask between chunks. */
export async function writeChunked(
  response: ServerResponse,
  payload: Buffer,
  chunkSize: number,
): Promise<void> {
  for (let offset = 0; offset < payload.length; offset += chunkSize) {
    response.write(payload.subarray(offset, offset + chunkSize));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

export function respondJson(response: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  response.end(text);
}

/** A Docker-style error answer: `{"message": ...}` with the status code. */
export function respondError(response: ServerResponse, status: number, message: string): void {
  respondJson(response, status, { message });
}

/** NDJSON answer (status 200) whose bytes are cut every `chunkSize` bytes, across object boundaries. */
export async function respondNdjson(
  response: ServerResponse,
  objects: unknown[],
  chunkSize = 7,
): Promise<void> {
  response.writeHead(200, { "Content-Type": "application/json" });
  const payload = Buffer.from(objects.map((object) => `${JSON.stringify(object)}\n`).join(""));
  await writeChunked(response, payload, chunkSize);
  response.end();
}

/** Leaves the request unanswered (until the client gives up or the engine closes). */
export const neverAnswer: FakeRouteHandler = () => {};

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function labelMatch(labels: Record<string, string>, filters: string[] | undefined): boolean {
  return (filters ?? []).every((filter) => {
    const index = filter.indexOf("=");
    return index === -1 ? filter in labels : labels[filter.slice(0, index)] === filter.slice(index + 1);
  });
}

function parseFilters(url: URL): Record<string, string[]> {
  const raw = url.searchParams.get("filters");
  if (!raw) {
    return {};
  }
  const parsed = JSON.parse(raw) as Record<string, string[] | Record<string, boolean>>;
  const result: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed)) {
    result[key] = Array.isArray(value) ? value : Object.keys(value);
  }
  return result;
}

/** Starts a fake engine on a fresh unix socket. */
export async function startFakeEngine(): Promise<FakeEngine> {
  const folder = await mkdtemp(join(tmpdir(), "ild-fake-engine-"));
  const socketPath = join(folder, "docker.sock");
  const containers = new Map<string, FakeContainer>();
  const images = new Set<string>(["ild/busybox:1"]);
  const networks = new Map<string, { id: string; name: string; labels: Record<string, string> }>();
  const volumes = new Map<string, { name: string; labels: Record<string, string> }>();
  const execs = new Map<string, { containerId: string; cmd: string[]; exitCode: number | null }>();
  const overrides: Array<{ method: string; path: RegExp; handler: FakeRouteHandler }> = [];
  const requests: FakeEngine["requests"] = [];
  let latencyMs = 0;

  const find = (idOrName: string): FakeContainer | undefined =>
    containers.get(idOrName) ??
    [...containers.values()].find(
      (container) => container.name === idOrName || container.id.startsWith(idOrName),
    );

  const routes: Array<{ method: string; path: RegExp; handler: FakeRouteHandler }> = [
    {
      method: "GET",
      path: /^\/_ping$/,
      handler: (_request, response) => {
        response.writeHead(200, { "Content-Type": "text/plain" });
        response.end("OK");
      },
    },
    {
      method: "GET",
      path: /^\/version$/,
      handler: (_request, response) =>
        respondJson(response, 200, {
          Version: "0.0.0-fake",
          ApiVersion: "1.41",
          MinAPIVersion: "1.12",
          Os: "linux",
          Arch: "amd64",
        }),
    },
    {
      method: "GET",
      path: /^\/info$/,
      handler: (_request, response) => respondJson(response, 200, { Name: "fake" }),
    },
    {
      method: "POST",
      path: /^\/containers\/create$/,
      handler: (_request, response, { url, body }) => {
        const spec = JSON.parse(body.toString() || "{}") as Record<string, unknown>;
        const name = url.searchParams.get("name") ?? `fake_${randomBytes(4).toString("hex")}`;
        if ([...containers.values()].some((container) => container.name === name)) {
          respondError(response, 409, `Conflict. The container name "/${name}" is already in use`);
          return;
        }
        const image = String(spec.Image ?? "");
        if (!images.has(image)) {
          respondError(response, 404, `No such image: ${image}`);
          return;
        }
        const id = randomBytes(32).toString("hex");
        containers.set(id, {
          id,
          name,
          image,
          labels: (spec.Labels as Record<string, string>) ?? {},
          running: false,
          exitCode: 0,
          logs: [],
          body: spec,
        });
        respondJson(response, 201, { Id: id, Warnings: [] });
      },
    },
    {
      method: "POST",
      path: /^\/containers\/([^/]+)\/start$/,
      handler: (_request, response, { params }) => {
        const container = find(params[0] ?? "");
        if (!container) {
          respondError(response, 404, `No such container: ${params[0]}`);
          return;
        }
        if (container.running) {
          response.writeHead(304);
          response.end();
          return;
        }
        container.running = true;
        response.writeHead(204);
        response.end();
      },
    },
    {
      method: "POST",
      path: /^\/containers\/([^/]+)\/(stop|kill)$/,
      handler: (_request, response, { params }) => {
        const container = find(params[0] ?? "");
        if (!container) {
          respondError(response, 404, `No such container: ${params[0]}`);
          return;
        }
        if (!container.running) {
          if (params[1] === "kill") {
            respondError(response, 409, `Container ${container.id} is not running`);
          } else {
            response.writeHead(304);
            response.end();
          }
          return;
        }
        container.running = false;
        container.exitCode = 137;
        response.writeHead(204);
        response.end();
      },
    },
    {
      method: "DELETE",
      path: /^\/containers\/([^/]+)$/,
      handler: (_request, response, { params }) => {
        const container = find(params[0] ?? "");
        if (!container) {
          respondError(response, 404, `No such container: ${params[0]}`);
          return;
        }
        containers.delete(container.id);
        response.writeHead(204);
        response.end();
      },
    },
    {
      method: "GET",
      path: /^\/containers\/([^/]+)\/json$/,
      handler: (_request, response, { params }) => {
        const container = find(params[0] ?? "");
        if (!container) {
          respondError(response, 404, `No such container: ${params[0]}`);
          return;
        }
        respondJson(response, 200, {
          Id: container.id,
          Name: `/${container.name}`,
          Image: container.image,
          RestartCount: 0,
          Config: { Image: container.image, Labels: container.labels },
          State: {
            Status: container.running ? "running" : "exited",
            Running: container.running,
            ExitCode: container.exitCode,
            OOMKilled: false,
            Error: "",
            Pid: container.running ? 4242 : 0,
          },
          NetworkSettings: { Networks: { bridge: { IPAddress: "172.17.0.99", NetworkID: "fake-bridge" } } },
        });
      },
    },
    {
      method: "GET",
      path: /^\/containers\/json$/,
      handler: (_request, response, { url }) => {
        const filters = parseFilters(url);
        const all = url.searchParams.get("all") === "true" || url.searchParams.get("all") === "1";
        const list = [...containers.values()]
          .filter((container) => all || container.running)
          .filter((container) => labelMatch(container.labels, filters.label))
          .filter((container) => (filters.name ?? []).every((name) => container.name.includes(name)))
          .map((container) => ({
            Id: container.id,
            Names: [`/${container.name}`],
            Image: container.image,
            State: container.running ? "running" : "exited",
            Status: container.running ? "Up" : "Exited",
            Labels: container.labels,
            Created: 0,
          }));
        respondJson(response, 200, list);
      },
    },
    {
      method: "POST",
      path: /^\/containers\/([^/]+)\/wait$/,
      handler: (_request, response, { params }) => {
        const container = find(params[0] ?? "");
        if (!container) {
          respondError(response, 404, `No such container: ${params[0]}`);
          return;
        }
        respondJson(response, 200, { StatusCode: container.exitCode });
      },
    },
    {
      method: "POST",
      path: /^\/containers\/([^/]+)\/update$/,
      handler: (_request, response, { params }) => {
        if (!find(params[0] ?? "")) {
          respondError(response, 404, `No such container: ${params[0]}`);
          return;
        }
        respondJson(response, 200, { Warnings: [] });
      },
    },
    {
      method: "GET",
      path: /^\/containers\/([^/]+)\/logs$/,
      handler: async (_request, response, { params }) => {
        const container = find(params[0] ?? "");
        if (!container) {
          respondError(response, 404, `No such container: ${params[0]}`);
          return;
        }
        response.writeHead(200, { "Content-Type": "application/vnd.docker.raw-stream" });
        const payload = Buffer.concat(container.logs.map((line) => encodeFrame(line.stream, line.data)));
        await writeChunked(response, payload, 5); // split headers and payloads anywhere
        response.end();
      },
    },
    {
      method: "POST",
      path: /^\/containers\/([^/]+)\/exec$/,
      handler: (_request, response, { params, body }) => {
        const container = find(params[0] ?? "");
        if (!container) {
          respondError(response, 404, `No such container: ${params[0]}`);
          return;
        }
        if (!container.running) {
          respondError(response, 409, `Container ${container.id} is not running`);
          return;
        }
        const spec = JSON.parse(body.toString() || "{}") as { Cmd?: string[] };
        const id = randomBytes(32).toString("hex");
        execs.set(id, { containerId: container.id, cmd: spec.Cmd ?? [], exitCode: null });
        respondJson(response, 201, { Id: id });
      },
    },
    {
      method: "POST",
      path: /^\/exec\/([^/]+)\/start$/,
      handler: async (_request, response, { params }) => {
        const exec = execs.get(params[0] ?? "");
        if (!exec) {
          respondError(response, 404, "No such exec instance");
          return;
        }
        // fake semantics: `echo ARGS...` prints to stdout, `fail N` prints to stderr and exits N
        const [command, ...args] = exec.cmd;
        response.writeHead(200, { "Content-Type": "application/vnd.docker.raw-stream" });
        if (command === "fail") {
          await writeChunked(response, encodeFrame("stderr", `failing\n`), 3);
          exec.exitCode = Number(args[0] ?? 1);
        } else {
          await writeChunked(response, encodeFrame("stdout", `${args.join(" ")}\n`), 3);
          exec.exitCode = 0;
        }
        response.end();
      },
    },
    {
      method: "GET",
      path: /^\/exec\/([^/]+)\/json$/,
      handler: (_request, response, { params }) => {
        const exec = execs.get(params[0] ?? "");
        if (!exec) {
          respondError(response, 404, "No such exec instance");
          return;
        }
        respondJson(response, 200, { Running: exec.exitCode === null, ExitCode: exec.exitCode });
      },
    },
    {
      method: "GET",
      path: /^\/events$/,
      handler: async (_request, response) => {
        response.writeHead(200, { "Content-Type": "application/json" });
        const events = [1, 2, 3].map((index) => ({
          Type: "container",
          Action: "start",
          Actor: { ID: `c${index}`, Attributes: { name: `fake-${index}` } },
          time: index,
          timeNano: index * 1e9,
        }));
        const payload = Buffer.from(events.map((event) => `${JSON.stringify(event)}\n`).join(""));
        await writeChunked(response, payload, 37); // 1½ events per chunk
        // then stay open, like a real events stream
      },
    },
    {
      method: "GET",
      path: /^\/images\/(.+)\/json$/,
      handler: (_request, response, { params }) => {
        const reference = decodeURIComponent(params[0] ?? "");
        if (!images.has(reference)) {
          respondError(response, 404, `No such image: ${reference}`);
          return;
        }
        respondJson(response, 200, {
          Id: `sha256:${"0".repeat(64)}`,
          RepoTags: [reference],
          Size: 1,
          Config: {},
        });
      },
    },
    {
      method: "POST",
      path: /^\/images\/create$/,
      handler: async (_request, response, { url }) => {
        const reference = url.searchParams.get("fromImage") ?? "";
        if (reference.startsWith("missing/")) {
          await respondNdjson(response, [
            { status: "Pulling from missing" },
            { errorDetail: { message: "manifest unknown" }, error: "manifest unknown" },
          ]);
          return;
        }
        images.add(reference);
        await respondNdjson(response, [
          { status: "Pulling fs layer", id: "abc" },
          { status: "Download complete", id: "abc" },
          { status: `Status: Downloaded newer image for ${reference}` },
        ]);
      },
    },
    {
      method: "POST",
      path: /^\/networks\/create$/,
      handler: (_request, response, { body }) => {
        const spec = JSON.parse(body.toString() || "{}") as { Name: string; Labels?: Record<string, string> };
        if ([...networks.values()].some((network) => network.name === spec.Name)) {
          respondError(response, 409, `network with name ${spec.Name} already exists`);
          return;
        }
        const id = randomBytes(32).toString("hex");
        networks.set(id, { id, name: spec.Name, labels: spec.Labels ?? {} });
        respondJson(response, 201, { Id: id });
      },
    },
    {
      method: "DELETE",
      path: /^\/networks\/([^/]+)$/,
      handler: (_request, response, { params }) => {
        const network =
          networks.get(params[0] ?? "") ?? [...networks.values()].find((item) => item.name === params[0]);
        if (!network) {
          respondError(response, 404, `network ${params[0]} not found`);
          return;
        }
        networks.delete(network.id);
        response.writeHead(204);
        response.end();
      },
    },
    {
      method: "GET",
      path: /^\/networks$/,
      handler: (_request, response, { url }) => {
        const filters = parseFilters(url);
        respondJson(
          response,
          200,
          [...networks.values()]
            .filter((network) => labelMatch(network.labels, filters.label))
            .map((network) => ({ Id: network.id, Name: network.name, Labels: network.labels })),
        );
      },
    },
    {
      method: "POST",
      path: /^\/volumes\/create$/,
      handler: (_request, response, { body }) => {
        const spec = JSON.parse(body.toString() || "{}") as { Name: string; Labels?: Record<string, string> };
        volumes.set(spec.Name, { name: spec.Name, labels: spec.Labels ?? {} });
        respondJson(response, 201, { Name: spec.Name, Labels: spec.Labels ?? {} });
      },
    },
    {
      method: "DELETE",
      path: /^\/volumes\/([^/]+)$/,
      handler: (_request, response, { params }) => {
        if (!volumes.delete(params[0] ?? "")) {
          respondError(response, 404, `get ${params[0]}: no such volume`);
          return;
        }
        response.writeHead(204);
        response.end();
      },
    },
    {
      method: "GET",
      path: /^\/volumes$/,
      handler: (_request, response, { url }) => {
        const filters = parseFilters(url);
        respondJson(response, 200, {
          Volumes: [...volumes.values()]
            .filter((volume) => labelMatch(volume.labels, filters.label))
            .map((volume) => ({ Name: volume.name, Labels: volume.labels })),
        });
      },
    },
  ];

  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://fake");
      const path = url.pathname.replace(/^\/v\d+\.\d+/, "");
      const body = await readBody(request);
      requests.push({
        method: request.method ?? "GET",
        path: `${path}${url.search}`,
        rawUrl: request.url ?? "",
        body: body.toString(),
      });
      if (latencyMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, latencyMs));
      }
      for (const route of [...overrides].reverse().concat(routes)) {
        const match = route.method === request.method ? route.path.exec(path) : null;
        if (match) {
          await route.handler(request, response, { url, params: match.slice(1), body });
          return;
        }
      }
      respondError(response, 404, `page not found: ${request.method} ${path}`);
    })().catch((error: unknown) => {
      if (!response.headersSent) {
        respondError(response, 500, String(error));
      } else {
        response.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });

  return {
    socketPath,
    host: `unix://${socketPath}`,
    requests,
    containers,
    images,
    networks,
    volumes,
    override(method, path, handler) {
      overrides.push({ method, path, handler });
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(folder, { recursive: true, force: true });
    },
  };
}
