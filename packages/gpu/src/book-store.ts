import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Logger } from "@ild/common";
import { DeviceBookPersistError } from "./errors.js";

/** Pod UID → container name → device ids. */
export type StoredAllocations = Record<string, Record<string, string[]>>;

interface BookFile {
  version: 1;
  allocations: StoredAllocations;
}

let sequence = 0;

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function tempPrefix(path: string): string {
  return `${basename(path)}.tmp-`;
}

/**
 * Loads the book file. Missing → empty. Unreadable or malformed → empty, with a warning (container labels
 * are the authority; `restore()` rebuilds from them). Leftover temp files of interrupted writes are removed.
 */
export function loadBookFile(path: string, logger: Logger): StoredAllocations {
  const dir = dirname(path);
  try {
    for (const name of readdirSync(dir)) {
      if (name.startsWith(tempPrefix(path))) {
        unlinkSync(join(dir, name));
        logger.warn({ file: join(dir, name) }, "removed a torn device-book temp file");
      }
    }
  } catch {
    // the directory does not exist yet
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      logger.warn({ path, error: String(error) }, "cannot read the device book; starting empty");
    }
    return {};
  }
  try {
    const parsed = JSON.parse(text) as Partial<BookFile>;
    if (parsed.version !== 1 || typeof parsed.allocations !== "object" || parsed.allocations === null) {
      throw new Error("not a version-1 device book");
    }
    const allocations: StoredAllocations = {};
    for (const [podUid, containers] of Object.entries(parsed.allocations)) {
      if (typeof containers !== "object" || containers === null) {
        continue;
      }
      const clean: Record<string, string[]> = {};
      for (const [container, ids] of Object.entries(containers)) {
        if (isStringArray(ids)) {
          clean[container] = ids;
        }
      }
      allocations[podUid] = clean;
    }
    return allocations;
  } catch (error) {
    logger.warn({ path, error: String(error) }, "device book file is malformed; starting empty");
    return {};
  }
}

/** Writes the book atomically: temp file in the same directory, fsync, rename, fsync the directory. */
export function saveBookFile(path: string, allocations: StoredAllocations): void {
  const dir = dirname(path);
  sequence += 1;
  const temp = join(dir, `${tempPrefix(path)}${process.pid}-${sequence}`);
  const body: BookFile = { version: 1, allocations };
  let fd: number | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    fd = openSync(temp, "w", 0o600);
    writeSync(fd, `${JSON.stringify(body, null, 1)}\n`);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // not created
    }
    throw new DeviceBookPersistError(path, error);
  }
  try {
    const dirFd = openSync(dir, "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // some filesystems refuse fsync on directories; the rename is done
  }
}
