import type { Logger } from "@ild/common";

/**
 * SIGTERM / SIGINT run `stop` once (stop accepting, finish open requests, leave pods running, close the
 * warm DINDs) and exit 0. A second SIGINT while stopping (Ctrl-C twice) exits at once with 130; a repeated
 * SIGTERM is ignored (`timeout`, process-group kills and supervisors may send it twice).
 */
export function installSignalHandlers(
  logger: Logger,
  stop: (signal: string) => Promise<void>,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      if (signal === "SIGINT") {
        logger.warn({ signal }, "SIGINT again: exiting now");
        exit(130);
      } else {
        logger.info({ signal }, `${signal} again: already stopping`);
      }
      return;
    }
    stopping = true;
    logger.info({ signal }, `${signal}: stopping (pods keep running)`);
    stop(signal).then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: (error as Error).message }, `stopping failed: ${(error as Error).message}`);
        exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}
