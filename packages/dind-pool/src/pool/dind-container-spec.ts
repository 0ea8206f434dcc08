/**
 * The Docker API body of one DIND container (pure). Measured recipe: docker-on-these-machines.md
 * §3c/§4 — explicit capability set where `--privileged` fails, /var/lib/docker on tmpfs (or a
 * volume), a per-DIND socket directory at /run/ild and a second dockerd listener on it, an
 * optional read-only seed store at /seed.
 */
import type { ContainerCreateBody } from "../docker/docker-client.js";
import type { DindDevices, DindResources } from "../pool-types.js";
import {
  type DindSecurityOptions,
  mergeDevices,
  type ResolvedSecurityMode,
  securityDaemonArgs,
  securityHostConfig,
} from "./dind-security.js";
import type { DindSlot } from "./dind-slots.js";

export type { ResolvedSecurityMode } from "./dind-security.js";
export { securityHostConfig } from "./dind-security.js";

/** Where the per-DIND socket directory is mounted inside the DIND. */
export const innerSocketDir = "/run/ild";
export const innerSocketName = "docker.sock";
/** Where the seed store is mounted (read-only) inside the DIND. */
export const seedMountPoint = "/seed";
/** Size of a DIND's /var/lib/docker tmpfs when none is given (a limit: RAM is used as it fills). */
export const defaultTmpfsBytes = 8 * 1024 ** 3;

export interface DindContainerSpecInput {
  image: string;
  labels: Record<string, string>;
  networkName: string;
  socketDir: string;
  securityMode: ResolvedSecurityMode;
  /** Runtime, privileged pods, user-namespace remap (see dind-security.ts). */
  security?: DindSecurityOptions;
  storage:
    | { kind: "tmpfs"; sizeBytes?: number }
    | { kind: "volume"; volumeName: string }
    | { kind: "bind"; hostPath: string };
  seedDir?: string;
  sharedPaths?: Array<{ path: string; readOnly?: boolean }>;
  /** The DIND's own pod-path slots, mounted rslave so that a lease's binds appear inside. */
  slots?: DindSlot[];
  innerDaemonArgs?: string[];
  resources?: DindResources;
  devices?: DindDevices;
  hostname?: string;
}

/**
 * The inner engine's container logs: json-file (what the logs API reads, rotated files included),
 * rotated at 10 MiB, 3 files kept: a pod that prints without end fills at most 30 MiB per container
 * of the DIND's storage (often a tmpfs), as the kubelet's containerLogMaxSize does.
 */
export const innerLogArgs = [
  "--log-driver=json-file",
  "--log-opt=max-size=10m",
  "--log-opt=max-file=3",
] as const;

/** dockerd flags: its usual socket plus one in the bind-mounted socket directory, rotated logs. */
export function dockerdArgs(extra: string[] = []): string[] {
  return [
    "-H",
    "unix:///var/run/docker.sock",
    "-H",
    `unix://${innerSocketDir}/${innerSocketName}`,
    ...innerLogArgs,
    ...extra,
  ];
}

export function dindContainerSpec(input: DindContainerSpecInput): ContainerCreateBody {
  const binds = [`${input.socketDir}:${innerSocketDir}`];
  const env: string[] = [];
  if (input.seedDir !== undefined) {
    binds.push(`${input.seedDir}:${seedMountPoint}:ro`);
    env.push(`ILD_SEED_DIR=${seedMountPoint}`, "ILD_SEED_MODE=link");
  }
  for (const shared of input.sharedPaths ?? []) {
    binds.push(`${shared.path}:${shared.path}${shared.readOnly ? ":ro" : ""}`);
  }
  for (const slot of input.slots ?? []) {
    binds.push(`${slot.hostDir}:${slot.path}:rslave`);
  }
  const security = securityHostConfig(input.securityMode, input.security);
  const daemonSecurity = securityDaemonArgs(input.security);
  env.push(...daemonSecurity.env);
  const hostConfig: Record<string, unknown> = {
    ...security,
    NetworkMode: input.networkName,
    Binds: binds,
    RestartPolicy: { Name: "no" },
  };
  if (input.storage.kind === "tmpfs") {
    const size = input.storage.sizeBytes ?? defaultTmpfsBytes;
    hostConfig.Tmpfs = { "/var/lib/docker": `rw,exec,suid,dev,size=${size}` };
  } else if (input.storage.kind === "volume") {
    hostConfig.Mounts = [{ Type: "volume", Source: input.storage.volumeName, Target: "/var/lib/docker" }];
  } else {
    binds.push(`${input.storage.hostPath}:/var/lib/docker`);
  }
  if (input.resources?.nanoCpus !== undefined) {
    hostConfig.NanoCpus = input.resources.nanoCpus;
  }
  if (input.resources?.memoryBytes !== undefined) {
    hostConfig.Memory = input.resources.memoryBytes;
    hostConfig.MemorySwap = input.resources.memoryBytes;
  }
  if (input.devices?.deviceRequests !== undefined) {
    hostConfig.DeviceRequests = input.devices.deviceRequests;
  }
  const devices = mergeDevices(security, input.devices);
  if (devices !== undefined) {
    hostConfig.Devices = devices;
  } else {
    delete hostConfig.Devices;
  }
  if (input.devices?.mounts !== undefined && input.devices.mounts.length > 0) {
    hostConfig.Mounts = [...((hostConfig.Mounts as unknown[] | undefined) ?? []), ...input.devices.mounts];
  }
  if (input.devices?.groupAdd !== undefined) {
    hostConfig.GroupAdd = input.devices.groupAdd;
  }
  env.push(...(input.devices?.env ?? []));
  return {
    Image: input.image,
    Cmd: dockerdArgs([...daemonSecurity.args, ...(input.innerDaemonArgs ?? [])]),
    Env: env,
    Labels: input.labels,
    ...(input.hostname === undefined ? {} : { Hostname: input.hostname }),
    HostConfig: hostConfig,
  };
}

/** The `updateContainer` body for a lease's resources (no swap beyond the memory limit). */
export function resourceUpdate(resources: DindResources): Record<string, unknown> | undefined {
  const update: Record<string, unknown> = {};
  if (resources.nanoCpus !== undefined) {
    update.NanoCpus = resources.nanoCpus;
  }
  if (resources.memoryBytes !== undefined) {
    update.Memory = resources.memoryBytes;
    update.MemorySwap = resources.memoryBytes;
  }
  return Object.keys(update).length === 0 ? undefined : update;
}
