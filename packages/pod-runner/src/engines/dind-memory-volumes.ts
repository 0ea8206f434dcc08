import type { DockerClient } from "@ild/dind-pool";
import type { PodPlan } from "@ild/pod-translator";

/** Where a DIND keeps the tmpfs of each of the pod's memory emptyDirs. */
export const DIND_MEMORY_DIR = "/run/ild-memory";

/**
 * A memory emptyDir of a DIND pod lives as long as the pod, as in Kubernetes (its data survives a
 * container's restart): a tmpfs is mounted in the DIND itself (argv only, mode 1777, sizeLimit as its
 * size), and a named volume of the inner engine binds it, so the containers mount it by name. The
 * tmpfs stays mounted between containers because the DIND holds it; it goes with the DIND.
 */
export async function createDindMemoryVolume(
  hostDocker: DockerClient,
  dindId: string,
  innerDocker: DockerClient,
  volume: { name: string; dockerName: string; sizeLimitBytes?: number | undefined },
  labels: Record<string, string>,
): Promise<void> {
  const dir = `${DIND_MEMORY_DIR}/${volume.name}`;
  const size = volume.sizeLimitBytes === undefined ? "" : `,size=${volume.sizeLimitBytes}`;
  for (const argv of [
    ["mkdir", "-p", dir],
    ["mount", "-t", "tmpfs", "-o", `mode=1777,nosuid,nodev${size}`, "tmpfs", dir],
  ]) {
    const result = await hostDocker.exec(dindId, argv);
    if (result.exitCode !== 0) {
      throw new Error(
        `memory emptyDir "${volume.name}": ${argv[0]} in the pod's DIND failed: ${(result.stderr || result.stdout).trim()}`,
      );
    }
  }
  await innerDocker.createVolume(volume.dockerName, labels, {
    driverOptions: { type: "none", o: "bind", device: dir },
  });
}

/** The pod's memory emptyDirs that any container mounts. */
export function podMemoryVolumes(
  plan: PodPlan,
): Array<{ name: string; sizeLimitBytes?: number | undefined }> {
  const containers = [...plan.initContainers, ...plan.containers];
  return plan.volumes
    .filter((volume) => volume.kind === "emptyDir" && volume.medium === "memory")
    .filter((volume) =>
      containers.some((container) => container.mounts.some((mount) => mount.volume === volume.name)),
    )
    .map((volume) => ({ name: volume.name, sizeLimitBytes: volume.sizeLimitBytes }));
}
