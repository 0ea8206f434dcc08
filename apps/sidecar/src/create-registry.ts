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
  run(
    podUid: string,
    start: (signal: AbortSignal) => Promise<PodHandle>,
    queueSignal?: AbortSignal,
  ): Promise<PodHandle>;
  has(podUid: string): boolean;
  size(): number;
  /** Aborts the create of this pod (if any) and waits until it has settled. */
  cancel(podUid: string, reason: string): Promise<void>;
  /** Aborts every create (shutdown after the grace period). */
  abortAll(reason: string): void;
}

/**
 * `maxRunning`: creates whose `start` runs at once; the others wait for a slot, first come first
 * served (a waiting create is cancelled by `cancel`, `abortAll`, or its own `queueSignal` deadline).
 */
export function createCreateRegistry(options: { maxRunning?: number } = {}): CreateRegistry {
  const entries = new Map<string, Entry>();
  const slots = createSlots(options.maxRunning ?? Number.POSITIVE_INFINITY);
  return {
    run(podUid, start, queueSignal) {
      const existing = entries.get(podUid);
      if (existing !== undefined) {
        return existing.promise;
      }
      const controller = new AbortController();
      const promise = (async () => {
        try {
          await slots.acquire(
            queueSignal === undefined ? controller.signal : AbortSignal.any([controller.signal, queueSignal]),
          );
          try {
            return await start(controller.signal);
          } finally {
            slots.release();
          }
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

/** A FIFO counting semaphore: `acquire` resolves in arrival order as slots free up. */
function createSlots(max: number) {
  let used = 0;
  const waiters: Array<{
    resolve: () => void;
    reject: (reason: unknown) => void;
    signal: AbortSignal;
    onAbort: () => void;
  }> = [];
  return {
    acquire(signal: AbortSignal): Promise<void> {
      signal.throwIfAborted();
      if (used < max && waiters.length === 0) {
        used += 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            const index = waiters.indexOf(waiter);
            if (index >= 0) {
              waiters.splice(index, 1);
            }
            reject(signal.reason);
          },
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    release(): void {
      const next = waiters.shift();
      if (next === undefined) {
        used -= 1;
        return;
      }
      next.signal.removeEventListener("abort", next.onAbort);
      next.resolve();
    },
  };
}
