export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const kubernetesBackoff: BackoffOptions = { initialMs: 10_000, maxMs: 300_000 };

/** Kubernetes' crash-loop back-off: initial, doubled per restart, capped. `restarts` counts from 0. */
export function backoffDelay(restarts: number, options: BackoffOptions = kubernetesBackoff): number {
  if (restarts <= 0) {
    return options.initialMs;
  }
  const delay = options.initialMs * 2 ** Math.min(restarts, 30);
  return Math.min(delay, options.maxMs);
}

/** Kubernetes forgets the back-off after a container ran without trouble for twice the cap (10 min). */
export function shouldResetBackoff(ranForMs: number, options: BackoffOptions = kubernetesBackoff): boolean {
  return ranForMs >= options.maxMs * 2;
}
