/**
 * Docker can record `OOMKilled` a moment after the exit that a die event or a wait reports (the kernel's
 * OOM notice and the exit travel separately through containerd). A container with a memory limit that
 * exits 137 without the flag is therefore inspected once more, shortly after, before its exit is recorded.
 */
import type { ContainerInspect, DockerClient } from "@ild/dind-pool";

export const OOM_RECHECK_MS = 300;

export function mayBeLateOom(info: ContainerInspect, memoryLimitBytes: number | undefined): boolean {
  return memoryLimitBytes !== undefined && info.state.exitCode === 137 && !info.state.oomKilled;
}

/** The inspect to record: a later one when it shows the OOM kill, else the first. */
export async function recheckOom(
  docker: DockerClient,
  id: string,
  first: ContainerInspect,
  delayMs = OOM_RECHECK_MS,
): Promise<ContainerInspect> {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  try {
    const again = await docker.inspectContainer(id);
    return again.state.oomKilled ? again : first;
  } catch {
    return first;
  }
}
