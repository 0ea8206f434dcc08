import type { Logger } from "@ild/common";
import type { ContainerCreateBody, DockerClient } from "@ild/dind-pool";
import type { ContainerPlan } from "@ild/pod-translator";
import { ContainerConfigError } from "./container-config-error.js";

/** The pod as the kubelet names it in messages: `name_namespace(uid)`. */
export interface PodName {
  name: string;
  namespace: string;
  uid: string;
}

function podLabel(pod: PodName): string {
  return `${pod.name}_${pod.namespace}(${pod.uid})`;
}

/** The user part and the group part of an image's `USER` (`name`, `uid`, `uid:gid`, `name:group`). */
function splitUser(user: string): { user: string; group?: string } {
  const colon = user.indexOf(":");
  return colon === -1 ? { user } : { user: user.slice(0, colon), group: user.slice(colon + 1) };
}

/**
 * What the kubelet decides from the image's configured user when the pod does not set `runAsUser`:
 * - `runAsNonRoot: true`: a root image user (empty, `0`, `root`) is refused with the kubelet's words; a
 *   non-numeric one cannot be verified and is refused too; a numeric non-zero one runs.
 * - `runAsGroup` without `runAsUser`: the image's user runs with that group (`<image user>:<gid>`).
 * Throws {@link ContainerConfigError} (CreateContainerConfigError). Inspects the image only when needed.
 */
export async function applyImageUser(
  docker: DockerClient,
  plan: ContainerPlan,
  body: ContainerCreateBody,
  pod: PodName,
): Promise<void> {
  const security = plan.security;
  if (security.user !== undefined || (!security.runAsNonRoot && security.group === undefined)) {
    return;
  }
  const image = await docker.inspectImage(plan.image);
  const configured = splitUser(image?.user ?? "");
  const name = configured.user.trim();
  if (security.runAsNonRoot) {
    const where = `(pod: "${podLabel(pod)}", container: ${plan.name})`;
    if (name === "" || name === "root" || /^0+$/.test(name)) {
      throw new ContainerConfigError(
        plan.name,
        `container has runAsNonRoot and image will run as root ${where}`,
      );
    }
    if (!/^\d+$/.test(name)) {
      throw new ContainerConfigError(
        plan.name,
        `container has runAsNonRoot and image has non-numeric user (${name}), cannot verify user is non-root ${where}`,
      );
    }
  }
  if (security.group !== undefined) {
    body.User = `${name === "" ? "0" : name}:${security.group}`;
  }
}

const engineCpus = new WeakMap<DockerClient, Promise<number | undefined>>();

/** The engine's CPU count (`NCPU` of `docker info`), asked once per engine client. */
function cpusOf(docker: DockerClient): Promise<number | undefined> {
  let cpus = engineCpus.get(docker);
  if (cpus === undefined) {
    cpus = docker.info().then(
      (info) => {
        const count = Number(info.NCPU);
        return Number.isInteger(count) && count > 0 ? count : undefined;
      },
      () => undefined,
    );
    engineCpus.set(docker, cpus);
  }
  return cpus;
}

/**
 * A CPU limit above the engine's CPU count is clamped to what the engine has (Docker refuses more
 * NanoCpus than it has CPUs), with a warning: the kubelet would run it, throttled by what the node has.
 */
export async function clampCpuLimit(
  docker: DockerClient,
  plan: ContainerPlan,
  body: ContainerCreateBody,
  logger: Logger,
): Promise<void> {
  const nanoCpus = body.HostConfig?.NanoCpus;
  if (typeof nanoCpus !== "number" || nanoCpus <= 0) {
    return;
  }
  const cpus = await cpusOf(docker);
  if (cpus === undefined || nanoCpus <= cpus * 1e9) {
    return;
  }
  logger.warn(
    { container: plan.name, limitNanoCpus: nanoCpus, engineCpus: cpus },
    `CPU limit of container ${plan.name} (${nanoCpus / 1e9}) is more than the engine's ${cpus} CPUs: clamped to ${cpus}`,
  );
  body.HostConfig = { ...body.HostConfig, NanoCpus: cpus * 1e9 };
}
