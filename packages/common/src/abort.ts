/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** One signal that aborts when any of the given ones does, or after `timeoutMs` when given. */
export function combineSignals(signals: Array<AbortSignal | undefined>, timeoutMs?: number): AbortSignal {
  const all = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (timeoutMs !== undefined) {
    all.push(AbortSignal.timeout(timeoutMs));
  }
  return all.length === 1 && all[0] ? all[0] : AbortSignal.any(all);
}
