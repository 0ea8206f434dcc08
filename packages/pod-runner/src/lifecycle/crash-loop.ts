import type { ContainerRecord, ContainerStateRecord } from "../state/pod-record.js";
import { type BackoffOptions, backoffDelay, shouldResetBackoff } from "./backoff.js";

/** How long the instance that just ended ran: the runner's clock when it saw it start, else the engine's stamps. */
export function ranForMs(container: ContainerRecord, now: number): number | undefined {
  if (container.runningSinceMs !== undefined) {
    return now - container.runningSinceMs;
  }
  return engineRunTime(container.state);
}

function engineRunTime(state: ContainerStateRecord): number | undefined {
  if (state.kind !== "terminated" || state.startedAt === undefined || state.finishedAt === undefined) {
    return undefined;
  }
  const ran = Date.parse(state.finishedAt) - Date.parse(state.startedAt);
  return Number.isFinite(ran) ? ran : undefined;
}

/**
 * The back-off before the next restart of a container that just ended. The kubelet forgets a container's
 * back-off once it ran longer than twice the cap (10 min by default): the next restart waits the initial
 * delay again, while restartCount keeps counting.
 */
export function crashLoopDelay(container: ContainerRecord, now: number, options: BackoffOptions): number {
  const ran = ranForMs(container, now);
  if (ran !== undefined && shouldResetBackoff(ran, options)) {
    container.backoffBase = container.restartCount;
  }
  const steps = container.restartCount - (container.backoffBase ?? 0);
  return backoffDelay(Math.max(0, steps), options);
}
