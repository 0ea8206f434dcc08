/**
 * Images not in the seed store: streamed from the host engine (`docker save`) into the inner engine
 * (`docker load`), teeing the tar into the on-disk image cache on the way (image-cache.ts), so the
 * next DIND loads it from a file (no `save` cost). Two DINDs wanting the same image at once share one
 * `save`: the second waits for the cached file. No registry; the host store is only read. An image
 * that cannot fit in the DIND's storage fails with a message that says so and which setting to change.
 */
import { createHash } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { PassThrough, type Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { type Logger, noopLogger } from "@ild/common";
import type { DockerClient } from "../docker/docker-client.js";
import { ImageDeliveryError } from "../errors.js";
import { formatBinaryBytes, formatBytes, ImageDoesNotFitError } from "../image-errors.js";
import { defaultTmpfsBytes } from "./dind-container-spec.js";
import type { CacheReservation, ImageCache } from "./image-cache.js";

/** A DIND's /var/lib/docker as the pool configured it. */
export type DindImageStorage = { kind: "tmpfs"; sizeBytes?: number } | { kind: "volume" };

export interface DeliveryTarget {
  host: DockerClient;
  inner: DockerClient;
  cache: ImageCache;
  storage: DindImageStorage;
  logger?: Logger;
}

/** How an image reached the inner engine: it was there, from the cache file, or from the host engine. */
export type DeliveryPath = "present" | "cache" | "host";

/** `docker load` unpacks the whole tar before it registers the layers: about twice the image's size. */
const loadFactor = 2;

function storageText(storage: DindImageStorage): string {
  return storage.kind === "tmpfs"
    ? `/var/lib/docker is a ${formatBinaryBytes(storage.sizeBytes ?? defaultTmpfsBytes)} tmpfs (in RAM); raise Ild.dind.tmpfsSize (ILD_DIND_TMPFS_SIZE) or use Ild.dind.storage: volume (on disk, the default)`
    : "/var/lib/docker is a Docker volume on the host engine's disk; free space there (docker system df)";
}

/** Fails early when the image cannot fit in a tmpfs, whatever else it holds. */
function checkFits(reference: string, bytes: number, storage: DindImageStorage): void {
  if (storage.kind === "tmpfs" && bytes * loadFactor > (storage.sizeBytes ?? defaultTmpfsBytes)) {
    throw new ImageDoesNotFitError(
      reference,
      bytes,
      `does not fit in the DIND's image storage (loading needs about ${formatBytes(bytes * loadFactor)}): ${storageText(storage)}`,
    );
  }
}

function isNoSpace(error: unknown): boolean {
  return /no space left on device|ENOSPC/i.test(error instanceof Error ? error.message : String(error));
}

async function load(
  target: DeliveryTarget,
  reference: string,
  bytes: number,
  tar: Readable,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await target.inner.loadImages(tar, { signal });
  } catch (error) {
    tar.destroy();
    if (!signal?.aborted && isNoSpace(error)) {
      throw new ImageDoesNotFitError(
        reference,
        bytes,
        `no space left in the DIND's image storage while loading it: ${storageText(target.storage)}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** `docker save` → inner `docker load`, and into the cache when it had room. */
async function streamFromHost(
  target: DeliveryTarget,
  reference: string,
  bytes: number,
  reservation: CacheReservation | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const logger = target.logger ?? noopLogger;
  let source: Readable;
  try {
    source = await target.host.saveImages([reference], { signal });
  } catch (error) {
    await reservation?.abandon();
    throw error;
  }
  const toEngine = new PassThrough();
  source.on("error", (error) => toEngine.destroy(error));
  source.pipe(toEngine);
  let cached: Promise<boolean> = Promise.resolve(false);
  let file: WriteStream | undefined;
  if (reservation !== undefined) {
    file = createWriteStream(reservation.temporary, { mode: 0o600 });
    const written = file;
    source.on("error", (error) => written.destroy(error));
    // a failing cache file (disk full) is unpiped by the stream itself; the engine still gets the tar
    cached = finished(file).then(
      () => true,
      (error: unknown) => {
        if (!source.destroyed) {
          logger.warn(
            { reference, err: (error as Error).message },
            `image cache: could not write ${reference}: delivered uncached`,
          );
        }
        return false;
      },
    );
    source.pipe(file);
  }
  try {
    await load(target, reference, bytes, toEngine, signal);
  } catch (error) {
    source.destroy();
    file?.destroy();
    await cached;
    await reservation?.abandon();
    throw error;
  }
  if (reservation !== undefined) {
    if (await cached) {
      await reservation.commit();
    } else {
      await reservation.abandon();
    }
  }
}

async function deliverOne(
  target: DeliveryTarget,
  reference: string,
  signal: AbortSignal | undefined,
): Promise<DeliveryPath> {
  if ((await target.inner.inspectImage(reference, { signal })) !== undefined) {
    return "present";
  }
  const image = await target.host.inspectImage(reference, { signal });
  if (image === undefined) {
    throw new ImageDeliveryError(reference, "not present on the host engine (no registry is used)");
  }
  checkFits(reference, image.size, target.storage);
  const key = createHash("sha256").update(`${reference}\n${image.id}`).digest("hex").slice(0, 32);
  let path: DeliveryPath | undefined;
  try {
    while (path === undefined) {
      // another DIND streaming this image now writes the cache file: wait for it, then read it
      await target.cache.settled(key);
      const cached = await target.cache.open(key);
      if (cached !== undefined) {
        await load(target, reference, image.size, cached.stream, signal);
        path = "cache";
        break;
      }
      // a tar is slightly bigger than the unpacked layers it holds
      const reservation = await target.cache.reserve(key, Math.ceil(image.size * 1.02) + 1024 ** 2);
      if (reservation !== "busy") {
        await streamFromHost(target, reference, image.size, reservation, signal);
        path = "host";
      }
    }
  } catch (error) {
    if (signal?.aborted) {
      throw signal.reason;
    }
    throw error instanceof ImageDeliveryError || error instanceof ImageDoesNotFitError
      ? error
      : new ImageDeliveryError(reference, (error as Error).message, { cause: error });
  }
  if ((await target.inner.inspectImage(reference, { signal })) === undefined) {
    throw new ImageDeliveryError(reference, "not present in the inner engine after loading");
  }
  return path;
}

/** Makes `references` (present on the host engine) available in the inner engine; how each got there. */
export async function deliverImages(
  options: DeliveryTarget & { references: string[]; signal?: AbortSignal },
): Promise<Map<string, DeliveryPath>> {
  const references = [...new Set(options.references)];
  const paths = await Promise.all(
    references.map((reference) => deliverOne(options, reference, options.signal)),
  );
  return new Map(references.map((reference, index) => [reference, paths[index] as DeliveryPath]));
}
