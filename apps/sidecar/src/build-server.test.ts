import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { IldError, noopLogger } from "@ild/common";
import { afterEach, describe, expect, it } from "vitest";
import { createSidecarHandler } from "./build-server.js";
import { createSidecarMetrics } from "./metrics.js";
import type { ServerDependencies } from "./route-context.js";
import { createFakeRunner, type FakeRunner } from "./test-support/fake-runner.js";
import { rawRequest } from "./test-support/http-request.js";

const UID = "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f";

function pod(uid = UID, overrides: Record<string, unknown> = {}) {
  return {
    metadata: { name: "demo", namespace: "default", uid },
    spec: {
      initContainers: [{ name: "prepare", image: "ild/busybox:1" }],
      containers: [{ name: "main", image: "ild/busybox:1", command: ["sh", "-c", "echo hi"] }],
    },
    ...overrides,
  };
}

function createBody(uid = UID) {
  return {
    pod: pod(uid),
    container: [{ name: "prepare" }, { name: "main", configMaps: null }],
    jobConfig: {},
  };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(options: { token?: string; bodyLimitBytes?: number; runner?: FakeRunner } = {}) {
  const runner = options.runner ?? createFakeRunner();
  const deps: ServerDependencies = {
    runner,
    logger: noopLogger,
    metrics: createSidecarMetrics(),
    settings: {
      bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
      createTimeoutMs: 5000,
      ping: { pods: 50, cpu: "4", memory: "8Gi", taints: [{ key: "ild/test", effect: "NoSchedule" }] },
      ...(options.token === undefined ? {} : { authToken: options.token }),
    },
    deviceCapacity: () => [{ resource: "nvidia.com/gpu", total: 2, free: 1 }],
    poolStats: () => ({ size: 2, warm: 1, leased: 1, building: 0, failed: 0, waiting: 0 }),
    openApi: () => ({ openapi: "3.1.0" }),
  };
  const handler = createSidecarHandler(deps);
  const server = createServer(handler.listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    rawRequest(
      { port },
      method,
      path,
      body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      headers,
    );
  return { runner, call, handler };
}

describe("POST /create", () => {
  it("answers exactly 200 with one CreateStruct for an object body", async () => {
    const { call, runner } = await start();
    const answer = await call("POST", "/create", createBody());
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ PodUID: UID, PodJID: `job-${UID}` });
    expect(runner.calls.start).toEqual([UID]);
  });

  it("drain() waits for a create in flight (graceful shutdown)", async () => {
    const runner = createFakeRunner();
    let open: () => void = () => {};
    runner.gate = new Promise((resolve) => {
      open = resolve;
    });
    const { call, handler } = await start({ runner });
    const pending = call("POST", "/create", createBody());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(handler.inFlight()).toBe(1);
    expect(await handler.drain(50)).toBe(false);
    const drained = handler.drain(5000);
    open();
    expect(await drained).toBe(true);
    expect((await pending).status).toBe(200);
  });

  it("accepts interLink 0.4's one-element array and refuses longer arrays", async () => {
    const { call } = await start();
    expect((await call("POST", "/create", [createBody()])).status).toBe(200);
    const two = await call("POST", "/create", [createBody(), createBody()]);
    expect(two.status).toBe(400);
    expect(two.body).toContain("array of 2");
  });

  it("joins a repeated create of a pod in flight instead of starting it twice", async () => {
    const runner = createFakeRunner();
    let open: () => void = () => {};
    runner.gate = new Promise((resolve) => {
      open = resolve;
    });
    const { call } = await start({ runner });
    const first = call("POST", "/create", createBody());
    const second = call("POST", "/create", createBody());
    await new Promise((resolve) => setTimeout(resolve, 50));
    open();
    const answers = await Promise.all([first, second]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(runner.calls.start).toEqual([UID]);
  });

  it("rejects malformed JSON, wrong types and missing fields with a 400 naming the field", async () => {
    const { call } = await start();
    const malformed = await call("POST", "/create", "{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatch(/not (valid )?JSON/);
    const empty = await call("POST", "/create", "");
    expect(empty.status).toBe(400);
    const noUid = await call("POST", "/create", {
      pod: { metadata: { name: "a", namespace: "b" }, spec: { containers: [] } },
      container: [],
    });
    expect(noUid.status).toBe(400);
    expect(noUid.body).toContain("pod.metadata.uid");
    const wrongType = await call("POST", "/create", {
      pod: pod(UID, { spec: { containers: "nope" } }),
      container: [],
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toContain("pod.spec.containers");
  });

  it("rejects injection strings in identifiers before they reach the runner", async () => {
    const { call, runner } = await start();
    const body = createBody();
    body.pod.metadata.name = "demo; rm -rf /";
    const answer = await call("POST", "/create", body);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("pod.metadata.name");
    const badUid = await call("POST", "/create", createBody("../../etc"));
    expect(badUid.status).toBe(400);
    expect(badUid.body).toContain("pod.metadata.uid");
    const badContainer = createBody();
    badContainer.pod.spec.containers[0] = { name: "$(reboot)", image: "ild/busybox:1", command: [] };
    expect((await call("POST", "/create", badContainer)).body).toContain("pod.spec.containers[0].name");
    expect(runner.calls.start).toEqual([]);
  });

  it("refuses bodies over the limit with 413 and keeps serving", async () => {
    const { call } = await start({ bodyLimitBytes: 2048 });
    const big = JSON.stringify({ ...createBody(), padding: "x".repeat(10_000) });
    const answer = await call("POST", "/create", big);
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("2048 bytes");
    expect((await call("POST", "/create", createBody())).status).toBe(200);
  });

  it("turns a runner failure into a non-200 message that names the pod and the code", async () => {
    const runner = createFakeRunner();
    runner.failStartWith = new IldError("ILD_IMAGE_NOT_FOUND", "image nope:1 is not on the engine");
    const { call } = await start({ runner });
    const answer = await call("POST", "/create", createBody());
    expect(answer.status).toBe(404);
    expect(answer.body).toContain("default/demo");
    expect(answer.body).toContain("image nope:1 is not on the engine [ILD_IMAGE_NOT_FOUND]");
    runner.failStartWith = new Error("boom");
    expect((await call("POST", "/create", createBody())).status).toBe(500);
  });
});

describe("GET /status", () => {
  it("answers the ping [] with a PingResponse (capacity, accelerators, taints)", async () => {
    const { call } = await start();
    const answer = await call("GET", "/status", []);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      status: "ok",
      resources: {
        cpu: "4",
        memory: "8Gi",
        pods: "50",
        accelerators: [{ resourceType: "nvidia.com/gpu", available: "2" }],
      },
      taints: [{ key: "ild/test", effect: "NoSchedule" }],
    });
  });

  it("reports an unknown pod as waiting for every container and init container", async () => {
    const { call } = await start();
    const answer = await call("GET", "/status", [pod()]);
    expect(answer.status).toBe(200);
    const [status] = JSON.parse(answer.body);
    expect(status).toMatchObject({ name: "demo", UID, namespace: "default" });
    expect(status.containers).toHaveLength(1);
    expect(status.containers[0].state.waiting.reason).toBe("PodUnknownToProvider");
    expect(status.initContainers[0].name).toBe("prepare");
    expect(status.initContainers[0].state.waiting.message).toContain("no record");
  });

  it("reports a created pod with its JID", async () => {
    const { call } = await start();
    await call("POST", "/create", createBody());
    const [status] = JSON.parse((await call("GET", "/status", [pod()])).body);
    expect(status.JID).toBe(`job-${UID}`);
    expect(status.containers[0].state.running).toBeDefined();
  });

  it("rejects a non-list body", async () => {
    const { call } = await start();
    const answer = await call("GET", "/status", { metadata: {} });
    expect(answer.status).toBe(400);
  });
});

describe("GET /getLogs", () => {
  const logBody = (opts: Record<string, unknown> = {}) => ({
    Namespace: "default",
    PodUID: UID,
    PodName: "demo",
    ContainerName: "main",
    Opts: {
      Tail: 0,
      Bytes: 0,
      Timestamps: false,
      Follow: false,
      Previous: false,
      SinceSeconds: 0,
      SinceTime: "0001-01-01T00:00:00Z",
      ...opts,
    },
  });

  it("passes every option to the runner and returns the raw bytes", async () => {
    const { call, runner } = await start();
    await call("POST", "/create", createBody());
    const answer = await call(
      "GET",
      "/getLogs",
      logBody({ Tail: 5, Timestamps: true, Previous: true, SinceTime: "2026-01-01T00:00:00Z" }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("hello\n");
    expect(runner.calls.logs[0]?.options).toMatchObject({
      tail: 5,
      timestamps: true,
      previous: true,
      follow: false,
    });
    expect(runner.calls.logs[0]?.options.sinceTime?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("streams followed logs chunk by chunk", async () => {
    const runner = createFakeRunner();
    runner.logChunks = ["one\n", "two\n", "three\n"];
    runner.followDelayMs = 60;
    const { call } = await start({ runner });
    await call("POST", "/create", createBody());
    const answer = await call("GET", "/getLogs", logBody({ Follow: true }));
    expect(answer.body).toBe("one\ntwo\nthree\n");
    expect(answer.chunkTimes.length).toBeGreaterThanOrEqual(3);
  });

  it("answers 404 with a message for an unknown pod, 400 for both Tail and Bytes", async () => {
    const { call } = await start();
    const unknown = await call("GET", "/getLogs", logBody());
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain(UID);
    expect((await call("GET", "/getLogs", logBody({ Tail: 1, Bytes: 1 }))).status).toBe(400);
  });
});

describe("POST /delete", () => {
  it("is idempotent: 200 for a known, an already deleted and an unknown pod", async () => {
    const { call, runner } = await start();
    await call("POST", "/create", createBody());
    expect((await call("POST", "/delete", pod())).status).toBe(200);
    expect((await call("POST", "/delete", pod())).status).toBe(200);
    expect(runner.calls.stop).toEqual([UID, UID]);
    expect((await call("POST", "/delete", { metadata: {} })).status).toBe(400);
  });
});

describe("auth, routing and operator routes", () => {
  it("needs the bearer token on every route but /healthz", async () => {
    const { call } = await start({ token: "s3cret-token" });
    const denied = await call("GET", "/status", []);
    expect(denied.status).toBe(401);
    expect(denied.headers["www-authenticate"]).toContain("Bearer");
    expect((await call("GET", "/status", [], { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await call("GET", "/status", [], { authorization: "Bearer s3cret-token" })).status).toBe(200);
    expect((await call("GET", "/metrics", undefined)).status).toBe(401);
    const health = await call("GET", "/healthz");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok", ready: true, pool: { warm: 1 } });
  });

  it("answers 404 for unknown paths and 405 for wrong methods", async () => {
    const { call } = await start();
    expect((await call("GET", "/nope")).status).toBe(404);
    const wrong = await call("GET", "/create");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
    // interLink calls GET /getLogs with a JSON body; a POST is refused, not answered with an empty log
    const posted = await call("POST", "/getLogs", { PodUID: UID, ContainerName: "main", Opts: {} });
    expect(posted.status).toBe(405);
    expect(posted.headers.allow).toBe("GET");
  });

  it("never echoes a NUL or another control character from a request in an error message", async () => {
    const { call } = await start();
    const hostile = await call("POST", "/create", createBody("not\u0000a\u001buid"));
    expect(hostile.status).toBe(400);
    expect(hostile.body.includes("\u0000") || hostile.body.includes("\u001b")).toBe(false);
    expect(hostile.body).toContain("\\u0000");
    // a runner error that quotes a request field raw (the translator's "<value>" must be ...)
    const runner = createFakeRunner();
    runner.failStartWith = new IldError(
      "ILD_POD_INVALID",
      'spec.containers[0].imagePullPolicy: "Al\u0000ways" must be Always, IfNotPresent or Never',
    );
    const quoted = await (await start({ runner })).call("POST", "/create", createBody());
    expect(quoted.status).toBe(400);
    expect(quoted.body).toContain('"Al\\u0000ways" must be Always');
    expect(quoted.body.includes("\u0000")).toBe(false);
    // the same request with a real UID is created
    expect((await call("POST", "/create", createBody())).status).toBe(200);
  });

  it("exposes Prometheus metrics: pods by phase, pool counts, latencies, create durations", async () => {
    const { call } = await start();
    await call("POST", "/create", createBody());
    await call("GET", "/status", []);
    const metrics = await call("GET", "/metrics");
    expect(metrics.headers["content-type"]).toContain("version=0.0.4");
    expect(metrics.body).toContain('ild_pods{phase="Running"} 1');
    expect(metrics.body).toContain('ild_pool_dinds{state="warm"} 1');
    expect(metrics.body).toContain('ild_http_request_duration_seconds_count{route="/status",method="GET"} 1');
    expect(metrics.body).toContain('ild_pod_create_duration_seconds_count{outcome="created"} 1');
    expect(metrics.body).toContain('ild_devices{resource="nvidia.com/gpu",state="free"} 1');
  });

  it("serves the OpenAPI document", async () => {
    const { call } = await start();
    expect(JSON.parse((await call("GET", "/openapi.json")).body)).toEqual({ openapi: "3.1.0" });
  });
});
