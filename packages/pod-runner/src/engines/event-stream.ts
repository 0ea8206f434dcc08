import type { Logger } from "@ild/common";
import type { DockerClient, DockerEvent, EventFilter } from "@ild/dind-pool";

/**
 * Follows an engine's events until `signal` aborts, reconnecting with `since` when the stream ends
 * (daemon restart, proxy timeout). Never throws.
 */
export function followEvents(
  docker: DockerClient,
  filter: EventFilter,
  listener: (event: DockerEvent) => void,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  const loop = async (): Promise<void> => {
    let since: number | undefined;
    while (!signal.aborted) {
      try {
        for await (const event of docker.events(filter, { signal, ...(since ? { since } : {}) })) {
          since = Math.floor(event.timeNano / 1e9);
          try {
            listener(event);
          } catch (error) {
            logger.warn({ error: String(error) }, "event listener failed");
          }
        }
      } catch (error) {
        if (signal.aborted) {
          return;
        }
        logger.debug({ endpoint: docker.endpoint, error: String(error) }, "event stream broke; reconnecting");
      }
      if (!signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  return loop();
}
