/**
 * The image cache: `docker save` tars of images a DIND needed, kept on the host's disk as
 * `<dir>/<key>.tar`, so the next DIND loads a file instead of asking the host engine again. A size
 * budget bounds it: the least recently used tars (by modification time, refreshed on every use) are
 * evicted to make room, and the filesystem always keeps `minFreeBytes` free. A tar being read stays
 * readable when it is evicted (it is opened first; unlinking never cuts an open file). An image that
 * cannot fit is not cached (the caller streams it straight from the host engine).
 */
import { randomBytes } from "node:crypto";
import type { ReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, statfs, utimes } from "node:fs/promises";
import { join } from "node:path";
import { type Logger, noopLogger } from "@ild/common";
import { formatBytes } from "../image-errors.js";

const tarSuffix = ".tar";
const temporarySuffix = ".tmp";

export interface ImageCacheOptions {
  /** Folder of the tars (created on first use). Put it on a disk, not on a tmpfs. */
  dir: string;
  /** Budget for all cached tars together. 0 disables the cache. */
  maxBytes: number;
  /** Free space the filesystem keeps after a tar is written (default 1 GiB). */
  minFreeBytes?: number;
  logger?: Logger;
}

/** Room for one tar being written: write it at `temporary`, then commit (or abandon) it. */
export interface CacheReservation {
  readonly temporary: string;
  commit(): Promise<void>;
  abandon(): Promise<void>;
}

interface CachedTar {
  path: string;
  bytes: number;
  usedAt: number;
}

export class ImageCache {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly minFreeBytes: number;
  private readonly logger: Logger;
  /** Bytes promised to tars being written now. */
  private reserved = 0;
  /** Keys being written now: a second delivery of the same image waits for the file. */
  private readonly filling = new Map<string, Promise<void>>();
  /** Reservations are decided one at a time (eviction reads the folder). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ImageCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.minFreeBytes = options.minFreeBytes ?? 1024 ** 3;
    this.logger = options.logger ?? noopLogger;
  }

  pathOf(key: string): string {
    return join(this.dir, `${key}${tarSuffix}`);
  }

  /** Resolves when no tar for `key` is being written (another delivery of the same image). */
  async settled(key: string): Promise<void> {
    await this.filling.get(key)?.catch(() => {});
  }

  /** The cached tar of `key`, opened (and marked as just used); undefined when there is none. */
  async open(key: string): Promise<{ stream: ReadStream; bytes: number } | undefined> {
    const path = this.pathOf(key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, "r");
    } catch {
      return undefined;
    }
    const { size } = await handle.stat();
    const now = new Date();
    await utimes(path, now, now).catch(() => {});
    return { stream: handle.createReadStream(), bytes: size };
  }

  /**
   * Room for a tar of about `bytes` for `key`, evicting least recently used tars as needed.
   * Undefined (nothing evicted) when it cannot fit in the budget or on the disk; `busy` when the same
   * key is being written now (wait for `settled(key)`, then open it).
   */
  reserve(key: string, bytes: number): Promise<CacheReservation | "busy" | undefined> {
    const decided = this.queue.then(() => this.decide(key, bytes));
    this.queue = decided.catch(() => {});
    return decided;
  }

  private async decide(key: string, bytes: number): Promise<CacheReservation | "busy" | undefined> {
    if (this.filling.has(key)) {
      return "busy";
    }
    if (bytes > this.maxBytes) {
      this.logger.info(
        { key, bytes, maxBytes: this.maxBytes },
        `image cache: a ${formatBytes(bytes)} image exceeds the cache budget of ${formatBytes(this.maxBytes)}: delivered uncached`,
      );
      return undefined;
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tars = (await this.list()).sort((a, b) => a.usedAt - b.usedAt);
    let used = tars.reduce((sum, tar) => sum + tar.bytes, 0);
    let free = await this.freeBytes();
    const fitsWith = (usedBytes: number, freeBytes: number): boolean =>
      usedBytes + this.reserved + bytes <= this.maxBytes &&
      freeBytes - this.reserved - bytes >= this.minFreeBytes;
    const fits = (): boolean => fitsWith(used, free);
    if (!fitsWith(0, free + used)) {
      this.logger.warn(
        { key, bytes, freeBytes: free, minFreeBytes: this.minFreeBytes, dir: this.dir },
        `image cache: no room for a ${formatBytes(bytes)} image in ${this.dir} (${formatBytes(free)} free on the disk): delivered uncached`,
      );
      return undefined;
    }
    const evicted: string[] = [];
    while (!fits() && tars.length > 0) {
      const oldest = tars.shift() as CachedTar;
      await rm(oldest.path, { force: true });
      used -= oldest.bytes;
      free += oldest.bytes;
      evicted.push(oldest.path);
    }
    if (evicted.length > 0) {
      this.logger.info({ evicted }, `image cache: evicted ${evicted.length} least recently used tar(s)`);
    }
    return this.reservation(key, bytes);
  }

  private reservation(key: string, bytes: number): CacheReservation {
    this.reserved += bytes;
    let settle: () => void = () => {};
    this.filling.set(
      key,
      new Promise<void>((resolve) => {
        settle = resolve;
      }),
    );
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        this.reserved -= bytes;
        this.filling.delete(key);
        settle();
      }
    };
    const temporary = `${this.pathOf(key)}.${randomBytes(3).toString("hex")}${temporarySuffix}`;
    return {
      temporary,
      commit: async () => {
        try {
          await rename(temporary, this.pathOf(key));
        } finally {
          finish();
        }
      },
      abandon: async () => {
        try {
          await rm(temporary, { force: true });
        } finally {
          finish();
        }
      },
    };
  }

  /** Removes tars half-written by a process that died (call before the first delivery). */
  async removeTemporaries(): Promise<void> {
    for (const entry of await this.entries()) {
      if (entry.endsWith(temporarySuffix)) {
        await rm(join(this.dir, entry), { force: true });
      }
    }
  }

  /** The cached tars with their sizes (for stats and tests). */
  async list(): Promise<CachedTar[]> {
    const tars: CachedTar[] = [];
    for (const entry of await this.entries()) {
      if (!entry.endsWith(tarSuffix)) {
        continue;
      }
      const path = join(this.dir, entry);
      try {
        const info = await stat(path);
        tars.push({ path, bytes: info.size, usedAt: info.mtimeMs });
      } catch {
        // evicted meanwhile
      }
    }
    return tars;
  }

  private async entries(): Promise<string[]> {
    try {
      return await readdir(this.dir);
    } catch {
      return [];
    }
  }

  private async freeBytes(): Promise<number> {
    const info = await statfs(this.dir);
    return info.bavail * info.bsize;
  }
}
