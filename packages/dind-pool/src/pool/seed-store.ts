/**
 * The read-only seed store (docker-on-these-machines.md §4.2): a STOPPED inner engine's data root
 * with the preloaded images, built once per pool and image set in `<storeDir>/seed-<hash>` (on disk), mounted
 * read-only at /seed in every new DIND; the DIND's entrypoint copies the metadata and symlinks the
 * layer contents (~0.15 s, ~0.5 MB per DIND). The host's live store is never shared. A seed is never
 * modified once complete: another image set gets another directory.
 */
import { createHash, randomBytes } from "node:crypto";
import { access, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ImageDeliveryError } from "../errors.js";
import { destroyDind, type PoolContext, startDind } from "./dind-lifecycle.js";

const completeMarker = ".ild-seed-complete";
export const seedPrefix = "seed-";

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The images' ids on the host engine; missing ones are reported separately. */
async function resolveImages(
  context: PoolContext,
  references: string[],
  signal?: AbortSignal,
): Promise<{ present: Array<{ reference: string; id: string }>; missing: string[] }> {
  const present: Array<{ reference: string; id: string }> = [];
  const missing: string[] = [];
  for (const reference of references) {
    const image = await context.host.inspectImage(reference, { signal });
    if (image === undefined) {
      missing.push(reference);
    } else {
      present.push({ reference, id: image.id });
    }
  }
  return { present, missing };
}

/** Builds (or reuses) the seed for `references`; undefined when there is nothing to seed. */
export async function prepareSeed(
  context: PoolContext,
  references: string[],
  options: { signal?: AbortSignal; onName?: (name: string) => void } = {},
): Promise<{ seedDir: string | undefined; missing: string[]; built: boolean; ms: number }> {
  const started = Date.now();
  const { present, missing } = await resolveImages(context, [...new Set(references)], options.signal);
  if (present.length === 0) {
    return { seedDir: undefined, missing, built: false, ms: 0 };
  }
  const dindImage = await context.host.inspectImage(context.image, { signal: options.signal });
  const hash = createHash("sha256")
    .update(
      JSON.stringify([
        dindImage?.id ?? context.image,
        present.map((item) => `${item.reference}=${item.id}`).sort(),
      ]),
    )
    .digest("hex")
    .slice(0, 16);
  const seedDir = join(context.storeDir, `${seedPrefix}${hash}`);
  if (await exists(join(seedDir, completeMarker))) {
    return { seedDir, missing, built: false, ms: Date.now() - started };
  }
  const temporary = `${seedDir}.tmp-${randomBytes(3).toString("hex")}`;
  await mkdir(temporary, { recursive: true });
  try {
    const builder = await startDind(context, {
      role: "seed-builder",
      bindDataRoot: temporary,
      ...(options.onName === undefined ? {} : { onName: options.onName }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    try {
      const tar = await context.host.saveImages(
        present.map((item) => item.reference),
        { signal: options.signal },
      );
      await builder.inner.loadImages(tar, { signal: options.signal });
      for (const item of present) {
        if ((await builder.inner.inspectImage(item.reference, { signal: options.signal })) === undefined) {
          throw new ImageDeliveryError(item.reference, "not present in the seed engine after loading");
        }
      }
      // DINDs link the seed's overlay2 layers: a seed written by another storage driver (the folder is
      // itself on overlayfs, e.g. a sidecar in a container with its socket root on the rootfs) would give
      // them an empty image store. Refuse it; images are then streamed into each DIND.
      const driver = String((await builder.inner.info({ signal: options.signal })).Driver ?? "unknown");
      if (driver !== "overlay2") {
        throw new ImageDeliveryError(
          present.map((item) => item.reference).join(", "),
          `the seed engine used the ${driver} storage driver, not overlay2 (is ${context.storeDir} on overlayfs?): put the image store (Ild.dind.imageStore) on a real filesystem or a volume`,
        );
      }
      // graceful stop: dockerd flushes its metadata before the data root is frozen
      await context.host.stopContainer(builder.containerId, 30, { signal: options.signal });
    } finally {
      await builder.inner.close();
      await destroyDind(context, builder);
    }
    // network state would carry the builder's bridge subnets into every DIND: drop it
    await rm(join(temporary, "network"), { recursive: true, force: true });
    await writeFile(join(temporary, completeMarker), `${new Date().toISOString()}\n`);
    await rm(seedDir, { recursive: true, force: true });
    await rename(temporary, seedDir);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  return { seedDir, missing, built: true, ms: Date.now() - started };
}

/** Seed directories (complete or half-built) of a pool's store directory. */
export async function listSeedDirs(storeDir: string): Promise<string[]> {
  try {
    return (await readdir(storeDir))
      .filter((name) => name.startsWith(seedPrefix))
      .map((name) => join(storeDir, name));
  } catch {
    return [];
  }
}
