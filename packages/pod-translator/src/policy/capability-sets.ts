/**
 * Capability sets of the policy, names without the `CAP_` prefix. Docker's default set is what every
 * container gets; baseline allows adding only the Pod Security Standards list (Docker's default set
 * without NET_RAW); restricted allows adding only NET_BIND_SERVICE and requires dropping ALL.
 */
import { DOCKER_DEFAULT_CAPABILITIES as COMMON_DEFAULT_CAPABILITIES } from "@ild/common";

/** Docker's (and containerd's) default capability set (its one home is @ild/common). */
export const DOCKER_DEFAULT_CAPABILITIES: readonly string[] = COMMON_DEFAULT_CAPABILITIES;

/** Pod Security Standards baseline: `capabilities.add` may only name these. */
export const BASELINE_ADDABLE_CAPABILITIES: readonly string[] = DOCKER_DEFAULT_CAPABILITIES.filter(
  (capability) => capability !== "NET_RAW",
);

/** Pod Security Standards restricted: `capabilities.add` may only name these. */
export const RESTRICTED_ADDABLE_CAPABILITIES: readonly string[] = ["NET_BIND_SERVICE"];

/** `cap_sys_admin`, `CAP_SYS_ADMIN` and `SYS_ADMIN` are the same capability. */
export function capabilityName(value: string): string {
  return value.trim().toUpperCase().replace(/^CAP_/, "");
}
