import { IldError } from "@ild/common";
import { formatConfigIssue, loadConfig } from "@ild/config";
import { readVersion } from "./cli.js";
import { createLogger } from "./logging.js";
import { installSignalHandlers } from "./shutdown.js";
import { startSidecar } from "./start-sidecar.js";

/** Loads the configuration, starts everything and serves until SIGTERM/SIGINT. Exit 1 on a start-up failure. */
export async function runSidecar(cli: { configPath?: string }, env: NodeJS.ProcessEnv): Promise<void> {
  // --config, else INTERLINKCONFIGPATH, else /etc/interlink/InterLinkConfig.yaml when it exists (loadConfig).
  let loaded: Awaited<ReturnType<typeof loadConfig>>;
  try {
    loaded = await loadConfig({ ...(cli.configPath === undefined ? {} : { path: cli.configPath }), env });
  } catch (error) {
    console.error(`ild-sidecar: ${(error as Error).message}`);
    process.exit(1);
  }
  const { config, warnings } = loaded;
  const path = loaded.file;
  const logger = createLogger({ level: config.logging.level });
  logger.info(
    { version: readVersion(), config: path ?? "defaults", node: process.version, pid: process.pid },
    `ild-sidecar ${readVersion()} starting (config: ${path ?? "built-in defaults"})`,
  );
  for (const warning of warnings) {
    logger.warn({ key: warning.key, origin: warning.origin }, `config: ${formatConfigIssue(warning)}`);
  }
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: String((reason as Error)?.message ?? reason) }, "unhandled promise rejection");
  });

  const starting = startSidecar({
    config,
    logger,
    env,
    build: async (options) => (await import("./build-deps.js")).buildDependencies(options),
  });
  // Installed before the start finishes: the server answers from its first moment, so a SIGTERM can
  // come while the engine is still being checked; it then stops right after the start.
  installSignalHandlers(logger, async (signal) => (await starting).stop(signal));
  try {
    await starting;
  } catch (error) {
    if (IldError.isInstance(error)) {
      logger.error({ code: error.code }, error.message);
    } else {
      logger.error({ err: error }, `start-up failed: ${(error as Error).message}`);
    }
    process.exit(1);
  }
}
