/**
 * emptyDir `sizeLimit` on disk, enforced as the kubelet does: the usage of each limited emptyDir is
 * measured periodically and a pod over a limit is evicted (Failed, reason Evicted). The walk never
 * follows a symlink, never leaves the volume's file system, and counts allocated blocks (a sparse
 * file counts what it really holds).
 */
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import type { PodPlan } from "@ild/pod-translator";
import type { Clock } from "../runner-types.js";

export interface EmptyDirOverLimit {
  volume: string;
  limitBytes: number;
  usedBytes: number;
}

/** Bytes allocated below `dir` (same device only; symlinks counted as themselves). */
export async function diskUsage(dir: string): Promise<number> {
  const root = await lstat(dir).catch(() => undefined);
  if (root === undefined) {
    return 0;
  }
  let total = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    const entries = await readdir(current).catch(() => [] as string[]);
    for (const entry of entries) {
      const full = path.join(current, entry);
      const info = await lstat(full).catch(() => undefined);
      if (info === undefined || info.dev !== root.dev) {
        continue;
      }
      total += info.blocks * 512;
      if (info.isDirectory()) {
        pending.push(full);
      }
    }
  }
  return total;
}

/** The disk emptyDirs of the plan that carry a sizeLimit, with their host folders. */
export function limitedEmptyDirs(
  plan: PodPlan,
  podDataDir: string,
): Array<{ volume: string; dir: string; limitBytes: number }> {
  return plan.volumes
    .filter(
      (volume) =>
        volume.kind === "emptyDir" &&
        volume.medium === "disk" &&
        volume.sizeLimitBytes !== undefined &&
        volume.dir !== undefined,
    )
    .map((volume) => ({
      volume: volume.name,
      dir: path.join(podDataDir, volume.dir as string),
      limitBytes: volume.sizeLimitBytes as number,
    }));
}

/** Resolves with the first emptyDir found over its limit, or undefined when the signal ends the watch. */
export async function watchEmptyDirLimits(
  plan: PodPlan,
  podDataDir: string,
  options: { clock: Clock; signal: AbortSignal; intervalMs: number },
): Promise<EmptyDirOverLimit | undefined> {
  const limited = limitedEmptyDirs(plan, podDataDir);
  if (limited.length === 0) {
    return undefined;
  }
  for (;;) {
    try {
      await options.clock.sleep(options.intervalMs, options.signal);
    } catch {
      return undefined;
    }
    for (const item of limited) {
      const usedBytes = await diskUsage(item.dir);
      if (usedBytes > item.limitBytes) {
        return { volume: item.volume, limitBytes: item.limitBytes, usedBytes };
      }
    }
  }
}
