/**
 * Which security mode the host engine allows for DINDs: try a tiny `Privileged: true` container from
 * the DIND image (entrypoint `true`, no network). On hosts whose capability bounding set lacks a
 * capability (these VMs: CAP_SYS_RESOURCE), runc fails with "unable to apply caps" and we fall back
 * to the explicit capability set. The probe container is always removed.
 */
import type { Logger } from "@ild/common";
import type { DockerClient } from "../docker/docker-client.js";
import { DockerError } from "../docker/docker-errors.js";
import { poolLabels } from "../labels.js";
import type { ResolvedSecurityMode } from "./dind-container-spec.js";

export async function detectSecurityMode(options: {
  host: DockerClient;
  image: string;
  poolId: string;
  name: string;
  labels?: Record<string, string>;
  logger: Logger;
  signal?: AbortSignal;
}): Promise<{ mode: ResolvedSecurityMode; reason: string }> {
  const { host, signal } = options;
  const id = await host.createContainer(
    options.name,
    {
      Image: options.image,
      Entrypoint: ["true"],
      Cmd: [],
      Labels: poolLabels(options.poolId, "probe", options.labels),
      HostConfig: { Privileged: true, NetworkMode: "none" },
    },
    // never abort a create mid-request: an abandoned create still lands on the engine (see dind-lifecycle)
  );
  try {
    signal?.throwIfAborted(); // inside the try: the probe is removed whatever happens next
    await host.startContainer(id, { signal });
    const exitCode = await host.waitContainer(id, { signal });
    if (exitCode !== 0) {
      return { mode: "capabilities", reason: `privileged probe exited with ${exitCode}` };
    }
    return { mode: "privileged", reason: "privileged probe container ran" };
  } catch (error) {
    if (error instanceof DockerError && error.statusCode !== undefined) {
      // "unable to apply caps: operation not permitted" and friends
      return { mode: "capabilities", reason: `privileged probe failed: ${error.message.split("\n")[0]}` };
    }
    throw error;
  } finally {
    await host.removeContainer(id).catch((error: unknown) => {
      options.logger.warn(
        { err: error, containerId: id.slice(0, 12) },
        "could not remove the privileged probe",
      );
    });
  }
}
