import { chmod, chown, lstat, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { removeTree } from "@ild/dind-pool";
import type { PodPlan } from "@ild/pod-translator";
import { UnsafePathError } from "../errors.js";
import type { PodPaths } from "./pod-paths.js";
import { safeJoin } from "./pod-paths.js";

/** Refuses to write through a symlink planted inside the pod directory. */
async function assertNoSymlink(base: string, target: string): Promise<void> {
  let current = target;
  while (current.startsWith(`${base}${path.sep}`)) {
    const info = await lstat(current).catch(() => undefined);
    if (info?.isSymbolicLink()) {
      throw new UnsafePathError(path.relative(base, target));
    }
    current = path.dirname(current);
  }
}

/**
 * Writes the plan's files: secret ones under the secret dir (tmpfs), the rest under the data dir, each
 * with its mode (0600 default for secrets is the translator's) and owner; volume dirs get the fsGroup.
 */
export async function materializeFiles(plan: PodPlan, paths: PodPaths): Promise<void> {
  // root-only pod folders: containers see their volume folders through binds, never these
  await mkdir(paths.dataDir, { recursive: true, mode: 0o700 });
  await chmod(paths.dataDir, 0o700);
  await mkdir(paths.secretDir, { recursive: true, mode: 0o700 });
  await chmod(paths.secretDir, 0o700);
  for (const volume of plan.volumes) {
    if (volume.dir === undefined) {
      continue;
    }
    const dir = safeJoin(volume.secret ? paths.secretDir : paths.dataDir, volume.dir);
    const mode = volume.kind === "emptyDir" ? 0o777 : 0o755;
    await mkdir(dir, { recursive: true, mode });
    await chmod(dir, volume.gid !== undefined ? mode | 0o2000 : mode);
    if (volume.gid !== undefined) {
      await chown(dir, 0, volume.gid);
    }
  }
  for (const directory of plan.directories ?? []) {
    const base = directory.secret ? paths.secretDir : paths.dataDir;
    const dir = safeJoin(base, directory.path);
    await assertNoSymlink(base, dir);
    await mkdir(dir, { recursive: true, mode: directory.mode });
    await chmod(dir, directory.mode);
    if (directory.uid !== undefined || directory.gid !== undefined) {
      await chown(dir, directory.uid ?? 0, directory.gid ?? 0);
    }
  }
  for (const file of plan.files) {
    const base = file.secret ? paths.secretDir : paths.dataDir;
    const target = safeJoin(base, file.path);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await assertNoSymlink(base, target);
    await writeFile(target, file.content, { mode: file.mode });
    await chmod(target, file.mode);
    if (file.uid !== undefined || file.gid !== undefined) {
      await chown(target, file.uid ?? 0, file.gid ?? 0);
    }
  }
}

/** Unmounts the pod's verified binds first: removal never reaches into a volume or a host path. */
export async function removePodFiles(paths: PodPaths): Promise<void> {
  await removeTree(paths.dataDir);
  await removeTree(paths.runDir);
}
