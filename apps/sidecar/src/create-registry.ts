import type { PodHandle } from "@ild/pod-runner";

interface Entry {
  promise: Promise<PodHandle>;
  controller: AbortController;
}

/**
 * Creates in flight, by pod UID: a repeated /create for a pod being created joins the first one instead
 * of starting a second sandbox; /delete of such a pod aborts it and waits for it to settle.
 */
export interface CreateRegistry {
  run(podUid: string, start: (signal: AbortSignal) => Promise<PodHandle>): Promise<PodHandle>;
  has(podUid: string): boolean;
  size(): number;
  /** Aborts the create of this pod (if any) and waits until it has settled. */
  cancel(podUid: string, reason: string): Promise<void>;
  /** Aborts every create (shutdown after the grace period). */
  abortAll(reason: string): void;
}

export function createCreateRegistry(): CreateRegistry {
  const entries = new Map<string, Entry>();
  return {
    run(podUid, start) {
      const existing = entries.get(podUid);
      if (existing !== undefined) {
        return existing.promise;
      }
      const controller = new AbortController();
      const promise = (async () => {
        try {
          return await start(controller.signal);
        } finally {
          entries.delete(podUid);
        }
      })();
      entries.set(podUid, { promise, controller });
      return promise;
    },
    has: (podUid) => entries.has(podUid),
    size: () => entries.size,
    async cancel(podUid, reason) {
      const entry = entries.get(podUid);
      if (entry === undefined) {
        return;
      }
      entry.controller.abort(new Error(reason));
      await entry.promise.then(
        () => undefined,
        () => undefined,
      );
    },
    abortAll(reason) {
      for (const entry of entries.values()) {
        entry.controller.abort(new Error(reason));
      }
    },
  };
}
