import type { CreateRegistry } from "./create-registry.js";
import { HttpError } from "./errors.js";
import type { ServerSettings } from "./route-context.js";

/** Pod creates in flight at once by default: a 2-core host starts a few DINDs at a time well. */
export const DEFAULT_MAX_CONCURRENT_CREATES = 4;
/** Creates that may wait for a slot: interLink never retries a /create, so a burst waits, it is not refused. */
export const DEFAULT_MAX_QUEUED_CREATES = 256;
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export function retryAfterSeconds(settings: ServerSettings): number {
  return settings.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
}

export function maxRunningCreates(settings: ServerSettings): number {
  return settings.maxConcurrentCreates ?? DEFAULT_MAX_CONCURRENT_CREATES;
}

/**
 * Refuses a create only when `maxConcurrentCreates` run and `maxQueuedCreates` already wait (429 with
 * Retry-After); below that it waits its turn (FIFO, in the registry). A repeated /create of a pod
 * already being created joins it and is never refused. Call with no await between it and `creates.run`.
 */
export function checkCreateCapacity(
  creates: CreateRegistry,
  settings: ServerSettings,
  podUid: string,
  podName: string,
): void {
  const running = maxRunningCreates(settings);
  const queued = settings.maxQueuedCreates ?? DEFAULT_MAX_QUEUED_CREATES;
  if (creates.has(podUid) || creates.size() < running + queued) {
    return;
  }
  const seconds = retryAfterSeconds(settings);
  throw new HttpError(
    429,
    "ILD_SIDECAR_TOO_MANY_CREATES",
    `ild did not create pod ${podName} (${podUid}): ${running} pods are being created and ${creates.size() - running} wait, the limits are ${running} and ${queued} (Ild.server.maxConcurrentCreates, Ild.server.maxQueuedCreates); create the pod again in ${seconds} s [ILD_SIDECAR_TOO_MANY_CREATES]`,
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
