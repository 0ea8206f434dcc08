import type {
  Container,
  EphemeralContainer,
  LifecycleHandler,
  PodSecurityContext,
  Probe,
  SecurityContext,
} from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "../issues.js";
import { BASELINE_ADDABLE_CAPABILITIES, capabilityName } from "./capability-sets.js";
import { byLevel, enforcesBaseline, type ResolvedPolicy } from "./levels.js";
import { checkRestrictedContainer } from "./restricted-rules.js";
import { checkProfileType, checkSeLinux, checkWindowsHostProcess } from "./shared-rules.js";

export type AnyContainer = Container | EphemeralContainer;

const PRIVILEGED_HINT =
  "(Ild.policy.privileged: deny; `allow` runs privileged containers inside their own DIND)";

/**
 * The policy's rules for one container (regular, init or ephemeral) at `path`, e.g. `spec.containers[0]`.
 * Every violation is collected; nothing is thrown.
 */
export function checkContainerPolicy(
  container: AnyContainer,
  path: string,
  pod: PodSecurityContext | undefined,
  policy: ResolvedPolicy,
  issues: IssueCollector,
): void {
  const own: SecurityContext = container.securityContext ?? {};
  const scPath = `${path}.securityContext`;
  const privileged = own.privileged === true;
  if (privileged && policy.privileged === "deny") {
    issues.error(`${scPath}.privileged`, `true is not allowed by policy ${PRIVILEGED_HINT}`);
  }
  (container.volumeMounts ?? []).forEach((mount, index) => {
    if (mount?.mountPropagation === "Bidirectional" && !privileged) {
      issues.error(
        `${path}.volumeMounts[${index}].mountPropagation`,
        `"Bidirectional" needs securityContext.privileged: true (as in Kubernetes)`,
      );
    }
  });
  if (!enforcesBaseline(policy)) {
    return;
  }
  // An allowed privileged container gets every right anyway: its capabilities and profiles are moot.
  if (!(privileged && policy.privileged === "allow")) {
    (own.capabilities?.add ?? []).forEach((value, index) => {
      // A malformed name is a validation error already (security.ts): not reported twice.
      const name = typeof value === "string" ? capabilityName(value) : "";
      if (/^[A-Z_]+$/.test(name) && !BASELINE_ADDABLE_CAPABILITIES.includes(name)) {
        issues.error(`${scPath}.capabilities.add[${index}]`, `"${value}" is not allowed ${byLevel(policy)}`);
      }
    });
    checkProfileType(own.seccompProfile, `${scPath}.seccompProfile`, policy, issues);
    checkProfileType(own.appArmorProfile, `${scPath}.appArmorProfile`, policy, issues);
    if (own.procMount !== undefined && own.procMount !== null && own.procMount !== "Default") {
      issues.error(`${scPath}.procMount`, `"${own.procMount}" is not allowed ${byLevel(policy)}`);
    }
  }
  checkSeLinux(own.seLinuxOptions, `${scPath}.seLinuxOptions`, policy, issues);
  checkWindowsHostProcess(own.windowsOptions, `${scPath}.windowsOptions`, policy, issues);
  (container.ports ?? []).forEach((port, index) => {
    if (port?.hostPort !== undefined && port.hostPort !== null && port.hostPort !== 0) {
      issues.error(
        `${path}.ports[${index}].hostPort`,
        `${port.hostPort} is not allowed ${byLevel(policy)}: ports are never published on the host`,
      );
    }
  });
  checkHandlerHosts(container, path, policy, issues);
  if (policy.level === "restricted") {
    checkRestrictedContainer(own, scPath, pod, policy, issues);
  }
}

/** Probes and lifecycle handlers reach the pod's own address only: `host` must be empty. */
function checkHandlerHosts(
  container: AnyContainer,
  path: string,
  policy: ResolvedPolicy,
  issues: IssueCollector,
): void {
  const handlers: Array<[string, Probe | LifecycleHandler | undefined | null]> = [
    ["livenessProbe", container.livenessProbe],
    ["readinessProbe", container.readinessProbe],
    ["startupProbe", container.startupProbe],
    ["lifecycle.postStart", container.lifecycle?.postStart],
    ["lifecycle.preStop", container.lifecycle?.preStop],
  ];
  for (const [field, handler] of handlers) {
    for (const action of ["httpGet", "tcpSocket"] as const) {
      const host = handler?.[action]?.host;
      if (host !== undefined && host !== null && host !== "") {
        issues.error(
          `${path}.${field}.${action}.host`,
          `"${host}" is not allowed ${byLevel(policy)}: probes and lifecycle handlers reach the pod's own address only (leave host empty)`,
        );
      }
    }
  }
}
