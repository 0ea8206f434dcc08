import { flush } from "./manual-clock.js";

/**
 * Lets real I/O (pod files, mount checks) finish: flushes the event loop until `predicate` holds.
 * Not a timed assertion: it only waits for a state, and fails naming `what` if it never comes.
 */
export async function settle(predicate: () => boolean, what: string, rounds = 400): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    await flush();
    if (predicate()) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never reached: ${what}`);
}
