/** What the restricted level adds to baseline, per container (Pod Security Standards "restricted"). */
import type { PodSecurityContext, SecurityContext } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "../issues.js";
import {
  BASELINE_ADDABLE_CAPABILITIES,
  capabilityName,
  RESTRICTED_ADDABLE_CAPABILITIES,
} from "./capability-sets.js";
import { byLevel, type ResolvedPolicy } from "./levels.js";

const ALLOWED_SECCOMP_TYPES = ["RuntimeDefault", "Localhost"];

/** Names baseline lets through but restricted does not (the others were reported by baseline already). */
const NARROWED = new Set(
  BASELINE_ADDABLE_CAPABILITIES.filter((name) => !RESTRICTED_ADDABLE_CAPABILITIES.includes(name)),
);

export function checkRestrictedContainer(
  own: SecurityContext,
  scPath: string,
  pod: PodSecurityContext | undefined,
  policy: ResolvedPolicy,
  issues: IssueCollector,
): void {
  const rule = byLevel(policy);
  const nonRoot = own.runAsNonRoot ?? pod?.runAsNonRoot;
  if (nonRoot !== true) {
    issues.error(
      `${scPath}.runAsNonRoot`,
      `${nonRoot === false ? "false" : "unset"} is not allowed ${rule}: set runAsNonRoot: true on the container or the pod`,
    );
  }
  if (own.runAsUser === 0) {
    issues.error(`${scPath}.runAsUser`, `0 is not allowed ${rule}`);
  }
  if (own.allowPrivilegeEscalation !== false) {
    issues.error(
      `${scPath}.allowPrivilegeEscalation`,
      `${own.allowPrivilegeEscalation === true ? "true" : "unset"} is not allowed ${rule}: set allowPrivilegeEscalation: false`,
    );
  }
  const drop = (own.capabilities?.drop ?? []).filter((value) => typeof value === "string");
  if (!drop.some((value) => capabilityName(value) === "ALL")) {
    issues.error(`${scPath}.capabilities.drop`, `must include "ALL" ${rule.replace(/^by/, "under")}`);
  }
  (own.capabilities?.add ?? []).forEach((value, index) => {
    if (typeof value === "string" && NARROWED.has(capabilityName(value))) {
      issues.error(`${scPath}.capabilities.add[${index}]`, `"${value}" is not allowed ${rule}`);
    }
  });
  const seccomp = own.seccompProfile?.type ?? pod?.seccompProfile?.type;
  if (seccomp === undefined || seccomp === null) {
    issues.error(
      `${scPath}.seccompProfile.type`,
      `unset is not allowed ${rule}: set RuntimeDefault or Localhost on the container or the pod`,
    );
  } else if (!ALLOWED_SECCOMP_TYPES.includes(seccomp) && seccomp !== "Unconfined") {
    issues.error(`${scPath}.seccompProfile.type`, `"${seccomp}" is not allowed ${rule}`);
  }
}
