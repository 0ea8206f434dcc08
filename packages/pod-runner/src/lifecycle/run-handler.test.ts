import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../test-support/manual-clock.js";
import { MemoryDocker } from "../test-support/memory-docker.js";
import { grpcHealthCheck } from "./grpc-health.js";
import { runHandler } from "./run-handler.js";

let httpServer: http.Server;
let grpcServer: http2.Http2Server;
let httpPort = 0;
let grpcPort = 0;
const target = { docker: new MemoryDocker(), containerId: "c", podIp: "127.0.0.1", clock: new ManualClock() };

/** A gRPC health server: `ok` is SERVING (1), anything else NOT_SERVING (2). */
function healthServer(): http2.Http2Server {
  return http2.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const service = body.length > 7 ? body.subarray(7).toString() : "";
      const message = Buffer.from([0x08, service === "ok" || service === "" ? 1 : 2]);
      const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
      response.writeHead(200, { "content-type": "application/grpc" });
      response.addTrailers({ "grpc-status": "0" });
      response.end(frame);
    });
  });
}

beforeAll(async () => {
  httpServer = http.createServer((request, response) => {
    response.statusCode = request.url === "/healthz" ? 200 : 503;
    response.end(request.headers["x-probe"] ?? "");
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  httpPort = (httpServer.address() as AddressInfo).port;
  grpcServer = healthServer();
  await new Promise<void>((resolve) => grpcServer.listen(0, "127.0.0.1", resolve));
  grpcPort = (grpcServer.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => httpServer.close(resolve));
  await new Promise((resolve) => grpcServer.close(resolve));
});

const signal = new AbortController().signal;

describe("runHandler", () => {
  it("httpGet: 2xx/3xx succeed, others fail, against the pod IP", async () => {
    const get = (path: string) =>
      runHandler(
        { kind: "httpGet", scheme: "HTTP", host: "", port: httpPort, path, headers: [] },
        target,
        1000,
        signal,
      );
    expect((await get("/healthz")).success).toBe(true);
    const failed = await get("/other");
    expect(failed.success).toBe(false);
    expect(failed.message).toContain("503");
  });

  it("tcpSocket: an open port succeeds, a closed one fails", async () => {
    expect(
      (await runHandler({ kind: "tcpSocket", host: "", port: httpPort }, target, 1000, signal)).success,
    ).toBe(true);
    const closed = await runHandler({ kind: "tcpSocket", host: "", port: 1 }, target, 1000, signal);
    expect(closed.success).toBe(false);
  });

  it("exec: the exit code of the command run in the container decides", async () => {
    target.docker.exec = async () => ({ exitCode: 3, stdout: "", stderr: "nope" });
    const result = await runHandler({ kind: "exec", command: ["check"] }, target, 1000, signal);
    expect(result).toMatchObject({ success: false, message: expect.stringContaining("nope") });
  });

  it("grpc: grpc.health.v1 SERVING succeeds, NOT_SERVING fails", async () => {
    expect(await grpcHealthCheck("127.0.0.1", grpcPort, "ok", 1000)).toBe(true);
    expect(await grpcHealthCheck("127.0.0.1", grpcPort, "down", 1000)).toBe(false);
    expect((await runHandler({ kind: "grpc", port: grpcPort }, target, 1000, signal)).success).toBe(true);
    expect(await grpcHealthCheck("127.0.0.1", 1, undefined, 1000)).toBe(false);
  });
});
