/**
 * `securityMode: auto` resolves to `hardened` (never to `privileged`, which is an explicit opt-in).
 * The probe checks that the host engine accepts the hardened settings (capability set within the
 * bounding set, the seccomp profile, the configured runtime): a tiny container from the DIND image
 * (entrypoint `true`, no network) with exactly the DIND's security HostConfig. A refusal is an error
 * that names the setting to change; it never falls back to a weaker set silently. The probe
 * container is always removed.
 */
import type { Logger } from "@ild/common";
import type { DockerClient } from "../docker/docker-client.js";
import { DockerError } from "../docker/docker-errors.js";
import { DindSecurityProbeError } from "../errors.js";
import { poolLabels } from "../labels.js";
import { type DindSecurityOptions, type ResolvedSecurityMode, securityHostConfig } from "./dind-security.js";

export async function detectSecurityMode(options: {
  host: DockerClient;
  image: string;
  poolId: string;
  name: string;
  labels?: Record<string, string>;
  security?: DindSecurityOptions;
  logger: Logger;
  signal?: AbortSignal;
}): Promise<{ mode: ResolvedSecurityMode; reason: string }> {
  const { host, signal } = options;
  const mode: ResolvedSecurityMode = "hardened";
  const hostConfig = securityHostConfig(mode, options.security);
  delete hostConfig.Sysctls; // namespaced network sysctls need a network namespace of its own
  let id: string;
  try {
    id = await host.createContainer(
      options.name,
      {
        Image: options.image,
        Entrypoint: ["true"],
        Cmd: [],
        Labels: poolLabels(options.poolId, "probe", options.labels),
        HostConfig: { ...hostConfig, NetworkMode: "none" },
      },
      // never abort a create mid-request: an abandoned create still lands on the engine (see dind-lifecycle)
    );
  } catch (error) {
    throw probeFailure(error, options.security);
  }
  try {
    signal?.throwIfAborted(); // inside the try: the probe is removed whatever happens next
    await host.startContainer(id, { signal });
    const exitCode = await host.waitContainer(id, { signal });
    if (exitCode !== 0) {
      throw new DindSecurityProbeError(mode, `the probe container exited with ${exitCode}`);
    }
    return {
      mode,
      reason: `hardened probe container ran${options.security?.runtime ? ` (runtime ${options.security.runtime})` : ""}`,
    };
  } catch (error) {
    throw probeFailure(error, options.security);
  } finally {
    await host.removeContainer(id).catch((error: unknown) => {
      options.logger.warn(
        { err: error, containerId: id.slice(0, 12) },
        "could not remove the security probe",
      );
    });
  }
}

function probeFailure(error: unknown, security: DindSecurityOptions | undefined): unknown {
  if (error instanceof DockerError && error.statusCode !== undefined) {
    // "unknown or invalid runtime name", "unable to apply caps: operation not permitted", ...
    const first = error.message.split("\n")[0] ?? "";
    return new DindSecurityProbeError(
      "hardened",
      `${first}${security?.runtime ? ` (runtime ${security.runtime})` : ""}`,
      { cause: error },
    );
  }
  return error;
}
