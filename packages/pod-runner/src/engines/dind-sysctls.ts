import type { DockerClient } from "@ild/dind-pool";
import type { PodPlan } from "@ild/pod-translator";
import { LABEL_CONTAINER_KIND } from "./labels.js";

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
 * it), where Docker refuses namespaced sysctls, and the hardened DIND's /proc/sys is read-only. The
 * sysctls are therefore set on the DIND's namespaces from the host engine, as the kubelet sets them on
 * the pod's sandbox: a short-lived helper (the DIND's own image, `true`) joins the DIND's network
 * (net.*) and IPC (kernel.*) namespaces with `Sysctls`; the runtime writes them there and they stay.
 * Labelled, removed on every path; a refusal fails the start naming the sysctls.
 */
export async function applyDindSysctls(
  docker: DockerClient,
  dindId: string,
  plan: PodPlan,
  labels: Record<string, string>,
): Promise<void> {
  const sysctls = podSysctls(plan);
  if (sysctls.length === 0) {
    return;
  }
  const net = sysctls.filter(([name]) => name.startsWith("net."));
  const ipc = sysctls.filter(([name]) => !name.startsWith("net."));
  const dind = await docker.inspectContainer(dindId);
  for (const [mode, group] of [
    ["NetworkMode", net],
    ["IpcMode", ipc],
  ] as const) {
    if (group.length === 0) {
      continue;
    }
    const shown = group.map(([name, value]) => `${name}=${value}`).join(", ");
    let id: string | undefined;
    try {
      id = await docker.createContainer(undefined, {
        Image: dind.image,
        Entrypoint: ["true"],
        Cmd: [],
        Labels: { ...labels, [LABEL_CONTAINER_KIND]: "sysctl-helper" },
        HostConfig: { [mode]: `container:${dindId}`, Sysctls: Object.fromEntries(group), AutoRemove: false },
      });
      await docker.startContainer(id);
      const code = await docker.waitContainer(id);
      if (code !== 0) {
        throw new Error(`the helper exited with ${code}`);
      }
    } catch (error) {
      throw new Error(
        `sysctls ${shown} could not be set in the pod's sandbox: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    } finally {
      if (id !== undefined) {
        await docker.removeContainer(id).catch(() => {});
      }
    }
  }
}
