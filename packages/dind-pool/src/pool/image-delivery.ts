/**
 * Images not in the seed store: streamed from the host engine (`docker save`) into the inner engine
 * (`docker load`), teeing the tar into a host cache `<poolDir>/images/<key>.tar` on the way, so the
 * next DIND loads it from disk (no `save` cost). No registry, the host store is only read.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { access, mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { finished } from "node:stream/promises";
import type { DockerClient } from "../docker/docker-client.js";
import { ImageDeliveryError } from "../errors.js";

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function deliverOne(
  host: DockerClient,
  inner: DockerClient,
  reference: string,
  cacheDir: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  if ((await inner.inspectImage(reference, { signal })) !== undefined) {
    return;
  }
  const image = await host.inspectImage(reference, { signal });
  if (image === undefined) {
    throw new ImageDeliveryError(reference, "not present on the host engine (no registry is used)");
  }
  const key = createHash("sha256").update(`${reference}\n${image.id}`).digest("hex").slice(0, 32);
  const cached = join(cacheDir, `${key}.tar`);
  try {
    if (await exists(cached)) {
      await inner.loadImages(createReadStream(cached), { signal });
    } else {
      await mkdir(cacheDir, { recursive: true });
      const temporary = `${cached}.${randomBytes(3).toString("hex")}.tmp`;
      const source = await host.saveImages([reference], { signal });
      const toEngine = new PassThrough();
      const toFile = createWriteStream(temporary);
      source.on("error", (error) => {
        toEngine.destroy(error);
        toFile.destroy(error);
      });
      source.pipe(toEngine);
      source.pipe(toFile);
      try {
        await Promise.all([inner.loadImages(toEngine, { signal }), finished(toFile)]);
        await rename(temporary, cached);
      } catch (error) {
        source.destroy();
        await rm(temporary, { force: true });
        throw error;
      }
    }
  } catch (error) {
    if (signal?.aborted) {
      throw signal.reason;
    }
    throw error instanceof ImageDeliveryError
      ? error
      : new ImageDeliveryError(reference, (error as Error).message, { cause: error });
  }
  if ((await inner.inspectImage(reference, { signal })) === undefined) {
    throw new ImageDeliveryError(reference, "not present in the inner engine after loading");
  }
}

export async function deliverImages(options: {
  host: DockerClient;
  inner: DockerClient;
  references: string[];
  cacheDir: string;
  signal?: AbortSignal;
}): Promise<void> {
  await Promise.all(
    [...new Set(options.references)].map((reference) =>
      deliverOne(options.host, options.inner, reference, options.cacheDir, options.signal),
    ),
  );
}
