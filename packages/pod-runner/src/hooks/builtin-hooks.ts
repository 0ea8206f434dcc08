import { InvalidPodError } from "../errors.js";
import { narrowEgress } from "../network/narrow-egress.js";
import { parseCidr } from "../network/parse-cidr.js";
import type { Hook } from "../runner-types.js";

export const EGRESS_ANNOTATION = "ild.io/egress-allow";

/** Removes the pod's containers after a stop (turn it off to keep them for a post-mortem). */
export const removeContainersHook: Hook = {
  name: "remove-containers",
  priority: 900,
  phases: {
    "post-stop": async (context) => {
      await context.sandbox?.removeContainers?.();
    },
  },
};

/**
 * Kept by name so that `hooks.enabled` lists naming them still load. The rule itself is the translator's
 * security policy (@ild/pod-translator policy/: `Ild.policy.privileged`, `Ild.policy.level`), enforced
 * once before any hook runs; a hook may only add restrictions, never decide them a second time.
 */
export const denyPrivilegedHook: Hook = { name: "deny-privileged", priority: 10, phases: {} };

/**
 * Kept by name (see denyPrivilegedHook): the hostPath allow-list is checked by the translator
 * (`Ild.policy.hostPathAllowList`; the runner's `hookConfig.hostPathAllowList` feeds it when no
 * `translateOptions.policy.hostPathAllowList` is given).
 */
export const hostPathAllowListHook: Hook = { name: "hostpath-allowlist", priority: 20, phases: {} };

/**
 * The egress CIDRs a pod may reach: the operator's list (`defaults`), narrowed by the pod's
 * `ild.io/egress-allow` annotation (comma list); a CIDR outside the operator's list is refused
 * (400 naming the annotation). Undefined: not filtered.
 */
export function egressAllowList(
  annotations: Record<string, string>,
  defaults: string[] = [],
): string[] | undefined {
  const field = `metadata.annotations["${EGRESS_ANNOTATION}"]`;
  const raw = annotations[EGRESS_ANNOTATION];
  const requested =
    raw === undefined
      ? undefined
      : raw
          .split(",")
          .map((item) => item.trim())
          .filter((item) => item !== "")
          .map((item) => parseCidr(item, field));
  const operator = defaults.map((item) => parseCidr(item, "hookConfig.egressDefaultAllowCidrs"));
  return narrowEgress(operator, requested, field);
}

/**
 * Checks the egress allow-list before anything is created (the runner hands it to the dind engine,
 * which has it enforced on the host before the pod's DIND is handed out); a host-engine pod asking
 * for one fails.
 */
export const egressAclHook: Hook = {
  name: "egress-acl",
  priority: 30,
  phases: {
    "pre-create": (context) => {
      egressAllowList(context.plan.annotations, context.config?.egressDefaultAllowCidrs);
      if (context.engine === "host" && context.plan.annotations[EGRESS_ANNOTATION] !== undefined) {
        throw new InvalidPodError(
          `metadata.annotations["${EGRESS_ANNOTATION}"]`,
          "egress rules need the dind engine (pod runs on host)",
        );
      }
      if (context.engine === "host" && (context.config?.egressDefaultAllowCidrs ?? []).length > 0) {
        context.logger.warn(
          { podUid: context.podUid },
          "egress allow-list not enforced: the pod runs on the host engine",
        );
      }
    },
  },
};

export const builtinHooks: Hook[] = [
  removeContainersHook,
  denyPrivilegedHook,
  hostPathAllowListHook,
  egressAclHook,
];
