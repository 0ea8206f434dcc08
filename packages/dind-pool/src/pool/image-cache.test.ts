import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CacheReservation, ImageCache } from "./image-cache.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ild-cache-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A tar of `bytes` for `key`, last used `ageS` seconds ago. */
async function put(cache: ImageCache, key: string, bytes: number, ageS = 0): Promise<void> {
  await mkdir(cache.dir, { recursive: true });
  await writeFile(cache.pathOf(key), Buffer.alloc(bytes, 1));
  const when = new Date(Date.now() - ageS * 1000);
  await utimes(cache.pathOf(key), when, when);
}

/** A reservation that must be granted. */
async function granted(cache: ImageCache, key: string, bytes: number): Promise<CacheReservation> {
  const reservation = await cache.reserve(key, bytes);
  if (reservation === undefined || reservation === "busy") {
    throw new Error(`no reservation for ${key}: ${String(reservation)}`);
  }
  return reservation;
}

async function keys(cache: ImageCache): Promise<string[]> {
  return (await cache.list()).map((tar) => tar.path.slice(cache.dir.length + 1, -".tar".length)).sort();
}

describe("ImageCache", () => {
  it("writes through a reservation and opens the tar afterwards", async () => {
    const cache = new ImageCache({ dir: join(dir, "images"), maxBytes: 1000, minFreeBytes: 0 });
    expect(await cache.open("a")).toBeUndefined();
    const reservation = await granted(cache, "a", 100);
    await writeFile(reservation.temporary, "tar bytes");
    await reservation.commit();
    const opened = await cache.open("a");
    expect(opened?.bytes).toBe(9);
    const chunks: Buffer[] = [];
    for await (const chunk of opened?.stream ?? []) {
      chunks.push(chunk as Buffer);
    }
    expect(Buffer.concat(chunks).toString()).toBe("tar bytes");
  });

  it("evicts the least recently used tars to stay within the budget; a use refreshes a tar", async () => {
    const cache = new ImageCache({ dir, maxBytes: 1000, minFreeBytes: 0 });
    await put(cache, "old", 400, 300);
    await put(cache, "middle", 400, 200);
    await put(cache, "new", 100, 100);
    // "old" was used just now: "middle" is the least recently used
    (await cache.open("old"))?.stream.destroy();
    const reservation = await granted(cache, "next", 450);
    expect(await keys(cache)).toEqual(["new", "old"]);
    await reservation.abandon();
  });

  it("does not cache an image bigger than the budget, and evicts nothing for it", async () => {
    const cache = new ImageCache({ dir, maxBytes: 1000, minFreeBytes: 0 });
    await put(cache, "kept", 500);
    expect(await cache.reserve("huge", 1001)).toBeUndefined();
    expect(await keys(cache)).toEqual(["kept"]);
  });

  it("counts reservations being written: two at once cannot exceed the budget", async () => {
    const cache = new ImageCache({ dir, maxBytes: 1000, minFreeBytes: 0 });
    const [first, second] = await Promise.all([granted(cache, "a", 600), cache.reserve("b", 600)]);
    expect(second).toBeUndefined();
    await first.abandon();
    const third = await granted(cache, "b", 600);
    await third.abandon();
  });

  it("keeps the disk's free-space floor, and evicts nothing when even an empty cache could not fit", async () => {
    const cache = new ImageCache({ dir, maxBytes: 10_000, minFreeBytes: Number.MAX_SAFE_INTEGER });
    await put(cache, "kept", 100);
    expect(await cache.reserve("a", 10)).toBeUndefined();
    expect(await keys(cache)).toEqual(["kept"]);
  });

  it("a second delivery of a key being written is told it is busy and waits for it (settled)", async () => {
    const cache = new ImageCache({ dir, maxBytes: 1000, minFreeBytes: 0 });
    const reservation = await granted(cache, "a", 10);
    expect(await cache.reserve("a", 10)).toBe("busy");
    let settled = false;
    const waiting = cache.settled("a").then(() => {
      settled = true;
    });
    await writeFile(reservation.temporary, "x");
    expect(settled).toBe(false);
    await reservation.commit();
    await waiting;
    expect(settled).toBe(true);
    expect(await cache.open("a")).toBeDefined();
  });

  it("an evicted tar that is already open stays readable", async () => {
    const cache = new ImageCache({ dir, maxBytes: 100, minFreeBytes: 0 });
    await put(cache, "a", 80, 60);
    const opened = await cache.open("a");
    const reservation = await granted(cache, "b", 80);
    expect(await keys(cache)).toEqual([]);
    let bytes = 0;
    for await (const chunk of opened?.stream ?? []) {
      bytes += (chunk as Buffer).length;
    }
    expect(bytes).toBe(80);
    await reservation.abandon();
  });

  it("removes half-written tars of a process that died, keeps complete ones", async () => {
    const cache = new ImageCache({ dir, maxBytes: 1000, minFreeBytes: 0 });
    await put(cache, "complete", 10);
    await writeFile(join(dir, "complete.tar.abc123.tmp"), "partial");
    await cache.removeTemporaries();
    expect((await readdir(dir)).sort()).toEqual(["complete.tar"]);
    expect(await readFile(cache.pathOf("complete"))).toHaveLength(10);
  });
});
