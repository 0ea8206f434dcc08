/**
 * A pool's images on the host's disk, in `<storeRoot>/<poolId>`: the read-only seed store of the
 * preloaded images (seed-store.ts) and the image cache of delivered ones (image-cache.ts). It builds
 * the seed at start, checks every new DIND's preloaded images (preload-check.ts) and removes seeds
 * nobody uses any more.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@ild/common";
import type { DockerClient } from "../docker/docker-client.js";
import type { PoolContext, StartedDind } from "./dind-lifecycle.js";
import { ImageCache } from "./image-cache.js";
import type { DeliveryTarget } from "./image-delivery.js";
import { ensurePreloaded, type PreloadReport } from "./preload-check.js";
import { listSeedDirs, prepareSeed } from "./seed-store.js";

export const defaultImageCacheBytes = 20 * 1024 ** 3;

export class PoolImageStore {
  readonly dir: string;
  readonly cache: ImageCache;
  /** The seed every new DIND starts from (undefined: none, see `seedProblem`). */
  seedDir: string | undefined;
  /** Why there is no seed although images were to be preloaded. */
  private seedProblem: string | undefined;
  /** Preload images present on the host engine: what every DIND must have. */
  private preload: string[] = [];

  constructor(
    options: { storeRoot: string; poolId: string; imageCacheMaxBytes?: number },
    private readonly logger: Logger,
  ) {
    this.dir = join(options.storeRoot, options.poolId);
    this.cache = new ImageCache({
      dir: join(this.dir, "images"),
      maxBytes: options.imageCacheMaxBytes ?? defaultImageCacheBytes,
      logger,
    });
  }

  /** Builds (or reuses) the seed of `references`; a failure is logged, DINDs then get them streamed. */
  async prepare(
    context: PoolContext,
    references: string[],
    options: { signal: AbortSignal; onName: (name: string) => void },
  ): Promise<void> {
    await this.cache.removeTemporaries();
    if (references.length === 0) {
      return;
    }
    try {
      const seed = await prepareSeed(context, references, options);
      this.seedDir = seed.seedDir;
      this.preload = references.filter((reference) => !seed.missing.includes(reference));
      if (seed.missing.length > 0) {
        this.logger.warn(
          { missing: seed.missing },
          `preload images missing on the host engine, not seeded: ${seed.missing.join(", ")}`,
        );
      }
      this.logger.info(
        { seedDir: seed.seedDir, built: seed.built, ms: seed.ms },
        `seed store ready (${seed.built ? "built" : "reused"} in ${seed.ms} ms): ${seed.seedDir}`,
      );
    } catch (error) {
      if (options.signal.aborted) {
        throw error;
      }
      this.seedProblem = (error as Error).message;
      this.preload = [...new Set(references)];
      this.logger.error(
        { err: error },
        `seed store failed: preloaded images are streamed into every DIND instead (${this.seedProblem})`,
      );
    }
  }

  /** Where delivered images come from and go through (the inner engine is the lease's). */
  delivery(context: PoolContext): Omit<DeliveryTarget, "inner"> {
    return { host: context.host, cache: this.cache, storage: context.storage, logger: this.logger };
  }

  /** After boot: every preload image is in the DIND's engine (streamed when the seed did not bring it). */
  async checkDind(context: PoolContext, dind: StartedDind, signal?: AbortSignal): Promise<PreloadReport> {
    return ensurePreloaded({
      target: { ...this.delivery(context), inner: dind.inner },
      dindName: dind.name,
      references: await this.presentOnHost(context.host, signal),
      seedDir: dind.seedDir,
      ...(this.seedProblem === undefined ? {} : { seedProblem: this.seedProblem }),
      logger: this.logger,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** Without a seed, which preload images exist was never asked: only those the host has count. */
  private async presentOnHost(host: DockerClient, signal?: AbortSignal): Promise<string[]> {
    if (this.seedProblem === undefined) {
      return this.preload;
    }
    const present: string[] = [];
    for (const reference of this.preload) {
      if ((await host.inspectImage(reference, signal === undefined ? {} : { signal })) !== undefined) {
        present.push(reference);
      }
    }
    return present;
  }

  /**
   * Half-built seeds (a crashed build), and, once this process knows its own seed (`started`), complete
   * seeds that no DIND uses. Also in `legacyDirs`, where older versions kept seeds and image tars.
   */
  async removeStaleSeeds(inUse: Set<string>, started: boolean, legacyDirs: string[] = []): Promise<void> {
    const legacy = legacyDirs.filter((dir) => dir !== this.dir);
    for (const dir of legacy) {
      await rm(join(dir, "images"), { recursive: true, force: true });
    }
    for (const dir of [this.dir, ...legacy]) {
      for (const seed of await listSeedDirs(dir)) {
        if (seed.includes(".tmp-") || (started && !inUse.has(seed) && seed !== this.seedDir)) {
          await rm(seed, { recursive: true, force: true });
        }
      }
    }
  }
}
