import type { DockerClient } from "@ild/dind-pool";
import type { PodPlan } from "@ild/pod-translator";

/** The pod's namespaced sysctls (`spec.securityContext.sysctls`, already checked by the policy). */
export function podSysctls(plan: PodPlan): Array<[string, string]> {
  const merged: Record<string, string> = {};
  for (const container of [...plan.initContainers, ...plan.containers]) {
    Object.assign(merged, container.security.sysctls);
  }
  return Object.entries(merged);
}

/**
 * The pod's containers run in the DIND's network and IPC namespaces (NetworkMode/IpcMode host inside
 * it), where Docker refuses namespaced sysctls: they are set once in the DIND itself, which is the
 * pod's sandbox, as the kubelet sets them on the pod's sandbox. argv only; a refusal fails the start.
 */
export async function applyDindSysctls(docker: DockerClient, dindId: string, plan: PodPlan): Promise<void> {
  for (const [name, value] of podSysctls(plan)) {
    const result = await docker.exec(dindId, ["sysctl", "-w", `${name}=${value}`]);
    if (result.exitCode !== 0) {
      throw new Error(
        `sysctl ${name}=${value} could not be set in the pod's sandbox: ${(result.stderr || result.stdout).trim()}`,
      );
    }
  }
}
