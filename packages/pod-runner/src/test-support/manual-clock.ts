import type { Clock } from "../runner-types.js";

interface Timer {
  at: number;
  resolve(): void;
}

/** A clock tests move by hand; `sleeps` records every requested delay (back-off assertions). */
export class ManualClock implements Clock {
  private time = 1_700_000_000_000;
  private timers: Timer[] = [];
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.timers = this.timers.filter((item) => item !== timer);
        reject(signal?.reason);
      };
      const timer: Timer = {
        at: this.time + ms,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Moves time forward, firing due timers in order, letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) {
        break;
      }
      this.time = Math.max(this.time, due.at);
      this.timers = this.timers.filter((timer) => timer !== due);
      due.resolve();
    }
    this.time = end;
    await flush();
  }
}

/**
 * Lets pending work run: event-loop turns, with two short real pauses between them so that real file
 * I/O the runner does between engine calls (pod folders, mount checks) completes on a loaded machine.
 */
export async function flush(rounds = 20): Promise<void> {
  for (let pass = 0; pass < 3; pass += 1) {
    for (let index = 0; index < rounds; index += 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (pass < 2) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}
