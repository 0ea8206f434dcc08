import { execFile } from "node:child_process";
import { mkdir, statfs } from "node:fs/promises";
import { promisify } from "node:util";
import type { Logger } from "@ild/common";

const TMPFS_MAGIC = 0x01021994;
const run = promisify(execFile);

/**
 * The run root holds secrets: it must be a tmpfs, and it must be one BEFORE the first DIND starts (a DIND
 * bind-mounts it; a tmpfs mounted later would stay invisible inside the running DINDs). Mounts one
 * (`mount` by argv, no shell) when it is not; says so in one line when that is not possible.
 */
export async function ensureRunRootTmpfs(runRoot: string, logger: Logger, sizeMiB = 256): Promise<boolean> {
  await mkdir(runRoot, { recursive: true, mode: 0o711 });
  if ((await statfs(runRoot)).type === TMPFS_MAGIC) {
    return true;
  }
  try {
    await run("mount", ["-t", "tmpfs", "-o", `mode=0711,size=${sizeMiB}m,nosuid,nodev`, "tmpfs", runRoot]);
    logger.info({ runRoot }, `run root ${runRoot}: mounted a tmpfs (${sizeMiB} MiB) for secrets`);
    return true;
  } catch (error) {
    logger.warn(
      { runRoot, err: (error as Error).message },
      `run root ${runRoot} is not a tmpfs and none could be mounted: secrets are kept on disk`,
    );
    return false;
  }
}
