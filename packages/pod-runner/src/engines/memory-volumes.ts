import type { PodPlan } from "@ild/pod-translator";

/**
 * Memory emptyDirs mounted by at least `minUsers` containers: these get a named Docker volume (shared by
 * the containers, and kept across a container's restarts when the sandbox holds it mounted); the others
 * are rendered as a per-container tmpfs mount by the translator. Default 2: shared ones only; the host
 * engine passes 1 (its sandbox holds every one; the dind engine has dind-memory-volumes.ts).
 */
export function sharedMemoryVolumes(plan: PodPlan, minUsers = 2): string[] {
  const containers = [...plan.initContainers, ...plan.containers];
  return plan.volumes
    .filter((volume) => volume.kind === "emptyDir" && volume.medium === "memory")
    .filter(
      (volume) =>
        containers.filter((container) => container.mounts.some((mount) => mount.volume === volume.name))
          .length >= minUsers,
    )
    .map((volume) => volume.name);
}

/** Local-driver options of a memory-backed volume: world-writable like a Kubernetes emptyDir, size-capped. */
export function tmpfsVolumeOptions(sizeLimitBytes?: number): Record<string, string> {
  const size = sizeLimitBytes === undefined ? "" : `,size=${sizeLimitBytes}`;
  return { type: "tmpfs", device: "tmpfs", o: `mode=1777${size}` };
}
