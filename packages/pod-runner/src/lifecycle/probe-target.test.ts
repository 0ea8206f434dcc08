/**
 * Probes and handlers dial the pod's own address only. The "pod" listens on 127.0.0.1; another host
 * (127.0.0.2, also loopback on Linux) listens on the same port and must never be reached: not via
 * `host`, not via a redirect.
 */
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { DockerClient } from "@ild/dind-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../test-support/manual-clock.js";
import { MemoryDocker } from "../test-support/memory-docker.js";
import { grpcHealthCheck, MAX_RESPONSE_BYTES } from "./grpc-health.js";
import { MAX_PROBE_REDIRECTS } from "./http-probe.js";
import { EXEC_OUTPUT_LIMIT_BYTES, runHandler } from "./run-handler.js";

let pod: http.Server;
let other: http.Server;
let port = 0;
const podPaths: string[] = [];
const otherHits: string[] = [];
const signal = new AbortController().signal;
const target = { docker: new MemoryDocker(), containerId: "c", podIp: "127.0.0.1", clock: new ManualClock() };

function listen(server: http.Server, host: string, wanted: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(wanted, host, () => resolve((server.address() as AddressInfo).port));
  });
}

beforeAll(async () => {
  pod = http.createServer((request, response) => {
    const path = request.url ?? "/";
    podPaths.push(path);
    const redirects: Record<string, string> = {
      "/away": `http://127.0.0.2:${port}/steal`,
      "/away-by-name": `http://localhost:${port}/steal`,
      "/same": "/healthz",
      "/same-failing": `http://127.0.0.1:${port}/broken`,
      "/loop": "/loop",
    };
    const location = redirects[path];
    if (location !== undefined) {
      response.writeHead(302, { location });
      response.end();
      return;
    }
    response.statusCode = path === "/healthz" ? 200 : 503;
    response.end(`host header ${request.headers.host}`);
  });
  port = await listen(pod, "127.0.0.1", 0);
  other = http.createServer((request, response) => {
    otherHits.push(request.url ?? "/");
    response.end("secret");
  });
  other.on("connection", () => otherHits.push("connection"));
  await listen(other, "127.0.0.2", port);
});

afterAll(async () => {
  await new Promise((resolve) => pod.close(resolve));
  await new Promise((resolve) => other.close(resolve));
});

const get = (path: string, host = "") =>
  runHandler({ kind: "httpGet", scheme: "HTTP", host, port, path, headers: [] }, target, 2000, signal);

describe("probe targets", () => {
  it("httpGet with a host goes to the pod's address; the other host gets nothing", async () => {
    podPaths.length = 0;
    const result = await get("/healthz", "127.0.0.2");
    expect(result.success).toBe(true);
    expect(podPaths).toEqual(["/healthz"]);
    expect(otherHits).toEqual([]);
  });

  it("tcpSocket with a host connects to the pod's address; the other host gets no connection", async () => {
    const result = await runHandler({ kind: "tcpSocket", host: "127.0.0.2", port }, target, 2000, signal);
    expect(result.success).toBe(true);
    expect(otherHits).toEqual([]);
  });

  it("a redirect to another host is not followed (success, as the kubelet), by address or by name", async () => {
    podPaths.length = 0;
    const away = await get("/away");
    expect(away.success).toBe(true);
    expect(away.message).toContain("not followed");
    const byName = await get("/away-by-name");
    expect(byName.success).toBe(true);
    expect(podPaths).toEqual(["/away", "/away-by-name"]);
    expect(otherHits).toEqual([]);
  });

  it("a redirect on the pod's own address is followed (relative or absolute), and its answer decides", async () => {
    podPaths.length = 0;
    expect((await get("/same")).success).toBe(true);
    const failing = await get("/same-failing");
    expect(failing.success).toBe(false);
    expect(failing.message).toContain("503");
    expect(podPaths).toEqual(["/same", "/healthz", "/same-failing", "/broken"]);
  });

  it(`a redirect loop fails after ${MAX_PROBE_REDIRECTS} redirects`, async () => {
    podPaths.length = 0;
    const result = await get("/loop");
    expect(result.success).toBe(false);
    expect(result.message).toContain(`${MAX_PROBE_REDIRECTS} redirects`);
    expect(podPaths).toHaveLength(MAX_PROBE_REDIRECTS + 1);
  });

  it("a pod without an IP address fails the probe without dialling anything (never localhost)", async () => {
    podPaths.length = 0;
    const noIp = { ...target, podIp: "" };
    const http = await runHandler(
      { kind: "httpGet", scheme: "HTTP", host: "", port, path: "/healthz", headers: [] },
      noIp,
      2000,
      signal,
    );
    expect(http).toMatchObject({ success: false, message: expect.stringContaining("no IP address") });
    const tcp = await runHandler({ kind: "tcpSocket", host: "", port }, noIp, 2000, signal);
    expect(tcp.success).toBe(false);
    const grpc = await runHandler({ kind: "grpc", port }, { ...target, podIp: "localhost" }, 2000, signal);
    expect(grpc.success).toBe(false);
    expect(podPaths).toEqual([]);
  });

  it("exec handlers ask the engine for at most 10 KiB of output (or the configured bound)", async () => {
    const seen: Array<number | undefined> = [];
    const docker = new MemoryDocker();
    const client: DockerClient = docker;
    client.exec = async (_id: string, _argv: string[], options?: Parameters<DockerClient["exec"]>[2]) => {
      seen.push(options?.maxOutputBytes);
      return { exitCode: 1, stdout: "x".repeat(100), stderr: "", truncated: true };
    };
    const result = await runHandler(
      { kind: "exec", command: ["check"] },
      { ...target, docker },
      1000,
      signal,
    );
    expect(result.success).toBe(false);
    await runHandler(
      { kind: "exec", command: ["check"] },
      { ...target, docker, execOutputLimitBytes: 64 },
      1000,
      signal,
    );
    expect(seen).toEqual([EXEC_OUTPUT_LIMIT_BYTES, 64]);
    expect(EXEC_OUTPUT_LIMIT_BYTES).toBe(10 * 1024);
  });
});

describe("gRPC health answers are bounded", () => {
  it("a server that streams more than a health answer fails the check without being buffered", async () => {
    const server = http2.createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/grpc" });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = (): void => {
        while (!response.destroyed && response.write(chunk)) {}
      };
      response.on("drain", pump);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const flood = (server.address() as AddressInfo).port;
    try {
      expect(MAX_RESPONSE_BYTES).toBe(16 * 1024);
      expect(await grpcHealthCheck("127.0.0.1", flood, undefined, 5000)).toBe(false);
    } finally {
      server.close();
    }
  });
});
