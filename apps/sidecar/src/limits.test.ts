/**
 * The sidecar's load limits through the real HTTP server: creates in flight (a runner whose create
 * blocks), open connections, streamed body limits, Retry-After on 429/503.
 */
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { IldError, noopLogger } from "@ild/common";
import { loadConfig } from "@ild/config";
import { afterEach, describe, expect, it } from "vitest";
import { createSidecarHandler, type SidecarHandler } from "./build-server.js";
import { type ConnectionLimit, createConnectionLimit } from "./connection-limit.js";
import { DEFAULT_MAX_CONCURRENT_CREATES, DEFAULT_RETRY_AFTER_SECONDS } from "./limits.js";
import { type BoundListener, closeListeners, listenAll } from "./listeners.js";
import { createSidecarMetrics } from "./metrics.js";
import type { ServerSettings } from "./route-context.js";
import { toServerSettings } from "./sidecar-settings.js";
import { createFakeRunner, type FakeRunner } from "./test-support/fake-runner.js";
import { rawRequest } from "./test-support/http-request.js";

const uid = (n: number) => `3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e${n.toString(16).padStart(2, "0")}`;

function createBody(podUid: string) {
  return JSON.stringify({
    pod: {
      metadata: { name: `demo-${podUid.slice(-2)}`, namespace: "default", uid: podUid },
      spec: { containers: [{ name: "main", image: "ild/busybox:1" }] },
    },
    container: [{ name: "main" }],
  });
}

const open: BoundListener[][] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    socket.destroy();
  }
  for (const listeners of open.splice(0)) {
    await closeListeners(listeners, 0);
  }
});

async function start(
  settings: Partial<ServerSettings> = {},
  options: { runner?: FakeRunner; connections?: ConnectionLimit } = {},
) {
  const runner = options.runner ?? createFakeRunner();
  const handler: SidecarHandler = createSidecarHandler({
    runner,
    logger: noopLogger,
    metrics: createSidecarMetrics(),
    settings: { bodyLimitBytes: 64 * 1024, createTimeoutMs: 5000, ping: { pods: 10 }, ...settings },
    openApi: () => ({}),
    ...(options.connections === undefined ? {} : { connections: options.connections }),
  });
  const listeners = await listenAll(
    {
      tcp: { host: "127.0.0.1", port: 0 },
      timeouts: { headersMs: 10_000, requestMs: 20_000, keepAliveMs: 10_000 },
      ...(options.connections === undefined ? {} : { connections: options.connections }),
    },
    handler.listener,
  );
  open.push(listeners);
  const port = listeners[0]?.port ?? 0;
  const call = (method: string, path: string, body?: string) => rawRequest({ port }, method, path, body);
  return { runner, handler, port, call };
}

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function gated(): { runner: FakeRunner; release: () => void } {
  const runner = createFakeRunner();
  let release: () => void = () => {};
  runner.gate = new Promise((resolve) => {
    release = resolve;
  });
  return { runner, release };
}

describe("creates in flight (Ild.server.maxConcurrentCreates)", () => {
  it("queues creates past the running limit (first come, first served) and answers 429 only past the queue; a repeated create still joins", async () => {
    const { runner, release } = gated();
    const { call, handler } = await start(
      { maxConcurrentCreates: 2, maxQueuedCreates: 1, retryAfterSeconds: 7 },
      { runner },
    );
    const first = call("POST", "/create", createBody(uid(1)));
    const second = call("POST", "/create", createBody(uid(2)));
    await until(() => runner.calls.start.length === 2);
    // interLink never retries a /create: the third waits for a slot instead of being refused
    const third = call("POST", "/create", createBody(uid(3)));
    await until(() => handler.creates.size() === 3);
    expect(runner.calls.start).toEqual([uid(1), uid(2)]);

    const refused = await call("POST", "/create", createBody(uid(4)));
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBe("7");
    expect(refused.body).toContain("default/demo-04");
    expect(refused.body).toContain("Ild.server.maxQueuedCreates");
    expect(refused.body).toContain("ILD_SIDECAR_TOO_MANY_CREATES");

    // the same pod again joins its create in flight instead of being refused
    const run = handler.creates.run;
    let joined = 0;
    handler.creates.run = (podUid, begin, queueSignal) => {
      joined += 1;
      return run(podUid, begin, queueSignal);
    };
    const again = call("POST", "/create", createBody(uid(1)));
    await until(() => joined === 1);
    expect(handler.creates.size()).toBe(3);
    release();
    const answers = await Promise.all([first, second, again, third]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(runner.calls.start).toEqual([uid(1), uid(2), uid(3)]);

    // capacity is back once they finished
    expect((await call("POST", "/create", createBody(uid(4)))).status).toBe(200);
  });

  it("defaults to 4 creates running at once, the fifth waits", async () => {
    const { runner, release } = gated();
    const { call, handler } = await start({}, { runner });
    const pending = [1, 2, 3, 4, 5].map((n) => call("POST", "/create", createBody(uid(n))));
    await until(() => handler.creates.size() === 5 && runner.calls.start.length === 4);
    // first come, first served: the fifth is the one that waits
    expect(runner.calls.start).not.toContain(uid(5));
    release();
    expect((await Promise.all(pending)).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(runner.calls.start).toHaveLength(5);
  });

  it("a 503 from the runner (no DIND free) carries Retry-After too", async () => {
    const runner = createFakeRunner();
    runner.failStartWith = new IldError("ILD_POOL_EXHAUSTED", "no DIND is free");
    const { call } = await start({ retryAfterSeconds: 3 }, { runner });
    const answer = await call("POST", "/create", createBody(uid(1)));
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toBe("3");
    expect(answer.body).toContain("no DIND is free");
  });
});

/** One HTTP/1.1 request written on its own connection; resolves with what came back until close. */
function requestOn(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.write(
      `GET ${path} HTTP/1.1\r\nhost: ild\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n[]`,
    );
  });
}

function openConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    sockets.push(socket);
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("open connections (Ild.server.maxConnections)", () => {
  it("answers 503 with Retry-After on a connection past the limit and closes it; /healthz still answers", async () => {
    const connections = createConnectionLimit(2);
    const { port, call } = await start({ retryAfterSeconds: 9 }, { connections });
    await openConnection(port);
    await openConnection(port);
    await until(() => connections.open() === 2);

    const over = await openConnection(port);
    await until(() => connections.open() === 3);
    const answer = await requestOn(over, "/status");
    expect(answer).toMatch(/^HTTP\/1\.1 503/);
    expect(answer.toLowerCase()).toContain("retry-after: 9");
    expect(answer.toLowerCase()).toContain("connection: close");
    expect(answer).toContain("more than 2 open connections (Ild.server.maxConnections");

    const health = await openConnection(port);
    await until(() => connections.open() === 3);
    expect(await requestOn(health, "/healthz")).toMatch(/^HTTP\/1\.1 200/);

    // with the idle ones gone, a new connection is served again
    for (const socket of sockets.splice(0)) {
      socket.destroy();
    }
    await until(() => connections.open() === 0);
    expect((await call("GET", "/status", "[]")).status).toBe(200);
  });

  it("past twice the limit a connection is closed before anything is read", async () => {
    const connections = createConnectionLimit(1);
    const { port } = await start({}, { connections });
    await openConnection(port);
    await openConnection(port);
    await until(() => connections.open() === 2);
    const refused = await openConnection(port);
    expect(await requestOn(refused, "/status")).toBe("");
    expect(connections.open()).toBe(2);
  });
});

describe("request bodies (Ild.server.bodyLimitBytes)", () => {
  it("refuses a chunked body (no Content-Length) past the limit with 413 naming it, without reading it all", async () => {
    const { port, call } = await start({ bodyLimitBytes: 4096 });
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/create",
          headers: { "content-type": "application/json" },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
        },
      );
      outgoing.on("error", reject);
      // 1 KiB chunks, with no end: the answer must come before the client ever finishes
      const chunk = Buffer.alloc(1024, 0x20);
      let written = 0;
      const pump = (): void => {
        while (written < 64 && outgoing.write(chunk)) {
          written += 1;
        }
      };
      outgoing.on("drain", pump);
      pump();
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("limit of 4096 bytes (Ild.server.bodyLimitBytes)");
    expect((await call("POST", "/create", createBody(uid(1)))).status).toBe(200);
  });
});

describe("the limits come from the configuration", () => {
  it("ILD_SERVER_* (and Ild.server.*) reach the server settings; the defaults are 4, 128 and 5", async () => {
    const none = "/nonexistent/InterLinkConfig.yaml";
    const set = loadConfig({
      env: {
        ILD_SERVER_MAX_CONCURRENT_CREATES: "9",
        ILD_SERVER_MAX_QUEUED_CREATES: "11",
        ILD_SERVER_MAX_CONNECTIONS: "33",
        ILD_SERVER_RETRY_AFTER_SECONDS: "2",
      },
      defaultPath: none,
    });
    const settings = await toServerSettings(set.config, {});
    expect(settings).toMatchObject({ maxConcurrentCreates: 9, maxQueuedCreates: 11, retryAfterSeconds: 2 });
    expect(set.config.server.maxConnections).toBe(33);
    const defaults = loadConfig({ env: {}, defaultPath: none });
    expect(defaults.config.server).toMatchObject({
      maxConcurrentCreates: DEFAULT_MAX_CONCURRENT_CREATES,
      maxQueuedCreates: 256,
      maxConnections: 128,
      retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
    });
    expect(() => loadConfig({ env: { ILD_SERVER_MAX_CONCURRENT_CREATES: "0" }, defaultPath: none })).toThrow(
      /ILD_SERVER_MAX_CONCURRENT_CREATES/,
    );
  });
});
