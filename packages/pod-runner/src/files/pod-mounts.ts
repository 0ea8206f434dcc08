/**
 * Where pod files live on the host and how they reach exactly one DIND. `<dataRoot>/pods` and
 * `<runRoot>/pods` are shared mounts with nosuid,nodev (a pod cannot plant a setuid binary or a
 * device node in its emptyDir for local users); a DIND sees neither, only its own slot folders
 * (@ild/dind-pool `podPaths`), into which its lease binds the pod's data folder and its secrets
 * folder (never pod.json, never the device book, never another pod).
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { bindMount, type DindLease, ensureSharedMount, removeTree } from "@ild/dind-pool";
import type { PodPaths } from "./pod-paths.js";

export interface PodRoots {
  /** `<dataRoot>/pods` */
  data: string;
  /** `<runRoot>/pods` */
  run: string;
}

export function podRoots(dataRoot: string, runRoot: string): PodRoots {
  return { data: path.join(dataRoot, "pods"), run: path.join(runRoot, "pods") };
}

/** The pool's `podPaths` for a runner with these roots. */
export function poolPodPaths(dataRoot: string, runRoot: string): string[] {
  const roots = podRoots(dataRoot, runRoot);
  return [roots.data, roots.run];
}

/** Idempotent; after the run root's tmpfs is mounted. */
export async function preparePodRoots(roots: PodRoots): Promise<void> {
  await ensureSharedMount(roots.data);
  await ensureSharedMount(roots.run, { noexec: true });
}

/** Binds the pod's folders into the lease's slots (when the pool has them). Returns false if not. */
export async function exposePodFiles(lease: DindLease, roots: PodRoots, paths: PodPaths): Promise<boolean> {
  const dataSlot = lease.slotFor(roots.data);
  const runSlot = lease.slotFor(roots.run);
  if (dataSlot === undefined || runSlot === undefined) {
    return false;
  }
  const podDir = path.basename(paths.dataDir);
  const dataTarget = path.join(dataSlot, podDir);
  const secretTarget = path.join(runSlot, podDir, path.basename(paths.secretDir));
  await mkdir(paths.dataDir, { recursive: true, mode: 0o700 });
  await mkdir(paths.secretDir, { recursive: true, mode: 0o700 });
  for (const [source, target] of [
    [paths.dataDir, dataTarget],
    [paths.secretDir, secretTarget],
  ] as const) {
    await removeTree(target);
    await mkdir(target, { recursive: true, mode: 0o700 });
    await bindMount(source, target);
  }
  return true;
}
