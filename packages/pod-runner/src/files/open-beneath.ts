/**
 * Opens a path below a root without ever following a symlink, one component at a time, each relative
 * to the folder opened before it (`/proc/self/fd/<n>/<name>` with O_NOFOLLOW: the openat walk the
 * kubelet does for subPath). What is returned is an open file: binding `/proc/<pid>/fd/<n>` mounts
 * exactly what was checked, whatever the pod renames afterwards (no check-then-use race).
 */
import { constants } from "node:fs";
import { type FileHandle, lstat, mkdir, open } from "node:fs/promises";

const { O_RDONLY, O_NOFOLLOW, O_DIRECTORY, O_NONBLOCK } = constants;

export interface OpenedBeneath {
  handle: FileHandle;
  directory: boolean;
  /** `/proc/<pid>/fd/<n>`: the path another process (mount) can use for the open file. */
  procPath: string;
}

export class BeneathError extends Error {
  constructor(
    readonly relative: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function fdPath(handle: FileHandle, name?: string): string {
  return `/proc/self/fd/${handle.fd}${name === undefined ? "" : `/${name}`}`;
}

/**
 * `relative`: `/`-separated, no `..` (checked again here). `createMissing`: a missing component is
 * created as a folder with this mode (the kubelet creates a missing subPath), never through a symlink.
 */
export async function openBeneath(
  root: string,
  relative: string,
  options: { createMissing?: number } = {},
): Promise<OpenedBeneath> {
  const segments = relative.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.some((segment) => segment === ".." || segment.includes("\0"))) {
    throw new BeneathError(relative, "must not contain '..'");
  }
  let current = await open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    for (const [index, segment] of segments.entries()) {
      const last = index === segments.length - 1;
      const at = fdPath(current, segment);
      let info = await lstat(at).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") {
          return undefined;
        }
        throw error;
      });
      if (info === undefined && options.createMissing !== undefined) {
        // mkdir never follows a symlink in its last component: a name planted meanwhile fails EEXIST
        await mkdir(at, { mode: options.createMissing });
        info = await lstat(at);
      }
      if (info === undefined) {
        throw new BeneathError(relative, `"${segments.slice(0, index + 1).join("/")}" does not exist`);
      }
      if (info.isSymbolicLink()) {
        throw new BeneathError(relative, `"${segments.slice(0, index + 1).join("/")}" is a symlink`);
      }
      if (!info.isDirectory() && !(last && info.isFile())) {
        throw new BeneathError(
          relative,
          `"${segments.slice(0, index + 1).join("/")}" is not a ${last ? "folder or regular file" : "folder"}`,
        );
      }
      let next: FileHandle;
      try {
        next = await open(at, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | (info.isDirectory() ? O_DIRECTORY : 0));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new BeneathError(
          relative,
          code === "ELOOP" || code === "ENOTDIR"
            ? `"${segments.slice(0, index + 1).join("/")}" was replaced while it was checked`
            : `cannot open "${segments.slice(0, index + 1).join("/")}": ${code ?? (error as Error).message}`,
        );
      }
      const opened = await next.stat();
      if (opened.ino !== info.ino || opened.dev !== info.dev) {
        await next.close();
        throw new BeneathError(
          relative,
          `"${segments.slice(0, index + 1).join("/")}" changed while it was opened`,
        );
      }
      await current.close();
      current = next;
    }
    const final = await current.stat();
    if (!final.isDirectory() && !final.isFile()) {
      throw new BeneathError(relative, "is not a folder or regular file");
    }
    return {
      handle: current,
      directory: final.isDirectory(),
      procPath: `/proc/${process.pid}/fd/${current.fd}`,
    };
  } catch (error) {
    await current.close().catch(() => {});
    throw error;
  }
}
