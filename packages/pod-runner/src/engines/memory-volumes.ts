import type { PodPlan } from "@ild/pod-translator";

/**
 * Memory emptyDirs mounted by more than one container: these need a named Docker volume shared by the
 * containers; one used by a single container is rendered as a tmpfs mount by the translator.
 */
export function sharedMemoryVolumes(plan: PodPlan): string[] {
  const containers = [...plan.initContainers, ...plan.containers];
  return plan.volumes
    .filter((volume) => volume.kind === "emptyDir" && volume.medium === "memory")
    .filter(
      (volume) =>
        containers.filter((container) => container.mounts.some((mount) => mount.volume === volume.name))
          .length > 1,
    )
    .map((volume) => volume.name);
}

/** Local-driver options of a memory-backed volume: world-writable like a Kubernetes emptyDir, size-capped. */
export function tmpfsVolumeOptions(sizeLimitBytes?: number): Record<string, string> {
  const size = sizeLimitBytes === undefined ? "" : `,size=${sizeLimitBytes}`;
  return { type: "tmpfs", device: "tmpfs", o: `mode=1777${size}` };
}
