import type { Container, PodSecurityContext, SecurityContext } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "./issues.js";
import type { SecurityPlan } from "./plan-types.js";

export { SAFE_SYSCTLS } from "./policy/safe-sysctls.js";

const capabilityPattern = /^(CAP_)?[A-Z_]+$/;

/** The user a container runs as (container setting over pod setting), if set. */
export function effectiveUser(container: Container, pod: PodSecurityContext | undefined): number | undefined {
  return container.securityContext?.runAsUser ?? pod?.runAsUser ?? undefined;
}

/** Pod sysctls (the policy checked the names: checkPodPolicy). */
export function planSysctls(pod: PodSecurityContext | undefined): Record<string, string> {
  const sysctls: Record<string, string> = {};
  for (const sysctl of pod?.sysctls ?? []) {
    sysctls[(sysctl.name ?? "").replaceAll("/", ".")] = sysctl.value ?? "";
  }
  return sysctls;
}

/**
 * Merges the pod's and the container's securityContext (container wins) into the plan. The policy
 * (policy/check-pod-policy.ts) has refused what is not allowed; this only validates and renders.
 */
export function planSecurity(
  container: Container,
  path: string,
  pod: PodSecurityContext | undefined,
  sysctls: Record<string, string>,
  issues: IssueCollector,
): SecurityPlan {
  const own: SecurityContext = container.securityContext ?? {};
  const scPath = `${path}.securityContext`;
  const plan: SecurityPlan = {
    supplementalGroups: [],
    runAsNonRoot: own.runAsNonRoot ?? pod?.runAsNonRoot ?? false,
    capAdd: [],
    capDrop: [],
    readOnlyRootFilesystem: own.readOnlyRootFilesystem === true,
    noNewPrivileges: own.allowPrivilegeEscalation === false,
    privileged: "no",
    sysctls: { ...sysctls },
  };
  const user = own.runAsUser ?? pod?.runAsUser;
  const group = own.runAsGroup ?? pod?.runAsGroup;
  for (const [field, value] of [
    ["runAsUser", user],
    ["runAsGroup", group],
  ] as const) {
    if (
      value !== undefined &&
      value !== null &&
      (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1)
    ) {
      issues.error(`${scPath}.${field}`, `${value} must be an integer between 0 and 2147483647`);
    }
  }
  if (user !== undefined && user !== null) {
    plan.user = user;
  }
  if (group !== undefined && group !== null) {
    plan.group = group;
    if (plan.user === undefined) {
      issues.warn(
        `${scPath}.runAsGroup`,
        "runAsGroup without runAsUser: the engine must combine it with the image's user",
      );
    }
  }
  if (plan.runAsNonRoot) {
    if (plan.user === 0) {
      issues.error(`${scPath}.runAsNonRoot`, "runAsNonRoot is true but runAsUser is 0 (root)");
    } else if (plan.user === undefined) {
      issues.warn(
        `${scPath}.runAsNonRoot`,
        "runAsNonRoot without runAsUser: the engine must check that the image's USER is numeric and not 0",
      );
    }
  }
  const groups = new Set<number>();
  if (pod?.fsGroup !== undefined && pod.fsGroup !== null) {
    groups.add(pod.fsGroup);
  }
  (pod?.supplementalGroups ?? []).forEach((gid, index) => {
    if (!Number.isInteger(gid) || gid < 0) {
      issues.error(`spec.securityContext.supplementalGroups[${index}]`, `${gid} is not a valid group id`);
      return;
    }
    groups.add(gid);
  });
  plan.supplementalGroups = [...groups];

  const capabilities = own.capabilities ?? {};
  for (const [list, field] of [
    [capabilities.add ?? [], "add"],
    [capabilities.drop ?? [], "drop"],
  ] as const) {
    list.forEach((capability, index) => {
      const upper = capability.toUpperCase();
      if (!capabilityPattern.test(upper)) {
        issues.error(`${scPath}.capabilities.${field}[${index}]`, `"${capability}" is not a capability name`);
        return;
      }
      const name = upper.replace(/^CAP_/, "");
      (field === "add" ? plan.capAdd : plan.capDrop).push(name);
    });
  }

  if (own.privileged === true) {
    if (own.allowPrivilegeEscalation === false) {
      issues.error(`${scPath}.allowPrivilegeEscalation`, "cannot be false when privileged is true");
    }
    // Reached only when Ild.policy.privileged allows it: the explicit capability set, never --privileged.
    plan.privileged = "capabilities";
  }
  if (own.procMount && own.procMount !== "Default") {
    issues.warn(`${scPath}.procMount`, `"${own.procMount}" is not applied`);
  }
  const seccomp = own.seccompProfile ?? pod?.seccompProfile;
  if (seccomp?.type === "Unconfined") {
    plan.seccompUnconfined = true;
  } else if (seccomp?.type === "Localhost") {
    issues.warn(
      `${scPath}.seccompProfile`,
      "Localhost profiles are not supported; the engine default applies",
    );
  }
  const appArmor = own.appArmorProfile ?? pod?.appArmorProfile;
  if (appArmor?.type === "Unconfined") {
    plan.appArmorUnconfined = true;
  } else if (appArmor?.type === "Localhost") {
    issues.warn(
      `${scPath}.appArmorProfile`,
      "Localhost profiles are not supported; the engine default applies",
    );
  }
  if (own.seLinuxOptions ?? pod?.seLinuxOptions) {
    issues.warn(`${scPath}.seLinuxOptions`, "SELinux options are not applied");
  }
  return plan;
}
