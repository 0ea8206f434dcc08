import type { Pod } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "./issues.js";
import type { ContainerPlan, MaterializedFile } from "./plan-types.js";

/**
 * Our stricter secret default (0600, owner root unless the mounting containers share a runAsUser) can lock
 * out a non-root container; say so instead of letting the container fail on EACCES.
 */
export function warnUnreadableFiles(
  files: MaterializedFile[],
  containers: ContainerPlan[],
  issues: IssueCollector,
): void {
  const warned = new Set<string>();
  for (const container of containers) {
    const user = container.security.user;
    if (user === undefined || user === 0) {
      continue;
    }
    const containerPath = `spec.${container.kind === "regular" ? "containers" : "initContainers"}[${container.index}]`;
    for (const [mountIndex, mount] of container.mounts.entries()) {
      if (mount.source.kind !== "dataDir" || warned.has(`${container.name}/${mount.volume}`)) {
        continue;
      }
      const prefix = `${mount.source.path}`;
      const unreadable = files.find(
        (file) =>
          (file.path === prefix || file.path.startsWith(`${prefix}/`)) &&
          (file.mode & 0o004) === 0 &&
          !(file.uid === user && (file.mode & 0o400) !== 0) &&
          !(file.gid !== undefined && (file.mode & 0o040) !== 0),
      );
      if (unreadable) {
        warned.add(`${container.name}/${mount.volume}`);
        issues.warn(
          `${containerPath}.volumeMounts[${mountIndex}]`,
          `container "${container.name}" runs as uid ${user} but "${unreadable.path}" (mode 0${unreadable.mode.toString(8)}) is not readable by it; set defaultMode, fsGroup or a pod-level runAsUser`,
        );
      }
    }
  }
}

/** Fields ild does not apply (host namespaces are the policy's: policy/pod-rules.ts). */
export function warnUnsupportedPodFields(pod: Pod, issues: IssueCollector): void {
  const spec = pod.spec;
  if (!spec) {
    return;
  }
  if ((spec.ephemeralContainers ?? []).length > 0) {
    issues.warn("spec.ephemeralContainers", "ephemeral containers are not run");
  }
  if (spec.hostUsers === false) {
    issues.warn("spec.hostUsers", "user namespaces are not applied");
  }
  if (spec.runtimeClassName) {
    issues.warn("spec.runtimeClassName", `runtime class "${spec.runtimeClassName}" is not applied`);
  }
  if (spec.setHostnameAsFQDN) {
    issues.warn("spec.setHostnameAsFQDN", "the hostname is not set to the FQDN");
  }
  if ((spec.resourceClaims ?? []).length > 0) {
    issues.warn("spec.resourceClaims", "dynamic resource claims are not supported");
  }
  if ((spec.readinessGates ?? []).length > 0) {
    issues.warn("spec.readinessGates", "readiness gates are not evaluated");
  }
  if (spec.os?.name && spec.os.name !== "linux") {
    issues.error("spec.os.name", `"${spec.os.name}" is not supported (linux only)`);
  }
}
