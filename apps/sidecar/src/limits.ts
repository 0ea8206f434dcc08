import type { CreateRegistry } from "./create-registry.js";
import { HttpError } from "./errors.js";
import type { ServerSettings } from "./route-context.js";

/** Pod creates in flight at once by default: a 2-core host starts a few DINDs at a time well. */
export const DEFAULT_MAX_CONCURRENT_CREATES = 4;
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export function retryAfterSeconds(settings: ServerSettings): number {
  return settings.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
}

/**
 * Refuses a create past `maxConcurrentCreates` (429 with Retry-After). A repeated /create of a pod
 * already being created joins it and is not refused. Call with no await between it and `creates.run`.
 */
export function checkCreateCapacity(
  creates: CreateRegistry,
  settings: ServerSettings,
  podUid: string,
  podName: string,
): void {
  const max = settings.maxConcurrentCreates ?? DEFAULT_MAX_CONCURRENT_CREATES;
  if (creates.has(podUid) || creates.size() < max) {
    return;
  }
  const seconds = retryAfterSeconds(settings);
  throw new HttpError(
    429,
    "ILD_SIDECAR_TOO_MANY_CREATES",
    `ild did not create pod ${podName} (${podUid}): ${creates.size()} pods are being created, the limit is ${max} (Ild.server.maxConcurrentCreates, ILD_SERVER_MAX_CONCURRENT_CREATES); create the pod again in ${seconds} s [ILD_SIDECAR_TOO_MANY_CREATES]`,
    { headers: { "retry-after": String(seconds) } },
  );
}

/** The 503 for a request on a connection past `Ild.server.maxConnections`; the connection is closed. */
export function tooManyConnections(settings: ServerSettings, max: number): HttpError {
  const seconds = retryAfterSeconds(settings);
  return new HttpError(
    503,
    "ILD_SIDECAR_TOO_MANY_CONNECTIONS",
    `ild has more than ${max} open connections (Ild.server.maxConnections, ILD_SERVER_MAX_CONNECTIONS); retry in ${seconds} s on a new connection [ILD_SIDECAR_TOO_MANY_CONNECTIONS]`,
    { headers: { "retry-after": String(seconds), connection: "close" } },
  );
}
