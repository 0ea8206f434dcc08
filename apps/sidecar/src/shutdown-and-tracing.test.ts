import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { noopLogger } from "@ild/common";
import { InMemorySpanExporter, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it, vi } from "vitest";
import { createSidecarHandler } from "./build-server.js";
import { createSidecarMetrics } from "./metrics.js";
import { installSignalHandlers } from "./shutdown.js";
import { createFakeRunner } from "./test-support/fake-runner.js";
import { rawRequest } from "./test-support/http-request.js";
import { createTracer, loadOtelModules, noopTracer, type OtelLoader } from "./tracing.js";

const UID = "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f";

function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const logger = {
    ...noopLogger,
    info: (_bindings: object, message: string) => lines.push({ level: "info", message }),
    warn: (_bindings: object, message: string) => lines.push({ level: "warn", message }),
    child: () => logger,
  };
  return { logger, lines };
}

describe("signals", () => {
  it("stops once on SIGTERM and exits 0; a repeated SIGTERM is ignored, a second SIGINT exits 130", async () => {
    const { logger, lines } = recordingLogger();
    const exits: number[] = [];
    let stops = 0;
    let finish: () => void = () => {};
    const uninstall = installSignalHandlers(
      logger,
      () => {
        stops++;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
      (code) => exits.push(code),
    );
    try {
      process.emit("SIGTERM", "SIGTERM");
      process.emit("SIGTERM", "SIGTERM");
      expect(stops).toBe(1);
      expect(exits).toEqual([]);
      expect(lines.map((line) => line.message)).toContain("SIGTERM again: already stopping");
      process.emit("SIGINT", "SIGINT");
      expect(exits).toEqual([130]);
      finish();
      await new Promise((resolve) => setImmediate(resolve));
      expect(exits).toEqual([130, 0]);
    } finally {
      uninstall();
    }
  });
});

describe("tracing switch", () => {
  it("costs nothing when off: the no-op tracer, the OpenTelemetry loader never called, nothing logged", async () => {
    const { logger, lines } = recordingLogger();
    const load = vi.fn<OtelLoader>(loadOtelModules);
    const tracer = await createTracer({ enabled: false, endpoint: "localhost:4317" }, logger, { load });
    expect(tracer).toBe(noopTracer);
    expect(load).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it("says in one line that tracing is unavailable when the OpenTelemetry packages cannot be loaded", async () => {
    const { logger, lines } = recordingLogger();
    const load = vi.fn<OtelLoader>(async () => {
      throw new Error("Cannot find package '@opentelemetry/api'");
    });
    const tracer = await createTracer({ enabled: true, endpoint: "collector:4317" }, logger, { load });
    expect(load).toHaveBeenCalledOnce();
    expect(tracer.enabled).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe("warn");
    expect(lines[0]?.message).toMatch(
      /^tracing unavailable: ENABLE_TRACING=1 but the @opentelemetry packages/,
    );
  });

  it("turns on with the real packages and an unreachable collector; shutdown stays bounded", async () => {
    const { logger, lines } = recordingLogger();
    const tracer = await createTracer({ enabled: true, endpoint: "127.0.0.1:1", uniqueId: "unit" }, logger, {
      shutdownTimeoutMs: 2000,
    });
    expect(tracer.enabled).toBe(true);
    expect(lines).toEqual([{ level: "info", message: "tracing on: OTLP/gRPC to 127.0.0.1:1 (plaintext)" }]);
    tracer.startSpan("GET /status").end();
    await tracer.shutdown();
  });

  it("refuses a CA without the client certificate and key: one line, no tracing", async () => {
    const { logger, lines } = recordingLogger();
    const tracer = await createTracer(
      { enabled: true, endpoint: "collector:4317", caCertFile: "/nonexistent/ca.crt" },
      logger,
    );
    expect(tracer.enabled).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.message).toMatch(/TELEMETRY_CLIENT_CRT_FILEPATH and TELEMETRY_CLIENT_KEY_FILEPATH/);
  });

  it("exports one span per request with the pod UID, namespace and status, and a child span for create", async () => {
    const memory = new InMemorySpanExporter();
    // Kept past shutdown (InMemorySpanExporter forgets its spans when shut down).
    const exporter: SpanExporter = {
      export: (spans, done) => memory.export(spans, done),
      shutdown: async () => {},
    };
    const { logger, lines } = recordingLogger();
    const tracer = await createTracer(
      { enabled: true, endpoint: "localhost:4317", uniqueId: "test-id" },
      logger,
      {
        exporter: () => exporter,
      },
    );
    expect(lines.map((line) => line.message)).toEqual([
      "tracing on: OTLP/gRPC to localhost:4317 (custom exporter)",
    ]);
    const handler = createSidecarHandler({
      runner: createFakeRunner(),
      logger: noopLogger,
      metrics: createSidecarMetrics(),
      settings: {
        bodyLimitBytes: 1024 * 1024,
        createTimeoutMs: 5000,
        ping: { pods: 50, cpu: "4", memory: "8Gi", taints: [] },
      },
      openApi: () => ({}),
      tracer,
    });
    const server = createServer(handler.listener);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const body = JSON.stringify({
        pod: {
          metadata: { name: "demo", namespace: "team-a", uid: UID },
          spec: { containers: [{ name: "main", image: "ild/busybox:1" }] },
        },
        container: [{ name: "main" }],
        jobConfig: {},
      });
      const answer = await rawRequest({ port }, "POST", "/create", body);
      expect(answer.status).toBe(200);
      const missing = await rawRequest({ port }, "GET", "/nowhere");
      expect(missing.status).toBe(404);
      expect(await handler.drain(5000)).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await tracer.shutdown();

    const spans = memory.getFinishedSpans();
    const create = spans.find((span) => span.name === "POST /create");
    expect(create?.attributes).toMatchObject({
      podUID: UID,
      "k8s.pod.uid": UID,
      "k8s.namespace.name": "team-a",
      "http.route": "/create",
      "http.response.status_code": 200,
    });
    expect(typeof create?.attributes["ild.duration_ms"]).toBe("number");
    expect(create?.resource.attributes["service.name"]).toBe("Plugin-test-id");
    const phase = spans.find((span) => span.name === "create: start pod");
    expect(phase?.spanContext().traceId).toBe(create?.spanContext().traceId);
    expect(phase?.parentSpanContext?.spanId).toBe(create?.spanContext().spanId);
    const notFound = spans.find((span) => span.name === "GET unknown");
    expect(notFound?.attributes["http.response.status_code"]).toBe(404);
  });
});
