/**
 * Mounts in the sidecar's own mount namespace, by argv (`mount`, `umount`; never a shell). They make pod
 * files reach exactly one DIND: the folders that hold pod files are shared mounts (nosuid, nodev), each
 * DIND sees only its own empty "slot" folder (rslave), and a lease binds the pod's folders into it.
 * The kernel's mount table (/proc/self/mountinfo) is the only state: everything here is idempotent
 * and safe to repeat after a crash.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { HostMountError } from "../errors.js";

const run = promisify(execFile);

export interface MountEntry {
  /** The mount point, unescaped. */
  target: string;
  /** Per-mount options (`rw,nosuid,nodev,relatime`). */
  options: string[];
  /** Propagation tags (`shared:12`, `master:3`); empty when private. */
  propagation: string[];
}

function unescapeMountPath(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Parses `/proc/self/mountinfo` text (pure). */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    const separator = fields.indexOf("-");
    if (fields.length < 7 || separator < 6) {
      continue;
    }
    entries.push({
      target: unescapeMountPath(fields[4] ?? ""),
      options: (fields[5] ?? "").split(","),
      propagation: fields.slice(6, separator),
    });
  }
  return entries;
}

export async function readMounts(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile("/proc/self/mountinfo", "utf8"));
}

async function mountCommand(args: string[], what: string): Promise<void> {
  try {
    await run("mount", args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new HostMountError(what, stderr || (error as Error).message, { cause: error });
  }
}

/**
 * Makes `dir` a mount of its own (a bind onto itself), with `nosuid,nodev` (+ `noexec` when asked) and
 * shared propagation, so that binds made later below it reach the DINDs that see it through a slave
 * mount. Idempotent: a folder that already is such a mount is left as it is.
 */
export async function ensureSharedMount(dir: string, options: { noexec?: boolean } = {}): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const resolved = path.resolve(dir);
  const wanted = ["nosuid", "nodev", ...(options.noexec ? ["noexec"] : [])];
  let entry = (await readMounts()).findLast((mount) => mount.target === resolved);
  if (entry === undefined) {
    await mountCommand(["--bind", resolved, resolved], `bind ${resolved} onto itself`);
    entry = { target: resolved, options: [], propagation: [] };
  }
  if (!wanted.every((option) => entry.options.includes(option))) {
    await mountCommand(
      ["-o", `remount,bind,${wanted.join(",")}`, resolved],
      `remount ${resolved} ${wanted.join(",")}`,
    );
  }
  if (!entry.propagation.some((tag) => tag.startsWith("shared:"))) {
    await mountCommand(["--make-rshared", resolved], `make ${resolved} shared`);
  }
}

/** Binds `source` (a path, or `/proc/<pid>/fd/<n>` of a verified open file) onto `target`. */
export async function bindMount(source: string, target: string): Promise<void> {
  await mountCommand(["--bind", source, target], `bind onto ${target}`);
}

/** Every mount point at or below `dir`, deepest first. */
export async function mountsBelow(dir: string): Promise<string[]> {
  const resolved = path.resolve(dir);
  return (await readMounts())
    .map((mount) => mount.target)
    .filter((target) => target === resolved || target.startsWith(`${resolved}/`))
    .sort((a, b) => b.length - a.length);
}

/** Detaches every mount at or below `dir` (lazily: a mount still in use goes once it is free). */
export async function unmountBelow(dir: string): Promise<void> {
  for (const target of new Set(await mountsBelow(dir))) {
    try {
      await run("umount", ["-l", target]);
    } catch (error) {
      // Already gone (a parent's lazy unmount took it along): fine; anything else is an error.
      if (!(await mountsBelow(target)).includes(target)) {
        continue;
      }
      const stderr = (error as { stderr?: string }).stderr?.trim();
      throw new HostMountError(`unmount ${target}`, stderr || (error as Error).message, { cause: error });
    }
  }
}

/**
 * Removes a folder tree that may hold bind mounts: unmounts everything below it first, so that the
 * removal never reaches into what a mount shows (a pod's volume, an allow-listed host path).
 */
export async function removeTree(dir: string): Promise<void> {
  // a mount made meanwhile (a start still in flight) is taken on the next round
  for (let attempt = 0; ; attempt++) {
    await unmountBelow(dir);
    if ((await mountsBelow(dir)).length > 0) {
      throw new HostMountError(`remove ${dir}`, "mounts are still present below it");
    }
    try {
      await rm(dir, { recursive: true, force: true });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EBUSY" || attempt >= 3) {
        throw error;
      }
    }
  }
}
