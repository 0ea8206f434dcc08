import type { ContainerStatus, Pod, PodStatus } from "@ild/interlink-api";
import type { InterlinkLike } from "./interlink-like.js";

/** Polls until `check` returns a value (not undefined), or fails with the last value seen. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last === undefined ? "" : `: ${String(last)}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function containerState(status: PodStatus, name: string): ContainerStatus | undefined {
  return [...(status.containers ?? []), ...(status.initContainers ?? [])].find(
    (entry) => entry.name === name,
  );
}

/** Waits until a container is terminated and returns its status. */
export async function waitTerminated(client: InterlinkLike, pod: Pod, container: string, timeoutMs = 90_000) {
  return waitFor(
    `${container} of ${pod.metadata?.name} to terminate`,
    async () => {
      const [status] = await client.status([pod]);
      const entry = status === undefined ? undefined : containerState(status, container);
      return entry?.state?.terminated === undefined ? undefined : entry;
    },
    timeoutMs,
  );
}

export async function waitRunning(client: InterlinkLike, pod: Pod, container: string, timeoutMs = 90_000) {
  return waitFor(
    `${container} of ${pod.metadata?.name} to run`,
    async () => {
      const [status] = await client.status([pod]);
      const entry = status === undefined ? undefined : containerState(status, container);
      return entry?.state?.running === undefined ? undefined : entry;
    },
    timeoutMs,
  );
}
