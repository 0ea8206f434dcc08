/**
 * The security policy levels, modelled on the Kubernetes Pod Security Standards: `baseline` (the default)
 * refuses the known privilege escalations, `restricted` adds the hardening best practices, `privileged`
 * refuses nothing by level. Whether `securityContext.privileged: true` runs is a separate operator choice.
 */
import { SAFE_SYSCTLS } from "./safe-sysctls.js";

export type PolicyLevel = "baseline" | "restricted" | "privileged";

/**
 * What a container asking for `privileged: true` gets: `deny` (refused) or `allow` (it runs privileged
 * inside its own engine, rendered as the explicit capability set). `capabilities` is the old name of `allow`.
 */
export type PrivilegedPolicy = "deny" | "allow" | "capabilities";

export const POLICY_LEVELS: readonly PolicyLevel[] = ["baseline", "restricted", "privileged"];

/** What the caller decides. Defaults: level baseline, privileged denied, no hostPath, Kubernetes' safe sysctls. */
export interface TranslationPolicy {
  /** Default `baseline`. */
  level?: PolicyLevel;
  /** Default `deny`. */
  privileged?: PrivilegedPolicy;
  /** hostPath volumes are allowed only at or below one of these absolute host paths (default: none). */
  hostPathAllowList?: readonly string[];
  /** Pod sysctls allowed at the baseline and restricted levels; default {@link SAFE_SYSCTLS}. */
  allowedSysctls?: readonly string[];
}

/** A policy with every default applied. */
export interface ResolvedPolicy {
  level: PolicyLevel;
  privileged: "deny" | "allow";
  hostPathAllowList: readonly string[];
  allowedSysctls: readonly string[];
}

export const DEFAULT_POLICY: TranslationPolicy = {
  level: "baseline",
  privileged: "deny",
  hostPathAllowList: [],
};

export function resolvePolicy(policy: TranslationPolicy | undefined): ResolvedPolicy {
  return {
    level: policy?.level ?? "baseline",
    privileged: policy?.privileged === "allow" || policy?.privileged === "capabilities" ? "allow" : "deny",
    hostPathAllowList: policy?.hostPathAllowList ?? [],
    allowedSysctls: policy?.allowedSysctls ?? SAFE_SYSCTLS,
  };
}

/** The level's rules apply (baseline and restricted); `privileged` refuses nothing by level. */
export function enforcesBaseline(policy: ResolvedPolicy): boolean {
  return policy.level !== "privileged";
}

/** The suffix every refusal ends with: which policy refused and the key that chooses it. */
export function byLevel(policy: ResolvedPolicy): string {
  return `by the ${policy.level} policy (Ild.policy.level)`;
}
