import net from "node:net";
import type { DockerClient } from "@ild/dind-pool";
import type { HandlerPlan } from "@ild/pod-translator";
import type { Clock } from "../runner-types.js";
import { grpcHealthCheck } from "./grpc-health.js";
import { httpProbe } from "./http-probe.js";

/** The kubelet reads at most 10 KiB of an exec probe's output. */
export const EXEC_OUTPUT_LIMIT_BYTES = 10 * 1024;

export interface HandlerTarget {
  docker: DockerClient;
  containerId: string;
  /**
   * The pod's own address (its sandbox's IP): httpGet/tcpSocket/grpc connect here and nowhere else;
   * a `host` in the handler is never dialled.
   */
  podIp: string;
  clock: Clock;
  /** Most bytes of an exec handler's stdout and of its stderr kept (default 10 KiB, as the kubelet). */
  execOutputLimitBytes?: number;
}

export interface HandlerResult {
  success: boolean;
  message?: string;
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

/** Largest delay a Node timer takes (about 24.8 days): "no timeout" for socket and gRPC timers. */
const TIMER_MAX_MS = 2 ** 31 - 1;

/**
 * Runs a probe or lifecycle handler: exec in the container (argv only, output bounded); httpGet,
 * tcpSocket and grpc from this process to the pod's own address only, never to `host`. A `timeoutMs`
 * of Infinity means none (postStart: the kubelet sets no timeout): it ends when it ends or `signal` aborts.
 */
export async function runHandler(
  handler: HandlerPlan,
  target: HandlerTarget,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HandlerResult> {
  const unbounded = !Number.isFinite(timeoutMs);
  const bounded = unbounded ? signal : AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  const timerMs = unbounded ? TIMER_MAX_MS : timeoutMs;
  const network = handler.kind === "httpGet" || handler.kind === "tcpSocket" || handler.kind === "grpc";
  if (network && net.isIP(target.podIp) === 0) {
    return {
      success: false,
      message: `the pod has no IP address to ${handler.kind} (got "${target.podIp}")`,
    };
  }
  try {
    switch (handler.kind) {
      case "exec": {
        const result = await target.docker.exec(target.containerId, handler.command, {
          signal: bounded,
          maxOutputBytes: target.execOutputLimitBytes ?? EXEC_OUTPUT_LIMIT_BYTES,
        });
        return {
          success: result.exitCode === 0,
          message: `command exited with ${result.exitCode}: ${(result.stdout + result.stderr).slice(0, 512)}`,
        };
      }
      case "httpGet":
        return await httpProbe(handler, target.podIp, timerMs, bounded);
      case "tcpSocket":
        return await tcpConnect(target.podIp, handler.port, timerMs, bounded);
      case "grpc":
        return {
          success: await grpcHealthCheck(target.podIp, handler.port, handler.service, timerMs, bounded),
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
