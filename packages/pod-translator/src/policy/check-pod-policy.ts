import type { Pod } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "../issues.js";
import { checkContainerPolicy } from "./container-rules.js";
import type { ResolvedPolicy } from "./levels.js";
import { checkPodLevelPolicy } from "./pod-rules.js";

const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

/**
 * The one place the security policy is enforced: every rule of the level (and the privileged choice) on
 * the pod and on every container, init and ephemeral ones included, each violation an error naming the
 * field path and the policy. The hostPath allow-list is checked where volumes are planned (checkHostPathAllowed).
 */
export function checkPodPolicy(pod: Pod, policy: ResolvedPolicy, issues: IssueCollector): void {
  const spec = pod.spec;
  if (!spec) {
    return;
  }
  checkPodLevelPolicy(pod, policy, issues);
  const podSecurity = spec.securityContext ?? undefined;
  for (const list of CONTAINER_LISTS) {
    (spec[list] ?? []).forEach((container, index) => {
      if (container && typeof container === "object") {
        checkContainerPolicy(container, `spec.${list}[${index}]`, podSecurity, policy, issues);
      }
    });
  }
}
