import { execFile } from "node:child_process";
import { mkdir, statfs } from "node:fs/promises";
import { promisify } from "node:util";
import type { Logger } from "@ild/common";

const TMPFS_MAGIC = 0x01021994;
const run = promisify(execFile);

export async function isTmpfs(dir: string): Promise<boolean> {
  const info = await statfs(dir);
  return info.type === TMPFS_MAGIC;
}

/** Makes `dir` a tmpfs (mode 0700) when it is not one already, with `mount` called by argv. */
export async function ensureTmpfs(dir: string, logger: Logger, sizeMiB = 256): Promise<boolean> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (await isTmpfs(dir)) {
    return true;
  }
  try {
    await run("mount", ["-t", "tmpfs", "-o", `mode=0700,size=${sizeMiB}m,nosuid,nodev`, "tmpfs", dir]);
    return true;
  } catch (error) {
    logger.warn({ dir, error: String(error) }, "could not mount a tmpfs for secrets; using the disk");
    return false;
  }
}
