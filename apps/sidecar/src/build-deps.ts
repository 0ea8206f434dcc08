import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@ild/common";
import type { IldConfig } from "@ild/config";
import {
  createDindPool,
  createDockerClient,
  type DindPool,
  type DockerClient,
  type PoolEvent,
} from "@ild/dind-pool";
import {
  createDeviceBook,
  type Device,
  discoverNvidiaGpus,
  genericDevicesFromConfig,
  hostNvidiaEdits,
  type LocalDeviceBook,
} from "@ild/gpu";
import { createRunner, poolPodPaths, type Runner } from "@ild/pod-runner";
import { StartupError } from "./errors.js";
import { ensureRunRootTmpfs } from "./run-root.js";

export interface SidecarComponents {
  docker: DockerClient;
  pool?: DindPool;
  book: LocalDeviceBook;
  runner: Runner;
  /** Resolves once the runner recovered the pods that survived a restart. */
  recovered: Promise<void>;
  /** Closes the runner (pods keep running), the pool's warm DINDs, then the Docker client. */
  close(): Promise<void>;
}

export interface BuildOptions {
  config: IldConfig;
  logger: Logger;
  env: NodeJS.ProcessEnv;
}

/**
 * config → Docker client → pool (warming in the background) → GPU discovery + device book → runner →
 * recover(). Expected failures (no engine, unwritable data root) are StartupErrors with one clear line.
 */
export async function buildDependencies({ config, logger, env }: BuildOptions): Promise<SidecarComponents> {
  const docker = createDockerClient({ ...config.docker, logger });
  await checkEngine(docker, logger);

  await makeDirectory(config.dataRoot, 0o711, "DataRootFolder / Ild.dataRoot");
  await makeDirectory(config.runRoot, 0o711, "Ild.runRoot");
  await ensureRunRootTmpfs(config.runRoot, logger);
  // Pods' secrets and pod.json live under <runRoot>/pods: created now so every DIND can share it.
  await makeDirectory(join(config.runRoot, "pods"), 0o700, "Ild.runRoot");

  const book = await buildDeviceBook(config, logger);
  const instance = env.ILD_INSTANCE_ID || "default";
  const labels = parseLabels(env.ILD_LABELS);

  let pool: DindPool | undefined;
  if (config.engine.default === "dind" || config.engine.allowPodOverride) {
    await makeDirectory(config.dind.socketRoot, 0o711, "Ild.dind.socketRoot");
    await makeDirectory(config.dind.imageStore, 0o700, "Ild.dind.imageStore");
    pool = createDindPool({
      docker,
      poolId: instance,
      size: config.dind.poolSize,
      image: config.dind.image,
      socketRoot: config.dind.socketRoot,
      securityMode: config.dind.securityMode,
      ...(config.dind.runtime === undefined ? {} : { runtime: config.dind.runtime }),
      // privileged pods run privileged inside their own DIND: it then needs every capability and FUSE
      allowPrivilegedPods: config.policy.privileged === "allow",
      storage:
        config.dind.storage === "tmpfs"
          ? { kind: "tmpfs", sizeBytes: config.dind.tmpfsSizeBytes }
          : { kind: "volume" },
      // seed store and image cache on disk (never the run root's tmpfs: images are big)
      storeRoot: config.dind.imageStore,
      imageCacheMaxBytes: config.dind.imageCacheSizeBytes,
      maxConcurrentBuilds: config.dind.maxConcurrentBuilds,
      readyTimeoutMs: config.dind.readyTimeoutMs,
      acquireTimeoutMs: config.dind.acquireTimeoutMs,
      // Each DIND sees only its own pod's files, at the same paths as on the host: an empty slot at
      // <dataRoot>/pods and <runRoot>/pods that its lease fills (nothing of other pods, ever).
      podPaths: poolPodPaths(config.dataRoot, config.runRoot),
      preloadImages: [...config.dind.preloadImages],
      logger,
    });
    watchPool(pool, logger);
  }

  const runner = createRunner({
    docker,
    ...(pool === undefined ? {} : { pool }),
    // The DINDs get /dev/fuse with allowPrivilegedPods: privileged pod containers get it mapped in.
    ...(pool !== undefined && config.policy.privileged === "allow"
      ? { privilegedDevices: ["/dev/fuse"] }
      : {}),
    devices: book,
    dataRoot: config.dataRoot,
    runRoot: config.runRoot,
    engine: config.engine.default,
    allowEngineAnnotation: config.engine.allowPodOverride,
    runnerId: instance,
    labels,
    ...(config.hooks.enabled.length > 0 ? { enabledHooks: [...config.hooks.enabled] } : {}),
    hookConfig: { egressDefaultAllowCidrs: [...config.policy.egressAllowCidrs] },
    // The node's security policy, enforced once by the translator (400 naming the field and the policy).
    translateOptions: {
      policy: {
        level: config.policy.level,
        privileged: config.policy.privileged,
        hostPathAllowList: [...config.policy.hostPathAllowList],
      },
      // interLink's virtual kubelet already expanded $(VAR) and $$ in env: never a second time
      expandEnv: false,
    },
    logger,
  });

  const recovered = recover(runner, logger);

  let closed: Promise<void> | undefined;
  return {
    docker,
    ...(pool === undefined ? {} : { pool }),
    book,
    runner,
    recovered,
    close() {
      closed ??= (async () => {
        await recovered.catch(() => undefined);
        await runner
          .close()
          .catch((error: unknown) => logger.warn({ err: message(error) }, "runner close failed"));
        if (pool !== undefined) {
          await pool
            .close()
            .catch((error: unknown) => logger.warn({ err: message(error) }, "pool close failed"));
        }
        await docker.close().catch(() => undefined);
      })();
      return closed;
    },
  };
}

async function checkEngine(docker: DockerClient, logger: Logger): Promise<void> {
  try {
    const version = await docker.version({ signal: AbortSignal.timeout(10_000) });
    logger.info(
      { endpoint: docker.endpoint, engineVersion: version.version, apiVersion: version.apiVersion },
      `docker engine ${version.version} (API ${version.apiVersion}, ${version.os}/${version.arch}) at ${docker.endpoint}`,
    );
  } catch (error) {
    await docker.close().catch(() => undefined);
    throw new StartupError(
      "ILD_SIDECAR_NO_ENGINE",
      `cannot reach the Docker engine at ${docker.endpoint}: ${message(error)} (start dockerd, or set Ild.docker.host / DOCKER_HOST)`,
      { cause: error },
    );
  }
}

async function makeDirectory(path: string, mode: number, what: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode });
  } catch (error) {
    throw new StartupError(
      "ILD_SIDECAR_DIRECTORY",
      `cannot create ${path} (${what}): ${(error as NodeJS.ErrnoException).code ?? message(error)}`,
      { cause: error },
    );
  }
}

async function buildDeviceBook(config: IldConfig, logger: Logger): Promise<LocalDeviceBook> {
  const devices: Device[] = [];
  let topology: Parameters<typeof createDeviceBook>[0]["topology"];
  if (config.gpu.enabled) {
    const result = await discoverNvidiaGpus({ logger });
    if (result.ok) {
      // Device nodes, driver files and env for containers inside the DINDs (CDI spec, else discovery).
      const edits = await hostNvidiaEdits(result.devices);
      if (edits.ok) {
        logger.info({ source: edits.source }, `GPU container edits from ${edits.source}: ${edits.detail}`);
      } else {
        logger.error(
          { code: edits.code },
          `GPU container edits: ${edits.message}; GPU pods need the NVIDIA runtime`,
        );
      }
      devices.push(...edits.devices);
      topology = result.topology;
      const models = [...new Set(result.gpus.map((gpu) => gpu.name))].join(", ");
      logger.info(
        { gpus: result.gpus.length, devices: result.devices.length, driver: result.driverVersion },
        `GPU discovery: ${result.gpus.length} NVIDIA GPU(s) (${models}), driver ${result.driverVersion ?? "?"}, ${result.devices.length} bookable device(s)`,
      );
      for (const warning of result.warnings) {
        logger.warn({ warning }, `GPU discovery: ${warning}`);
      }
    } else {
      logger.info(
        { reason: result.reason },
        `GPU discovery: no NVIDIA GPU (${result.reason}: ${result.message})`,
      );
    }
  } else {
    logger.info({}, "GPU discovery: disabled (GPUENABLED=0 / Ild.gpu.enabled: false)");
  }
  const generic = Object.fromEntries(
    Object.entries(config.gpu.devices).map(([resource, paths]) => [resource, [...paths]]),
  );
  if (Object.keys(generic).length > 0) {
    devices.push(
      ...genericDevicesFromConfig(generic, {
        shared: config.gpu.fpgaBookkeeping ? false : ["xilinx.com/fpga"],
      }),
    );
  }
  return createDeviceBook({
    devices,
    persistPath: join(config.dataRoot, "device-book.json"),
    ...(topology === undefined ? {} : { topology }),
    logger,
  });
}

function watchPool(pool: DindPool, logger: Logger): void {
  pool.info.then(
    (info) =>
      logger.info(
        { securityMode: info.securityMode, engineVersion: info.engineVersion },
        `pool: DIND security mode ${info.securityMode}`,
      ),
    (error: unknown) => logger.error({ err: message(error) }, `pool: cannot start: ${message(error)}`),
  );
  let lastWarm = -1;
  pool.on((event: PoolEvent) => {
    switch (event.type) {
      case "dind-ready":
        // The pool counts the new DIND right after this event: read the stats once it has.
        queueMicrotask(() => {
          const stats = pool.stats();
          if (stats.warm !== lastWarm && stats.warm > 0) {
            lastWarm = stats.warm;
            logger.info(
              { warm: stats.warm, size: stats.size, bootMs: event.bootMs },
              `pool: warm ${Math.min(stats.warm, stats.size)}/${stats.size} (DIND ready in ${event.bootMs} ms)`,
            );
          }
        });
        break;
      case "dind-failed":
        logger.warn({ err: event.error.message }, `pool: a DIND failed to start: ${event.error.message}`);
        break;
      case "dind-leased":
        logger.debug({ podUid: event.podUid, waitMs: event.waitMs }, "pool: DIND leased");
        break;
      default:
        break;
    }
  });
}

/** The runner reconciles the pool (adopts leased DINDs, removes orphans) and resumes the stored pods. */
async function recover(runner: Runner, logger: Logger): Promise<void> {
  const started = performance.now();
  try {
    await runner.recover();
    const pods = runner.list();
    const phases = pods.reduce<Record<string, number>>((counts, pod) => {
      counts[pod.phase] = (counts[pod.phase] ?? 0) + 1;
      return counts;
    }, {});
    const summary = Object.entries(phases)
      .map(([phase, count]) => `${count} ${phase}`)
      .join(", ");
    logger.info(
      { pods: pods.length, phases, ms: Math.round(performance.now() - started) },
      `reconcile: ${pods.length} pod(s) recovered${pods.length > 0 ? ` (${summary})` : ""}`,
    );
  } catch (error) {
    logger.error({ err: message(error) }, `reconcile failed: ${message(error)}; serving what is known`);
  }
}

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of (text ?? "").split(",")) {
    const [key, ...rest] = pair.split("=");
    if (key !== undefined && key.trim() !== "") {
      labels[key.trim()] = rest.join("=").trim();
    }
  }
  return labels;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
