import type { ProbePlan } from "@ild/pod-translator";
import type { Clock } from "../runner-types.js";
import type { HandlerResult } from "./run-handler.js";

export interface ProbeCallbacks {
  /** successThreshold consecutive successes reached (called on every transition to healthy). */
  onHealthy(): void;
  /** failureThreshold consecutive failures reached. Return true to end the loop. */
  onUnhealthy(result: HandlerResult): boolean;
}

/**
 * The kubelet's probe worker: waits initialDelaySeconds, then probes every periodSeconds with
 * timeoutSeconds, counting consecutive results against the thresholds. Ends on abort, or when
 * `stopWhenHealthy` (startup probes) and the probe became healthy.
 */
export async function runProbeLoop(
  probe: ProbePlan,
  check: (timeoutMs: number, signal: AbortSignal) => Promise<HandlerResult>,
  callbacks: ProbeCallbacks,
  clock: Clock,
  signal: AbortSignal,
  stopWhenHealthy = false,
): Promise<void> {
  try {
    await clock.sleep(probe.initialDelaySeconds * 1000, signal);
    let successes = 0;
    let failures = 0;
    let healthy: boolean | undefined;
    while (!signal.aborted) {
      const result = await check(Math.max(1, probe.timeoutSeconds) * 1000, signal);
      if (signal.aborted) {
        return;
      }
      if (result.success) {
        successes += 1;
        failures = 0;
        if (successes >= Math.max(1, probe.successThreshold) && healthy !== true) {
          healthy = true;
          callbacks.onHealthy();
          if (stopWhenHealthy) {
            return;
          }
        }
      } else {
        failures += 1;
        successes = 0;
        if (failures >= Math.max(1, probe.failureThreshold) && healthy !== false) {
          healthy = false;
          if (callbacks.onUnhealthy(result)) {
            return;
          }
        }
      }
      await clock.sleep(Math.max(1, probe.periodSeconds) * 1000, signal);
    }
  } catch (error) {
    if (!signal.aborted) {
      throw error;
    }
  }
}
