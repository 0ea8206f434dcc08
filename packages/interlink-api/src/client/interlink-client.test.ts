import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WireValidationError } from "../errors.js";
import { editableFixture, fixture } from "../parse/fixtures.test-helper.js";
import { toNodeHandler } from "../server/node-handler.js";
import { createPluginHandlers, type PluginImplementation } from "../server/plugin-handlers.js";
import { samplePlugin } from "../server/sample-plugin.test-helper.js";
import type { LogStruct, Pod, RetrievedPodData } from "../wire-types.js";
import { createInterlinkClient, type InterlinkClient } from "./interlink-client.js";
import { PluginHttpError } from "./plugin-http-error.js";

/** A gate the follow-logs implementation waits on, so the test decides when the stream ends. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** One entry per follow request: `release` ends its stream, `aborted` opens when its signal aborts. */
const follows: Array<{ release: ReturnType<typeof gate>; aborted: ReturnType<typeof gate> }> = [];
const seenHeaders: Array<Record<string, string | string[] | undefined>> = [];

const sample = samplePlugin({
  logs(request, context) {
    seenHeaders.push({ ...context.headers });
    if (!request.follow) {
      return { stream: `hello from ${request.containerName}\n` };
    }
    const follow = { release: gate(), aborted: gate() };
    follows.push(follow);
    context.signal.addEventListener("abort", () => follow.aborted.open(), { once: true });
    return {
      stream: (async function* () {
        yield "line 1\n";
        await Promise.race([follow.release.promise, follow.aborted.promise]);
        yield "line 2\n";
      })(),
    };
  },
  ping: () => ({ status: "ok", resources: { cpu: "4", memory: "8Gi", pods: "10" } }),
});
const implementation: PluginImplementation = sample.implementation;

const dir = mkdtempSync(join(tmpdir(), "ild-interlink-client-"));
const socketPath = join(dir, "plugin.sock");
let tcpServer: Server;
let unixServer: Server;
let tcpUrl: string;

beforeAll(async () => {
  const handler = toNodeHandler(createPluginHandlers(implementation), { bodyLimitBytes: 64 * 1024 });
  tcpServer = createServer(handler).listen(0, "127.0.0.1");
  unixServer = createServer(handler).listen(socketPath);
  await Promise.all([once(tcpServer, "listening"), once(unixServer, "listening")]);
  tcpUrl = `http://127.0.0.1:${(tcpServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  tcpServer.closeAllConnections();
  unixServer.closeAllConnections();
  await Promise.all([new Promise((r) => tcpServer.close(r)), new Promise((r) => unixServer.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) {
    text += chunk.toString();
  }
  return text;
}

const transports: Array<[string, () => InterlinkClient]> = [
  ["TCP", () => createInterlinkClient({ baseUrl: tcpUrl })],
  ["a unix socket", () => createInterlinkClient({ socketPath })],
];

describe.each(transports)("createInterlinkClient over %s", (_name, makeClient) => {
  let client: InterlinkClient;
  beforeAll(() => {
    client = makeClient();
  });
  afterAll(async () => {
    await client.close();
  });

  it("creates, reads status, pings, reads logs and deletes", async () => {
    const created = await client.create(fixture("create-request.json") as RetrievedPodData);
    expect(created.PodUID).toBe("3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f");
    const statuses = await client.status(fixture("status-request.json") as Pod[]);
    expect(statuses[0]?.containers[0]?.state?.running).toBeDefined();
    const ping = await client.ping();
    expect(ping.response).toEqual({ status: "ok", resources: { cpu: "4", memory: "8Gi", pods: "10" } });
    const logs = await client.logs(fixture("log-request.json") as LogStruct);
    expect(await readAll(logs)).toBe("hello from main\n");
    expect(await client.delete(fixture("delete-request.json") as Pod)).toBe(
      "pod 3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f deleted\n",
    );
  });

  it("sends JSON bodies on GET with interLink's headers", async () => {
    seenHeaders.length = 0;
    await readAll(await client.logs(fixture("log-request.json") as LogStruct, { sessionId: "GetLogs#42" }));
    expect(seenHeaders[0]).toMatchObject({
      "content-type": "application/json",
      "interlink-http-session": "GetLogs#42",
    });
    seenHeaders.length = 0;
    await readAll(await client.logs(fixture("log-request.json") as LogStruct));
    expect(seenHeaders[0]?.["interlink-http-session"]).toMatch(/^GetLogs#\d+$/);
  });

  it("throws PluginHttpError with status and body on a non-200 answer", async () => {
    const body = editableFixture("create-request.json");
    delete body.pod.metadata.uid;
    const error = await client.create(body).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginHttpError);
    expect(error).toMatchObject({
      code: "ILD_PLUGIN_HTTP",
      status: 400,
      path: "/create",
      body: "invalid create request:\n  pod.metadata.uid: required\n",
    });
  });

  it("gets 413 for a body over the limit", async () => {
    const body = editableFixture("create-request.json");
    body.pod.metadata.annotations.big = "x".repeat(100 * 1024);
    await expect(client.create(body)).rejects.toMatchObject({ status: 413 });
  });
});

describe("follow logs", () => {
  it("delivers lines as they are written and ends when the plugin ends the stream", async () => {
    const client = createInterlinkClient({ socketPath });
    try {
      const request = editableFixture("log-request.json");
      request.Opts = { ...request.Opts, Tail: 0, Follow: true };
      const stream = await client.logs(request);
      const iterator = stream[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value.toString()).toBe("line 1\n");
      follows.at(-1)?.release.open();
      let rest = "";
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        rest += next.value.toString();
      }
      expect(rest).toBe("line 2\n");
    } finally {
      await client.close();
    }
  });

  it("aborts the handler's signal when the client goes away", async () => {
    const client = createInterlinkClient({ baseUrl: tcpUrl });
    const request = editableFixture("log-request.json");
    request.Opts = { ...request.Opts, Tail: 0, Follow: true };
    const controller = new AbortController();
    const stream = await client.logs(request, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await follows.at(-1)?.aborted.promise;
    expect(follows).toHaveLength(2);
    await client.close();
  });
});

describe("createInterlinkClient options", () => {
  it("needs exactly one of baseUrl and socketPath", () => {
    expect(() => createInterlinkClient({})).toThrow(TypeError);
    expect(() => createInterlinkClient({ baseUrl: tcpUrl, socketPath })).toThrow(TypeError);
  });

  it("sends the bearer token and extra headers", async () => {
    const guarded = createServer(
      toNodeHandler(createPluginHandlers(implementation, { authToken: "t0ken" })),
    ).listen(0, "127.0.0.1");
    await once(guarded, "listening");
    const url = `http://127.0.0.1:${(guarded.address() as AddressInfo).port}`;
    const anonymous = createInterlinkClient({ baseUrl: url });
    const authorised = createInterlinkClient({ baseUrl: url, token: "t0ken", headers: { "x-extra": "1" } });
    try {
      await expect(anonymous.ping()).rejects.toMatchObject({ status: 401 });
      expect((await authorised.ping()).response?.status).toBe("ok");
    } finally {
      await Promise.all([anonymous.close(), authorised.close()]);
      guarded.closeAllConnections();
      await new Promise((r) => guarded.close(r));
    }
  });

  it("rejects an answer that breaks the contract with WireValidationError", async () => {
    const odd = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify([{ PodUID: "u", PodJID: "1" }]));
    }).listen(0, "127.0.0.1");
    await once(odd, "listening");
    const client = createInterlinkClient({
      baseUrl: `http://127.0.0.1:${(odd.address() as AddressInfo).port}`,
    });
    try {
      await expect(client.create(fixture("create-request.json") as RetrievedPodData)).rejects.toBeInstanceOf(
        WireValidationError,
      );
      const ping = await client.ping();
      expect(ping.response).toBeUndefined();
      expect(ping.body).toBe('[{"PodUID":"u","PodJID":"1"}]');
    } finally {
      await client.close();
      odd.closeAllConnections();
      await new Promise((r) => odd.close(r));
    }
  });
});
