/** Rules that apply to the pod's and to each container's securityContext alike. */
import type { SELinuxOptions, WindowsSecurityContextOptions } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "../issues.js";
import { byLevel, type ResolvedPolicy } from "./levels.js";

/** Pod Security Standards baseline: the SELinux types a pod may ask for. */
export const ALLOWED_SELINUX_TYPES: readonly string[] = [
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
];

/** seccompProfile / appArmorProfile: `Unconfined` is refused (RuntimeDefault and Localhost pass). */
export function checkProfileType(
  profile: { type?: string } | undefined | null,
  path: string,
  policy: ResolvedPolicy,
  issues: IssueCollector,
): void {
  if (profile?.type === "Unconfined") {
    issues.error(`${path}.type`, `"Unconfined" is not allowed ${byLevel(policy)}`);
  }
}

/** SELinux: no user or role override, a type from the container types only (the level is free). */
export function checkSeLinux(
  options: SELinuxOptions | undefined | null,
  path: string,
  policy: ResolvedPolicy,
  issues: IssueCollector,
): void {
  if (!options) {
    return;
  }
  if (options.type !== undefined && options.type !== null && !ALLOWED_SELINUX_TYPES.includes(options.type)) {
    issues.error(`${path}.type`, `"${options.type}" is not allowed ${byLevel(policy)}`);
  }
  for (const field of ["user", "role"] as const) {
    const value = options[field];
    if (value !== undefined && value !== null && value !== "") {
      issues.error(`${path}.${field}`, `"${value}" is not allowed ${byLevel(policy)}`);
    }
  }
}

/** Windows HostProcess containers run on the host itself. */
export function checkWindowsHostProcess(
  options: WindowsSecurityContextOptions | undefined | null,
  path: string,
  policy: ResolvedPolicy,
  issues: IssueCollector,
): void {
  if (options?.hostProcess === true) {
    issues.error(`${path}.hostProcess`, `true is not allowed ${byLevel(policy)}`);
  }
}
