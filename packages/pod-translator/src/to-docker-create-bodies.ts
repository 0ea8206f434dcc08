import { toDockerDeviceOptions } from "@ild/gpu";
import type {
  DockerContainerCreateBody,
  DockerDeviceMapping,
  DockerHostConfig,
  DockerMount,
} from "./docker-types.js";
import { RenderContextError } from "./errors.js";
import type { ContainerPlan, MountPlan, PodPlan } from "./plan-types.js";

/** How the engine lays out this pod; every path as the ENGINE sees it. */
export interface DockerRenderContext {
  /** Absolute: the pod's data directory (disk). */
  podDataDir: string;
  /** Absolute: the pod's secret directory (tmpfs). */
  podSecretDir: string;
  /** `host` inside a DIND (the DIND's namespace is the pod's), `container:<sandboxId>` on a host engine. */
  networkMode: string;
  ipcMode?: string;
  pidMode?: string;
  /** Memory emptyDirs: pod volume name → the Docker tmpfs volume the engine created for it (shared by containers). */
  memoryVolumeNames?: Record<string, string>;
  /** Extra labels (e.g. `io.ild.pool-id`); the `io.ild.*` pod labels below always win. */
  labels?: Record<string, string>;
  /** Container name → restart generation (0 when absent); a number applies to every container rendered. */
  restartGeneration?: Record<string, number> | number;
  /** Prepended to every container name. */
  namePrefix?: string;
  /**
   * Device nodes the engine has for privileged containers (Ild.policy.privileged: allow), e.g. `/dev/fuse`
   * when the DIND was given it; mapped into privileged containers only. Default none.
   */
  privilegedDevices?: readonly string[];
}

export interface DockerCreateBody {
  container: ContainerPlan;
  /** Docker container name: `<prefix><namespace>-<pod>-<uid8>-<container>[-r<generation>]`. */
  name: string;
  body: DockerContainerCreateBody;
}

/** Label keys put on every container. */
export const POD_LABELS = {
  podUid: "io.ild.pod-uid",
  podName: "io.ild.pod-name",
  podNamespace: "io.ild.pod-namespace",
  containerName: "io.ild.container-name",
  containerKind: "io.ild.container-kind",
  restartGeneration: "io.ild.restart-generation",
} as const;

/**
 * The explicit capability set that replaces `--privileged` (docker-on-these-machines.md), in Engine API
 * form: the CLI's `--security-opt systempaths=unconfined` is not an API security option (the engine answers
 * "invalid --security-opt"); the CLI turns it into empty `MaskedPaths` and `ReadonlyPaths`, and so do we.
 * No wildcard device rule (`a *:* rwm`): inside a DIND that has none itself, cgroup v1 refuses it at start
 * ("failed to write a *:* rwm"); devices come one by one (booked ones, the context's `privilegedDevices`).
 */
export const PRIVILEGED_CAPABILITY_SET = {
  CapAdd: ["ALL"],
  CapDrop: ["SYS_RESOURCE"],
  SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
  MaskedPaths: [],
  ReadonlyPaths: [],
  DeviceCgroupRules: [],
} as const;

const dockerNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MAX_NAME_LENGTH = 200;

/**
 * Renders a plan into Docker Engine API ContainerCreate bodies, init/sidecar containers first, in order.
 * Argument vectors only (Entrypoint/Cmd arrays, never a shell); ports are never published; bind mounts only
 * for data-dir and hostPath sources; memory emptyDirs are Docker volumes named by the context.
 */
export function toDockerCreateBodies(plan: PodPlan, context: DockerRenderContext): DockerCreateBody[] {
  checkContext(plan, context);
  return [...plan.initContainers, ...plan.containers].map((container) => ({
    container,
    name: dockerContainerName(plan, container.name, context),
    body: toDockerCreateBody(plan, container, context),
  }));
}

/** The deterministic Docker name of one container of the pod. */
export function dockerContainerName(
  plan: Pick<PodPlan, "namespace" | "name" | "uid">,
  containerName: string,
  context: Pick<DockerRenderContext, "namePrefix" | "restartGeneration"> = {},
): string {
  const uid8 = plan.uid.replace(/[^a-zA-Z0-9]/g, "").slice(0, 8);
  const generation = generationOf(context, containerName);
  const suffix = generation > 0 ? `-r${generation}` : "";
  const prefix = (context.namePrefix ?? "").replace(/[^a-zA-Z0-9_.-]/g, "-");
  let podName = plan.name.replace(/[^a-zA-Z0-9_.-]/g, "-");
  const fixed = `${prefix}${plan.namespace}--${uid8}-${containerName}${suffix}`.length;
  if (fixed + podName.length > MAX_NAME_LENGTH) {
    podName = `${podName.slice(0, Math.max(8, MAX_NAME_LENGTH - fixed - 9))}-${fnv1a(plan.name)}`;
  }
  const name = `${prefix}${plan.namespace}-${podName}-${uid8}-${containerName}${suffix}`;
  return dockerNamePattern.test(name) ? name : `ild-${name.replace(/^[^a-zA-Z0-9]+/, "")}`;
}

function generationOf(
  context: Pick<DockerRenderContext, "restartGeneration">,
  containerName: string,
): number {
  const generation = context.restartGeneration;
  const value = typeof generation === "number" ? generation : (generation?.[containerName] ?? 0);
  if (!Number.isInteger(value) || value < 0) {
    throw new RenderContextError("restartGeneration", `must be a non-negative integer, got ${value}`);
  }
  return value;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const char of text) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

function checkContext(plan: PodPlan, context: DockerRenderContext): void {
  for (const field of ["podDataDir", "podSecretDir"] as const) {
    const value = context[field];
    if (typeof value !== "string" || !value.startsWith("/") || value.split("/").includes("..")) {
      throw new RenderContextError(field, `must be an absolute path without '..', got "${String(value)}"`);
    }
  }
  if (!context.networkMode) {
    throw new RenderContextError("networkMode", "is required");
  }
  for (const volume of plan.volumes) {
    if (volume.medium !== "memory" || context.memoryVolumeNames?.[volume.name]) {
      continue;
    }
    const users = [...plan.initContainers, ...plan.containers].filter((container) =>
      container.mounts.some((mount) => mount.volume === volume.name),
    );
    if (users.length > 1) {
      throw new RenderContextError(
        `memoryVolumeNames.${volume.name}`,
        `the memory emptyDir "${volume.name}" is shared by ${users.map((user) => user.name).join(", ")}: name the Docker tmpfs volume the engine created for it`,
      );
    }
  }
}

function joinPath(root: string, relative: string): string {
  return `${root.replace(/\/+$/, "")}/${relative}`;
}

function toDockerMount(mount: MountPlan, context: DockerRenderContext): DockerMount {
  const source = mount.source;
  if (source.kind === "dataDir") {
    return {
      Type: "bind",
      Source: joinPath(source.secret ? context.podSecretDir : context.podDataDir, source.path),
      Target: mount.target,
      ReadOnly: mount.readOnly,
      BindOptions: { Propagation: mount.propagation ?? "rprivate" },
    };
  }
  if (source.kind === "hostPath") {
    return {
      Type: "bind",
      Source: source.path,
      Target: mount.target,
      ReadOnly: mount.readOnly,
      BindOptions: { Propagation: mount.propagation ?? "rprivate" },
    };
  }
  const volumeName = context.memoryVolumeNames?.[mount.volume];
  if (volumeName) {
    return {
      Type: "volume",
      Source: volumeName,
      Target: mount.target,
      ReadOnly: mount.readOnly,
      VolumeOptions: { NoCopy: true },
    };
  }
  const tmpfs: DockerMount = {
    Type: "tmpfs",
    Target: mount.target,
    ReadOnly: mount.readOnly,
    TmpfsOptions: {},
  };
  if (source.sizeBytes !== undefined) {
    tmpfs.TmpfsOptions = { ...tmpfs.TmpfsOptions, SizeBytes: source.sizeBytes };
  }
  if (source.mode !== undefined) {
    tmpfs.TmpfsOptions = { ...tmpfs.TmpfsOptions, Mode: source.mode };
  }
  return tmpfs;
}

function isSharedNamespace(mode: string | undefined): boolean {
  return mode === "host" || (mode?.startsWith("container:") ?? false);
}

/** One container's body. */
export function toDockerCreateBody(
  plan: PodPlan,
  container: ContainerPlan,
  context: DockerRenderContext,
): DockerContainerCreateBody {
  const generation = generationOf(context, container.name);
  const labels: Record<string, string> = {
    ...(context.labels ?? {}),
    [POD_LABELS.podUid]: plan.uid,
    [POD_LABELS.podName]: plan.name,
    [POD_LABELS.podNamespace]: plan.namespace,
    [POD_LABELS.containerName]: container.name,
    [POD_LABELS.containerKind]: container.kind,
    [POD_LABELS.restartGeneration]: String(generation),
  };
  // Device rendering lives in @ild/gpu (one home). `nested`: the DIND has the nodes and driver files at
  // their container paths. NVIDIA_VISIBLE_DEVICES is always explicit (CUDA images set `all`).
  const rendered = toDockerDeviceOptions(container.resources.devices, { placement: "nested" });
  const env = container.env
    .filter((variable) => variable.name !== "NVIDIA_VISIBLE_DEVICES")
    .map((variable) => `${variable.name}=${variable.value}`);
  env.push(...rendered.Env);

  const hostConfig: DockerHostConfig = {
    NetworkMode: context.networkMode,
    Mounts: [...container.mounts.map((mount) => toDockerMount(mount, context)), ...rendered.Mounts],
    RestartPolicy: { Name: "no" },
    AutoRemove: false,
  };
  if (context.ipcMode) {
    hostConfig.IpcMode = context.ipcMode;
  }
  if (context.pidMode) {
    hostConfig.PidMode = context.pidMode;
  }
  const resources = container.resources;
  if (resources.nanoCpus !== undefined) {
    hostConfig.NanoCpus = resources.nanoCpus;
  }
  if (resources.cpuShares !== undefined) {
    hostConfig.CpuShares = resources.cpuShares;
  }
  if (resources.memoryLimitBytes !== undefined) {
    hostConfig.Memory = resources.memoryLimitBytes;
  }
  if (resources.memoryReservationBytes !== undefined) {
    hostConfig.MemoryReservation = resources.memoryReservationBytes;
  }

  const security = container.security;
  const capAdd = [...security.capAdd];
  const capDrop = [...security.capDrop];
  const securityOpt: string[] = [];
  if (security.privileged === "capabilities") {
    capAdd.splice(0, capAdd.length, ...PRIVILEGED_CAPABILITY_SET.CapAdd);
    capDrop.splice(0, capDrop.length, ...PRIVILEGED_CAPABILITY_SET.CapDrop);
    securityOpt.push(...PRIVILEGED_CAPABILITY_SET.SecurityOpt);
    hostConfig.MaskedPaths = [];
    hostConfig.ReadonlyPaths = [];
  } else {
    if (security.seccompUnconfined) {
      securityOpt.push("seccomp=unconfined");
    }
    if (security.appArmorUnconfined) {
      securityOpt.push("apparmor=unconfined");
    }
  }
  if (security.noNewPrivileges) {
    securityOpt.push("no-new-privileges:true");
  }
  if (capAdd.length > 0) {
    hostConfig.CapAdd = capAdd;
  }
  if (capDrop.length > 0) {
    hostConfig.CapDrop = capDrop;
  }
  if (securityOpt.length > 0) {
    hostConfig.SecurityOpt = securityOpt;
  }
  if (security.readOnlyRootFilesystem) {
    hostConfig.ReadonlyRootfs = true;
  }
  const groups = new Set([...security.supplementalGroups.map(String), ...rendered.GroupAdd]);
  if (groups.size > 0) {
    hostConfig.GroupAdd = [...groups];
  }
  const sysctls = Object.entries(security.sysctls).filter(([name]) =>
    name.startsWith("net.") ? !isSharedNamespace(context.networkMode) : !isSharedNamespace(context.ipcMode),
  );
  if (sysctls.length > 0) {
    hostConfig.Sysctls = Object.fromEntries(sysctls);
  }
  if (rendered.DeviceRequests.length > 0) {
    hostConfig.DeviceRequests = rendered.DeviceRequests.map((request) => ({ ...request, Options: {} }));
  }
  const devices: DockerDeviceMapping[] = [...rendered.Devices];
  if (security.privileged === "capabilities") {
    for (const path of context.privilegedDevices ?? []) {
      if (!devices.some((device) => device.PathInContainer === path)) {
        devices.push({ PathOnHost: path, PathInContainer: path, CgroupPermissions: "rwm" });
      }
    }
  }
  if (devices.length > 0) {
    hostConfig.Devices = devices;
  }

  const body: DockerContainerCreateBody = {
    Image: container.image,
    Env: env,
    Labels: labels,
    Tty: container.tty,
    OpenStdin: container.stdin,
    StdinOnce: false,
    StopTimeout: plan.terminationGracePeriodSeconds,
    HostConfig: hostConfig,
    NetworkingConfig: {},
  };
  if (container.entrypoint !== undefined) {
    body.Entrypoint = [...container.entrypoint];
    // command without args: CMD is cleared explicitly so the image CMD does not leak.
    body.Cmd = [...(container.cmd ?? [])];
  } else if (container.cmd !== undefined) {
    body.Cmd = [...container.cmd];
  }
  if (container.workingDir !== undefined) {
    body.WorkingDir = container.workingDir;
  }
  if (security.user !== undefined) {
    body.User = security.group === undefined ? String(security.user) : `${security.user}:${security.group}`;
  }
  if (!context.networkMode.startsWith("container:")) {
    Object.assign(body, podNetworkIdentity(plan));
    Object.assign(hostConfig, podResolverSettings(plan));
    if (container.ports.length > 0) {
      body.ExposedPorts = Object.fromEntries(
        container.ports.map((port) => [`${port.containerPort}/${port.protocol.toLowerCase()}`, {}]),
      );
    }
  }
  return body;
}

function podNetworkIdentity(plan: PodPlan): { Hostname: string; Domainname?: string } {
  return plan.domainname
    ? { Hostname: plan.hostname, Domainname: plan.domainname }
    : { Hostname: plan.hostname };
}

function podResolverSettings(
  plan: PodPlan,
): Pick<DockerHostConfig, "Dns" | "DnsSearch" | "DnsOptions" | "ExtraHosts"> {
  const settings: Pick<DockerHostConfig, "Dns" | "DnsSearch" | "DnsOptions" | "ExtraHosts"> = {};
  if (plan.dns.nameservers.length > 0) {
    settings.Dns = [...plan.dns.nameservers];
  }
  if (plan.dns.searches.length > 0) {
    settings.DnsSearch = [...plan.dns.searches];
  }
  if (plan.dns.options.length > 0) {
    settings.DnsOptions = plan.dns.options.map((option) =>
      option.value === undefined ? option.name : `${option.name}:${option.value}`,
    );
  }
  if (plan.hostAliases.length > 0) {
    settings.ExtraHosts = plan.hostAliases.flatMap((alias) =>
      alias.hostnames.map((hostname) => `${hostname}:${alias.ip}`),
    );
  }
  return settings;
}

/** Where the sandbox keeps each memory volume mounted: `/ild/memory-volumes/<volume>`. */
export const SANDBOX_MEMORY_VOLUME_DIR = "/ild/memory-volumes";

export type SandboxHostConfig = Pick<
  DockerHostConfig,
  "Dns" | "DnsSearch" | "DnsOptions" | "ExtraHosts" | "Sysctls"
> & {
  Mounts?: DockerMount[];
};

/**
 * What belongs to the pod's sandbox (the container or DIND whose namespaces the pod's containers join):
 * hostname, DNS, /etc/hosts entries and namespaced sysctls (Docker refuses these on `container:` members),
 * and, given `memoryVolumeNames`, a mount of every memory emptyDir volume: Docker unmounts a tmpfs volume (and
 * loses its content) when no running container uses it, so the long-lived sandbox holds it for the pod.
 */
export function toDockerSandboxSettings(
  plan: PodPlan,
  options: { memoryVolumeNames?: Record<string, string> } = {},
): { Hostname: string; Domainname?: string; HostConfig: SandboxHostConfig } {
  const hostConfig: SandboxHostConfig = podResolverSettings(plan);
  const sysctls = Object.assign(
    {},
    ...[...plan.initContainers, ...plan.containers].map((c) => c.security.sysctls),
  );
  if (Object.keys(sysctls).length > 0) {
    hostConfig.Sysctls = sysctls;
  }
  const mounts: DockerMount[] = plan.volumes.flatMap((volume) => {
    const source = volume.medium === "memory" ? options.memoryVolumeNames?.[volume.name] : undefined;
    return source
      ? [
          {
            Type: "volume" as const,
            Source: source,
            Target: `${SANDBOX_MEMORY_VOLUME_DIR}/${volume.name}`,
            ReadOnly: false,
          },
        ]
      : [];
  });
  if (mounts.length > 0) {
    hostConfig.Mounts = mounts;
  }
  return { ...podNetworkIdentity(plan), HostConfig: hostConfig };
}
