/**
 * Readiness of an inner dockerd: poll `GET /_ping` on its socket every `intervalMs` (the API socket
 * opens only once the daemon has completed initialisation), check every few polls that the DIND
 * container still runs (fail fast when it exited), all under one deadline.
 */
import { sleep } from "@ild/common";
import type { DockerClient } from "../docker/docker-client.js";

export type DaemonWaitOutcome =
  | { ready: true; polls: number }
  | { ready: false; reason: "exited"; exitCode: number; polls: number }
  | { ready: false; reason: "timeout"; polls: number };

export async function waitForDaemon(options: {
  host: DockerClient;
  inner: DockerClient;
  containerId: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}): Promise<DaemonWaitOutcome> {
  const interval = options.intervalMs ?? 25;
  const deadline = Date.now() + options.timeoutMs;
  let polls = 0;
  while (true) {
    options.signal?.throwIfAborted();
    polls++;
    const attemptSignal = AbortSignal.timeout(Math.max(50, Math.min(2000, deadline - Date.now())));
    try {
      await options.inner.ping({
        signal: options.signal ? AbortSignal.any([options.signal, attemptSignal]) : attemptSignal,
      });
      return { ready: true, polls };
    } catch {
      options.signal?.throwIfAborted();
      // not listening yet (ENOENT / ECONNREFUSED) or still initialising: keep polling
    }
    if (polls % 8 === 0) {
      const inspected = await options.host.inspectContainer(options.containerId, { signal: options.signal });
      if (!inspected.state.running) {
        return { ready: false, reason: "exited", exitCode: inspected.state.exitCode, polls };
      }
    }
    if (Date.now() >= deadline) {
      return { ready: false, reason: "timeout", polls };
    }
    await sleep(interval, options.signal);
  }
}

/** The last `lines` log lines of a container, as text (never throws). */
export async function logTail(host: DockerClient, containerId: string, lines = 50): Promise<string[]> {
  try {
    const tail = await host.readLogs(containerId, { tail: lines, signal: AbortSignal.timeout(5000) });
    return tail.map((line) => line.data.toString("utf8").replace(/\n$/, ""));
  } catch {
    return [];
  }
}
