/** Image delivery against in-memory engines: cache paths, one `save` for concurrent DINDs, fit errors. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DockerError } from "../docker/docker-errors.js";
import { ImageDoesNotFitError } from "../image-errors.js";
import { FakeDockerClient } from "../testing/fake-docker-client.js";
import { ImageCache } from "./image-cache.js";
import { type DindImageStorage, deliverImages } from "./image-delivery.js";

const image = "ild/python-big:1";
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ild-delivery-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A host engine whose images report `sizeBytes` (the fake's own are 1 byte). */
function hostWith(sizeBytes = 1): FakeDockerClient {
  const host = new FakeDockerClient({ images: [image, "ild/busybox:1"] });
  const inspect = host.inspectImage.bind(host);
  host.inspectImage = async (reference, options) => {
    const found = await inspect(reference, options);
    return found === undefined ? undefined : { ...found, size: sizeBytes };
  };
  return host;
}

function deliver(
  host: FakeDockerClient,
  inner: FakeDockerClient,
  cache: ImageCache,
  storage: DindImageStorage = { kind: "volume" },
) {
  return deliverImages({ host, inner, cache, storage, references: [image] });
}

describe("deliverImages", () => {
  it("streams from the host once, then every other DIND loads the cached tar", async () => {
    const host = hostWith();
    const cache = new ImageCache({ dir, maxBytes: 64 * 1024 ** 2, minFreeBytes: 0 });
    const first = new FakeDockerClient();
    expect(await deliver(host, first, cache)).toEqual(new Map([[image, "host"]]));
    expect(first.images.has(image)).toBe(true);
    expect(await cache.list()).toHaveLength(1);
    const second = new FakeDockerClient();
    expect(await deliver(host, second, cache)).toEqual(new Map([[image, "cache"]]));
    expect(second.images.has(image)).toBe(true);
    expect(host.calls.filter((call) => call === "saveImages")).toHaveLength(1);
    // already there: nothing to do
    expect(await deliver(host, second, cache)).toEqual(new Map([[image, "present"]]));
  });

  it("two DINDs wanting the same image at once share one docker save", async () => {
    const host = hostWith();
    const cache = new ImageCache({ dir, maxBytes: 64 * 1024 ** 2, minFreeBytes: 0 });
    const inners = [new FakeDockerClient(), new FakeDockerClient(), new FakeDockerClient()];
    const paths = await Promise.all(inners.map((inner) => deliver(host, inner, cache)));
    expect(paths.map((path) => path.get(image)).sort()).toEqual(["cache", "cache", "host"]);
    expect(inners.every((inner) => inner.images.has(image))).toBe(true);
    expect(host.calls.filter((call) => call === "saveImages")).toHaveLength(1);
  });

  it("an image bigger than the cache budget is still delivered, uncached", async () => {
    const host = hostWith(128 * 1024 ** 2);
    const cache = new ImageCache({ dir, maxBytes: 64 * 1024 ** 2, minFreeBytes: 0 });
    const inner = new FakeDockerClient();
    expect(await deliver(host, inner, cache)).toEqual(new Map([[image, "host"]]));
    expect(inner.images.has(image)).toBe(true);
    expect(await cache.list()).toEqual([]);
  });

  it("refuses at once an image that cannot fit in the DIND's tmpfs, naming the setting", async () => {
    const host = hostWith(533e6);
    const cache = new ImageCache({ dir, maxBytes: 1024 ** 3, minFreeBytes: 0 });
    const inner = new FakeDockerClient();
    const failure = await deliver(host, inner, cache, { kind: "tmpfs", sizeBytes: 256 * 1024 ** 2 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ImageDoesNotFitError);
    expect((failure as ImageDoesNotFitError).code).toBe("ILD_IMAGE_DOES_NOT_FIT");
    expect((failure as Error).message).toBe(
      "image ild/python-big:1 (533 MB): does not fit in the DIND's image storage (loading needs about 1.1 GB): /var/lib/docker is a 256 MiB tmpfs (in RAM); raise Ild.dind.tmpfsSize (ILD_DIND_TMPFS_SIZE) or use Ild.dind.storage: volume (on disk, the default)",
    );
    expect(host.calls).not.toContain("saveImages");
    // the legitimate use beside it: a tmpfs big enough takes it
    const roomy = new FakeDockerClient();
    await deliver(host, roomy, cache, { kind: "tmpfs", sizeBytes: 2 * 1024 ** 3 });
    expect(roomy.images.has(image)).toBe(true);
  });

  it("says the DIND's storage is full when the inner engine runs out of space while loading", async () => {
    const host = hostWith(533e6);
    const cache = new ImageCache({ dir, maxBytes: 1024 ** 3, minFreeBytes: 0 });
    const inner = new FakeDockerClient();
    inner.failNext(
      "loadImages",
      new DockerError(
        "image.load",
        "Error processing tar file(exit status 1): write /usr/lib/python3/x.py: no space left on device",
      ),
    );
    const failure = await deliver(host, inner, cache).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImageDoesNotFitError);
    expect((failure as Error).message).toMatch(
      /^image ild\/python-big:1 \(533 MB\): no space left in the DIND's image storage while loading it: \/var\/lib\/docker is a Docker volume on the host engine's disk/,
    );
    // nothing half-written stays in the cache
    expect(await cache.list()).toEqual([]);
    await cache.removeTemporaries();
    const retry = new FakeDockerClient();
    expect(await deliver(host, retry, cache)).toEqual(new Map([[image, "host"]]));
  });

  it("an image the host engine lacks is an ImageDeliveryError", async () => {
    const host = hostWith();
    const cache = new ImageCache({ dir, maxBytes: 1024, minFreeBytes: 0 });
    await expect(
      deliverImages({
        host,
        inner: new FakeDockerClient(),
        cache,
        storage: { kind: "volume" },
        references: ["nope:1"],
      }),
    ).rejects.toMatchObject({ code: "ILD_IMAGE_DELIVERY_FAILED" });
  });
});
