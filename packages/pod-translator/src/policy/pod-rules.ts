/** The policy's pod-level rules: host namespaces, sysctls, the pod's securityContext, annotations, volumes. */
import type { Pod } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "../issues.js";
import { byLevel, enforcesBaseline, type ResolvedPolicy } from "./levels.js";
import { checkProfileType, checkSeLinux, checkWindowsHostProcess } from "./shared-rules.js";

const HOST_NAMESPACES = [
  ["hostNetwork", "host networking is not supported (pods get their own network namespace)"],
  ["hostPID", "the host PID namespace is not supported"],
  ["hostIPC", "the host IPC namespace is not supported"],
] as const;

/** Pod Security Standards restricted: the only volume types allowed. */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_CONTAINER_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

export function checkPodLevelPolicy(pod: Pod, policy: ResolvedPolicy, issues: IssueCollector): void {
  const spec = pod.spec;
  if (!spec) {
    return;
  }
  const baseline = enforcesBaseline(policy);
  for (const [field, unsupported] of HOST_NAMESPACES) {
    if (spec[field] === true) {
      // Even the privileged level cannot give what ild does not implement.
      issues.error(`spec.${field}`, baseline ? `true is not allowed ${byLevel(policy)}` : unsupported);
    }
  }
  if (!baseline) {
    return;
  }
  const security = spec.securityContext ?? undefined;
  (security?.sysctls ?? []).forEach((sysctl, index) => {
    const name = String(sysctl?.name ?? "").replaceAll("/", ".");
    if (!policy.allowedSysctls.includes(name)) {
      issues.error(
        `spec.securityContext.sysctls[${index}].name`,
        `"${name}" is not allowed ${byLevel(policy)}; allowed: ${policy.allowedSysctls.join(", ") || "none"}`,
      );
    }
  });
  checkProfileType(security?.seccompProfile, "spec.securityContext.seccompProfile", policy, issues);
  checkProfileType(security?.appArmorProfile, "spec.securityContext.appArmorProfile", policy, issues);
  checkSeLinux(security?.seLinuxOptions, "spec.securityContext.seLinuxOptions", policy, issues);
  checkWindowsHostProcess(security?.windowsOptions, "spec.securityContext.windowsOptions", policy, issues);
  checkLegacyAnnotations(pod.metadata?.annotations ?? {}, policy, issues);
  if (policy.level !== "restricted") {
    return;
  }
  if (security?.runAsUser === 0) {
    issues.error("spec.securityContext.runAsUser", `0 is not allowed ${byLevel(policy)}`);
  }
  (spec.volumes ?? []).forEach((volume, index) => {
    if (!volume || typeof volume !== "object") {
      return;
    }
    for (const kind of Object.keys(volume)) {
      if (kind !== "name" && !RESTRICTED_VOLUME_TYPES.includes(kind)) {
        issues.error(`spec.volumes[${index}].${kind}`, `${kind} volumes are not allowed ${byLevel(policy)}`);
      }
    }
  });
}

/** The annotations that set seccomp and AppArmor before the fields existed. */
function checkLegacyAnnotations(
  annotations: Record<string, string>,
  policy: ResolvedPolicy,
  issues: IssueCollector,
): void {
  for (const [key, value] of Object.entries(annotations)) {
    const refused =
      key === SECCOMP_POD_ANNOTATION || key.startsWith(SECCOMP_CONTAINER_ANNOTATION)
        ? value === "unconfined"
        : key.startsWith(APPARMOR_CONTAINER_ANNOTATION)
          ? value !== "" && value !== "runtime/default" && !value.startsWith("localhost/")
          : false;
    if (refused) {
      issues.error(`metadata.annotations["${key}"]`, `"${value}" is not allowed ${byLevel(policy)}`);
    }
  }
}
