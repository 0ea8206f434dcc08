import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { DockerClient } from "@ild/dind-pool";
import type { HandlerPlan } from "@ild/pod-translator";
import type { Clock } from "../runner-types.js";
import { grpcHealthCheck } from "./grpc-health.js";

export interface HandlerTarget {
  docker: DockerClient;
  containerId: string;
  /** Pod IP: httpGet/tcpSocket/grpc connect here from this process. */
  podIp: string;
  clock: Clock;
}

export interface HandlerResult {
  success: boolean;
  message?: string;
}

function httpGet(
  handler: Extract<HandlerPlan, { kind: "httpGet" }>,
  host: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HandlerResult> {
  return new Promise((resolve) => {
    const client = handler.scheme === "HTTPS" ? https : http;
    const headers: Record<string, string> = { "user-agent": "kube-probe/ild", accept: "*/*" };
    for (const header of handler.headers) {
      headers[header.name] = header.value;
    }
    const request = client.request(
      {
        host,
        port: handler.port,
        path: handler.path || "/",
        method: "GET",
        headers,
        timeout: timeoutMs,
        signal,
        ...(handler.scheme === "HTTPS" ? { rejectUnauthorized: false } : {}),
      },
      (response) => {
        response.resume();
        const code = response.statusCode ?? 0;
        resolve({
          success: code >= 200 && code < 400,
          message: `HTTP probe failed with statuscode: ${code}`,
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", (error) => resolve({ success: false, message: error.message }));
    request.end();
  });
}

function tcpConnect(
  host: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HandlerResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs, signal });
    socket.once("connect", () => {
      socket.destroy();
      resolve({ success: true });
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve({ success: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    socket.once("error", (error) => resolve({ success: false, message: error.message }));
  });
}

/** Runs a probe or lifecycle handler from this process (exec: in the container, argv only). */
export async function runHandler(
  handler: HandlerPlan,
  target: HandlerTarget,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HandlerResult> {
  const bounded = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  try {
    switch (handler.kind) {
      case "exec": {
        const result = await target.docker.exec(target.containerId, handler.command, { signal: bounded });
        return {
          success: result.exitCode === 0,
          message: `command exited with ${result.exitCode}: ${(result.stdout + result.stderr).slice(0, 512)}`,
        };
      }
      case "httpGet":
        return await httpGet(handler, handler.host || target.podIp, timeoutMs, bounded);
      case "tcpSocket":
        return await tcpConnect(handler.host || target.podIp, handler.port, timeoutMs, bounded);
      case "grpc":
        return {
          success: await grpcHealthCheck(target.podIp, handler.port, handler.service, timeoutMs, bounded),
          message: "gRPC health check did not answer SERVING",
        };
      case "sleep":
        await target.clock.sleep(handler.seconds * 1000, signal);
        return { success: true };
    }
  } catch (error) {
    return { success: false, message: error instanceof Error ? error.message : String(error) };
  }
}
