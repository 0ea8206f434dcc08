import type { RetrievedContainer, RetrievedPodData } from "@ild/interlink-api";
import type { Container, Pod } from "kubernetes-types/core/v1.js";
import type { DownwardContext } from "./downward-api.js";
import { expandArgv, resolveContainerEnv } from "./env.js";
import { PodTranslationError } from "./errors.js";
import { defaultPullPolicy, findRegistryAuth, registryAuthsFromSecret } from "./image.js";
import { IssueCollector } from "./issues.js";
import { planMounts } from "./mounts.js";
import { checkDnsLabel } from "./paths.js";
import type {
  AssignedDevice,
  ContainerKind,
  ContainerPlan,
  DirectoryPlan,
  PodPlan,
  PortPlan,
  PullPolicy,
  RegistryAuth,
  RestartPolicy,
  TranslationIssue,
} from "./plan-types.js";
import { planPodNetwork } from "./pod-network.js";
import { collectPodSources, type PodSources } from "./pod-sources.js";
import { warnUnreadableFiles, warnUnsupportedPodFields } from "./pod-warnings.js";
import { checkPodPolicy } from "./policy/check-pod-policy.js";
import { DEFAULT_POLICY, resolvePolicy, type TranslationPolicy } from "./policy/levels.js";
import { planHandler, planProbe } from "./probes.js";
import { planResources } from "./resources.js";
import { effectiveUser, planSecurity, planSysctls } from "./security.js";
import { checkSourceSizes } from "./source-sizes.js";
import { planVolumes, type VolumeOwnership } from "./volumes.js";

export type { TranslationPolicy };
export { DEFAULT_POLICY };

export interface TranslatePodOptions {
  /** The security policy (policy/levels.ts); default {@link DEFAULT_POLICY}: baseline, privileged denied. */
  policy?: TranslationPolicy;
  /** Devices booked for each container (by container name): GPU/MIG UUIDs, device paths. */
  devices?: Record<string, AssignedDevice[]>;
  /** The caller books devices after translating (the runner): device resources need none assigned yet. */
  devicesAssignedLater?: boolean;
  /** Overrides `spec.nodeName` for the downward API. */
  nodeName?: string;
  /** Overrides `status.podIP` for the downward API. */
  podIP?: string;
  /** Overrides `status.hostIP` for the downward API. */
  hostIP?: string;
  /** Node allocatable, for downward-API `limits.*` of containers without limits. */
  nodeAllocatable?: { cpu?: string; memory?: string; "ephemeral-storage"?: string };
  /** Cluster DNS domain for the pod's FQDN when a subdomain is set. Default `cluster.local`. */
  clusterDomain?: string;
  /**
   * Expand `$(VAR)` and `$$` in env values, as the kubelet does (default true: raw pods, `ild-run`,
   * library users). false for pods from interLink: its virtual kubelet already expanded them, and a
   * second pass would turn a value `a$$b` into `a$b`. `command`/`args` are expanded either way.
   */
  expandEnv?: boolean;
}

export interface TranslatePodInput {
  pod: Pod;
  /** `RetrievedPodData.container`: the ConfigMaps, Secrets and projected-volume maps interLink sent. */
  containers?: RetrievedContainer[] | null;
  options?: TranslatePodOptions;
}

export interface TranslatePodResult {
  plan: PodPlan;
  /** Same as `plan.warnings`. */
  warnings: TranslationIssue[];
}

export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

const restartPolicies = new Set(["Always", "OnFailure", "Never"]);
const pullPolicies = new Set(["Always", "IfNotPresent", "Never"]);

/**
 * Translates a Kubernetes Pod (plus what interLink sent with it) into an engine-neutral {@link PodPlan}.
 * Pure: no I/O. Throws {@link PodTranslationError} (ILD_POD_INVALID) carrying every problem found.
 */
export function translatePod(input: TranslatePodInput): TranslatePodResult {
  const issues = new IssueCollector();
  const pod = input.pod ?? ({} as Pod);
  const options = input.options ?? {};
  const policy = resolvePolicy(options.policy);
  const metadata = pod.metadata ?? {};
  const spec = pod.spec;
  const name = metadata.name ?? "";
  const namespace = metadata.namespace || "default";
  const uid = metadata.uid ?? "";
  if (!name) {
    issues.error("metadata.name", "is required");
  } else if (name.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
    issues.error(
      "metadata.name",
      `"${name}" must be a lowercase RFC 1123 subdomain (at most 253 characters)`,
    );
  }
  const namespaceProblem = checkDnsLabel(namespace);
  if (namespaceProblem) {
    issues.error("metadata.namespace", `"${namespace}" ${namespaceProblem}`);
  }
  if (!uid) {
    issues.error("metadata.uid", "is required");
  } else if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(uid) || uid.length > 128) {
    issues.error("metadata.uid", `"${uid}" is not a valid uid`);
  }
  if (!spec) {
    issues.error("spec", "is required");
    throw new PodTranslationError(issues.errors, { name, namespace });
  }
  if (!spec.containers || spec.containers.length === 0) {
    issues.error("spec.containers", "at least one container is required");
  }
  const sources = collectPodSources(input.containers);
  checkSourceSizes(input.containers, issues);
  const context: DownwardContext = { pod };
  if (options.nodeName !== undefined) {
    context.nodeName = options.nodeName;
  }
  if (options.podIP !== undefined) {
    context.podIP = options.podIP;
  }
  if (options.hostIP !== undefined) {
    context.hostIP = options.hostIP;
  }
  if (options.nodeAllocatable !== undefined) {
    context.nodeAllocatable = options.nodeAllocatable;
  }
  warnUnsupportedPodFields(pod, issues);
  checkPodPolicy(pod, policy, issues);

  const podSecurity = spec.securityContext ?? undefined;
  const fsGroup = podSecurity?.fsGroup ?? undefined;
  const allContainers: Array<{ container: Container; path: string; kind: ContainerKind; index: number }> = [];
  (spec.initContainers ?? []).forEach((container, index) => {
    const kind: ContainerKind = container.restartPolicy === "Always" ? "sidecar" : "init";
    allContainers.push({ container, path: `spec.initContainers[${index}]`, kind, index });
  });
  (spec.containers ?? []).forEach((container, index) => {
    allContainers.push({ container, path: `spec.containers[${index}]`, kind: "regular", index });
  });

  const seenNames = new Set<string>();
  for (const { container, path } of allContainers) {
    const problem = checkDnsLabel(container?.name ?? "");
    if (problem) {
      issues.error(`${path}.name`, `container name "${container?.name ?? ""}" ${problem}`);
    } else if (seenNames.has(container.name)) {
      issues.error(`${path}.name`, `duplicate container name "${container.name}"`);
    }
    seenNames.add(container?.name ?? "");
  }
  for (const deviceOwner of Object.keys(options.devices ?? {})) {
    if (!seenNames.has(deviceOwner)) {
      issues.error(
        "options.devices",
        `devices assigned to "${deviceOwner}", which is not a container of the pod`,
      );
    }
  }

  const ownerFor = (volumeName: string): VolumeOwnership => {
    const owner: VolumeOwnership = {};
    if (fsGroup !== undefined) {
      owner.gid = fsGroup;
    }
    const users = new Set<number | undefined>();
    for (const { container } of allContainers) {
      if ((container.volumeMounts ?? []).some((mount) => mount.name === volumeName)) {
        users.add(effectiveUser(container, podSecurity));
      }
    }
    const [only] = users;
    if (users.size === 1 && only !== undefined) {
      owner.uid = only;
    }
    return owner;
  };
  const volumes = planVolumes(
    pod,
    sources,
    context,
    { hostPathAllowList: policy.hostPathAllowList },
    ownerFor,
    issues,
  );
  const sysctls = planSysctls(podSecurity);
  const imagePullSecrets = planImagePullSecrets(pod, sources, issues);
  const extraDirectories = new Map<string, DirectoryPlan>();

  const initContainers: ContainerPlan[] = [];
  const containers: ContainerPlan[] = [];
  for (const { container, path, kind, index } of allContainers) {
    if (!container || typeof container !== "object") {
      issues.error(path, "must be an object");
      continue;
    }
    const plan = planContainer(container, path, kind, index);
    if (plan) {
      (kind === "regular" ? containers : initContainers).push(plan);
    }
  }

  function planContainer(
    container: Container,
    path: string,
    kind: ContainerKind,
    index: number,
  ): ContainerPlan | undefined {
    const image = container.image ?? "";
    if (!image.trim()) {
      issues.error(`${path}.image`, "is required");
    } else if (/\s/.test(image)) {
      issues.error(`${path}.image`, `"${image}" must not contain whitespace`);
    }
    let pullPolicy: PullPolicy = defaultPullPolicy(image);
    if (container.imagePullPolicy) {
      if (pullPolicies.has(container.imagePullPolicy)) {
        pullPolicy = container.imagePullPolicy as PullPolicy;
      } else {
        issues.error(
          `${path}.imagePullPolicy`,
          `"${container.imagePullPolicy}" must be Always, IfNotPresent or Never`,
        );
      }
    }
    if (container.restartPolicy !== undefined && container.restartPolicy !== null) {
      if (kind === "regular") {
        issues.error(`${path}.restartPolicy`, "is only allowed on init containers");
      } else if (container.restartPolicy !== "Always") {
        issues.error(`${path}.restartPolicy`, `"${container.restartPolicy}" must be Always`);
      }
    }
    const env = resolveContainerEnv(container, path, sources, context, issues, options.expandEnv !== false);
    if (env.some((variable) => variable.name === "NVIDIA_VISIBLE_DEVICES")) {
      issues.warn(
        `${path}.env`,
        "NVIDIA_VISIBLE_DEVICES is set by the device assignment and will be overridden",
      );
    }
    const ports = planPorts(container, path);
    const plan: ContainerPlan = {
      name: container.name,
      kind,
      index,
      image,
      pullPolicy,
      env,
      mounts: planMounts(container, path, env, volumes, extraDirectories, issues),
      resources: planResources(
        container,
        path,
        options.devices?.[container.name],
        issues,
        options.devicesAssignedLater,
      ),
      security: planSecurity(container, path, podSecurity, sysctls, issues),
      ports,
      probes: {},
      lifecycle: {},
      tty: container.tty === true,
      stdin: container.stdin === true,
      terminationMessagePath: container.terminationMessagePath || DEFAULT_TERMINATION_MESSAGE_PATH,
      terminationMessagePolicy: "File",
    };
    if (container.terminationMessagePath && !container.terminationMessagePath.startsWith("/")) {
      issues.error(
        `${path}.terminationMessagePath`,
        `"${container.terminationMessagePath}" must be an absolute path`,
      );
    }
    if (container.terminationMessagePolicy) {
      if (
        container.terminationMessagePolicy === "File" ||
        container.terminationMessagePolicy === "FallbackToLogsOnError"
      ) {
        plan.terminationMessagePolicy = container.terminationMessagePolicy;
      } else {
        issues.error(
          `${path}.terminationMessagePolicy`,
          `"${container.terminationMessagePolicy}" is not valid`,
        );
      }
    }
    // Kubernetes: command replaces ENTRYPOINT, args replace CMD; command without args clears CMD.
    const command = stringList(container.command, `${path}.command`);
    const args = stringList(container.args, `${path}.args`);
    if (command.length > 0) {
      plan.entrypoint = expandArgv(command, env);
      plan.cmd = expandArgv(args, env);
    } else if (args.length > 0) {
      plan.cmd = expandArgv(args, env);
    }
    if (container.workingDir) {
      if (!container.workingDir.startsWith("/")) {
        issues.error(`${path}.workingDir`, `"${container.workingDir}" must be an absolute path`);
      } else {
        plan.workingDir = container.workingDir;
      }
    }
    const probeKinds = [
      ["livenessProbe", "liveness"],
      ["readinessProbe", "readiness"],
      ["startupProbe", "startup"],
    ] as const;
    for (const [field, which] of probeKinds) {
      const probe = container[field];
      if (!probe) {
        continue;
      }
      if (kind === "init") {
        issues.error(`${path}.${field}`, "probes are not allowed on init containers");
        continue;
      }
      const probePlan = planProbe(probe, which, container, `${path}.${field}`, issues);
      if (probePlan) {
        plan.probes[which] = probePlan;
      }
    }
    if (
      kind === "init" &&
      container.lifecycle &&
      (container.lifecycle.postStart || container.lifecycle.preStop)
    ) {
      issues.error(
        `${path}.lifecycle`,
        "lifecycle hooks are not allowed on init containers (only on sidecars)",
      );
    }
    for (const hook of ["postStart", "preStop"] as const) {
      const handler = container.lifecycle?.[hook];
      if (!handler) {
        continue;
      }
      const hookPlan = planHandler(
        handler,
        container,
        `${path}.lifecycle.${hook}`,
        ["exec", "httpGet", "tcpSocket", "sleep"],
        issues,
      );
      if (hookPlan) {
        plan.lifecycle[hook] = hookPlan;
      }
    }
    if (kind === "sidecar") {
      plan.restartPolicy = "Always";
    }
    if (container.stdinOnce) {
      issues.warn(`${path}.stdinOnce`, "stdinOnce is not applied");
    }
    if ((container.volumeDevices ?? []).length > 0) {
      issues.error(`${path}.volumeDevices`, "block volume devices are not supported");
    }
    if ((container.resizePolicy ?? []).length > 0) {
      issues.warn(`${path}.resizePolicy`, "in-place resize is not supported");
    }
    const auth = findRegistryAuth(image, imagePullSecrets);
    if (auth) {
      plan.registryAuth = auth;
    }
    return plan;
  }

  /** command/args must be lists of strings (YAML turns `5` into a number; the API server would refuse it). */
  function stringList(value: unknown, path: string): string[] {
    if (value === undefined || value === null) {
      return [];
    }
    if (!Array.isArray(value)) {
      issues.error(path, "must be a list of strings");
      return [];
    }
    const bad = value.findIndex((element) => typeof element !== "string");
    if (bad !== -1) {
      issues.error(`${path}[${bad}]`, `must be a string, got ${JSON.stringify(value[bad])}`);
      return [];
    }
    return value as string[];
  }

  function planPorts(container: Container, path: string): PortPlan[] {
    const ports: PortPlan[] = [];
    (container.ports ?? []).forEach((port, index) => {
      const portPath = `${path}.ports[${index}]`;
      if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
        issues.error(`${portPath}.containerPort`, `${port.containerPort} must be between 1 and 65535`);
        return;
      }
      const protocol = port.protocol ?? "TCP";
      if (protocol !== "TCP" && protocol !== "UDP" && protocol !== "SCTP") {
        issues.error(`${portPath}.protocol`, `"${protocol}" must be TCP, UDP or SCTP`);
        return;
      }
      if (port.hostPort) {
        issues.warn(`${portPath}.hostPort`, "ports are never published on the host; hostPort is ignored");
      }
      const plan: PortPlan = { containerPort: port.containerPort, protocol };
      if (port.name) {
        plan.name = port.name;
      }
      ports.push(plan);
    });
    return ports;
  }

  const restartPolicy = (spec.restartPolicy ?? "Always") as RestartPolicy;
  if (!restartPolicies.has(restartPolicy)) {
    issues.error("spec.restartPolicy", `"${restartPolicy}" must be Always, OnFailure or Never`);
  }
  const grace = spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  if (!Number.isInteger(grace) || grace < 0) {
    issues.error("spec.terminationGracePeriodSeconds", `${grace} must be a non-negative integer`);
  }
  if (
    spec.activeDeadlineSeconds !== undefined &&
    spec.activeDeadlineSeconds !== null &&
    (!Number.isInteger(spec.activeDeadlineSeconds) || spec.activeDeadlineSeconds < 1)
  ) {
    issues.error("spec.activeDeadlineSeconds", `${spec.activeDeadlineSeconds} must be a positive integer`);
  }

  const network = planPodNetwork(spec, name, namespace, options.clusterDomain, issues);

  warnUnreadableFiles(volumes.files, [...initContainers, ...containers], issues);

  if (issues.errors.length > 0) {
    throw new PodTranslationError(issues.errors, { name, namespace });
  }
  const plan: PodPlan = {
    uid,
    name,
    namespace,
    labels: { ...(metadata.labels ?? {}) },
    annotations: { ...(metadata.annotations ?? {}) },
    restartPolicy,
    terminationGracePeriodSeconds: grace,
    hostname: network.hostname,
    hostAliases: network.hostAliases,
    dns: network.dns,
    initContainers,
    containers,
    volumes: volumes.volumes,
    files: volumes.files,
    directories: [...volumes.directories, ...extraDirectories.values()],
    imagePullSecrets,
    warnings: issues.warnings,
  };
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    plan.activeDeadlineSeconds = spec.activeDeadlineSeconds;
  }
  if (network.subdomain !== undefined && network.domainname !== undefined) {
    plan.subdomain = network.subdomain;
    plan.domainname = network.domainname;
  }
  if (spec.shareProcessNamespace) {
    plan.shareProcessNamespace = true;
  }
  return { plan, warnings: plan.warnings };
}

/** Convenience: translate a whole `/create` body. */
export function translateRetrievedPodData(
  data: RetrievedPodData,
  options?: TranslatePodOptions,
): TranslatePodResult {
  const input: TranslatePodInput = { pod: data.pod, containers: data.container ?? [] };
  if (options !== undefined) {
    input.options = options;
  }
  return translatePod(input);
}

function planImagePullSecrets(pod: Pod, sources: PodSources, issues: IssueCollector): RegistryAuth[] {
  const auths: RegistryAuth[] = [];
  (pod.spec?.imagePullSecrets ?? []).forEach((reference, index) => {
    const path = `spec.imagePullSecrets[${index}]`;
    const secret = sources.secrets.get(reference.name ?? "");
    if (!secret) {
      issues.warn(
        path,
        `secret "${reference.name ?? ""}" was not sent; images are pulled without its credentials`,
      );
      return;
    }
    auths.push(...registryAuthsFromSecret(secret, path, issues));
  });
  return auths;
}
