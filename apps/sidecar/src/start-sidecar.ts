import type { Logger } from "@ild/common";
import type { IldConfig } from "@ild/config";
import type { SidecarComponents } from "./build-deps.js";
import { createSidecarHandler, type SidecarHandler } from "./build-server.js";
import { createConnectionLimit } from "./connection-limit.js";
import { createLazyRunner } from "./lazy-runner.js";
import { type BoundListener, closeListeners, listenAll } from "./listeners.js";
import { createSidecarMetrics } from "./metrics.js";
import { buildOpenApi } from "./openapi.js";
import { toListenSettings, toServerSettings } from "./sidecar-settings.js";
import { createTracer } from "./tracing.js";

export interface RunningSidecar {
  listeners: BoundListener[];
  handler: SidecarHandler;
  components: SidecarComponents;
  /** Stop accepting, finish open requests (bounded), leave pods running, close warm DINDs. */
  stop(reason: string): Promise<void>;
}

export interface StartOptions {
  config: IldConfig;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Builds the packages' objects (the real ones in main, loaded on demand; doubles in tests). */
  build: (options: {
    config: IldConfig;
    logger: Logger;
    env: NodeJS.ProcessEnv;
  }) => Promise<SidecarComponents>;
  /** How long open requests may take to finish at shutdown. */
  shutdownGraceMs?: number;
}

/**
 * Listens first, then builds everything (engine check, pool warming in the background, GPU book, runner,
 * recover). The ping and /healthz answer at once; pod routes wait until the runner recovered. A failure
 * while building closes the listeners and rejects (the caller exits 1).
 */
export async function startSidecar(options: StartOptions): Promise<RunningSidecar> {
  const { config, logger, env } = options;
  const started = performance.now();
  const tracer = await createTracer(config.tracing, logger, { env });
  const settings = await toServerSettings(config, env);
  let components: SidecarComponents | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const connections =
    config.server.maxConnections === undefined
      ? undefined
      : createConnectionLimit(config.server.maxConnections);
  const handler = createSidecarHandler({
    runner: createLazyRunner(() => components?.runner, ready),
    settings,
    logger: logger.child({ component: "http" }),
    metrics: createSidecarMetrics(),
    poolStats: () => components?.pool?.stats(),
    deviceCapacity: () => components?.book.capacity() ?? [],
    openApi: buildOpenApi,
    metricsEnabled: config.metrics.enabled,
    ready,
    tracer,
    ...(connections === undefined ? {} : { connections }),
  });
  const listeners = await listenAll(
    { ...toListenSettings(config), ...(connections === undefined ? {} : { connections }) },
    handler.listener,
  );
  for (const listener of listeners) {
    logger.info(
      {
        address: listener.address,
        auth: settings.authToken === undefined ? "none" : "bearer token",
        ms: Math.round(performance.now() - started),
      },
      `serving the interLink plugin API on ${listener.address}${settings.authToken === undefined ? "" : " (bearer token required)"}`,
    );
  }
  try {
    components = await options.build({ config, logger, env });
  } catch (error) {
    handler.abortAll("the sidecar could not start");
    await closeListeners(listeners, 0);
    throw error;
  }
  const built = components;
  built.recovered.then(markReady, markReady);

  const grace = options.shutdownGraceMs ?? 10_000;
  let stopping: Promise<void> | undefined;
  return {
    listeners,
    handler,
    components: built,
    stop(reason) {
      stopping ??= (async () => {
        logger.info({ reason, inFlight: handler.inFlight() }, "no longer accepting requests");
        const closing = closeListeners(listeners, grace);
        const drained = await handler.drain(grace);
        if (!drained) {
          logger.warn({ inFlight: handler.inFlight() }, "open requests did not finish in time; ending them");
        }
        handler.abortAll("the sidecar is shutting down");
        await closing;
        await built.close();
        await tracer.shutdown().catch(() => undefined);
        logger.info({}, "stopped; pods keep running and are recovered at the next start");
      })();
      return stopping;
    },
  };
}
