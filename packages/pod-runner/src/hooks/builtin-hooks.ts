import path from "node:path";
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

/** Refuses pods with a privileged container. */
export const denyPrivilegedHook: Hook = {
  name: "deny-privileged",
  priority: 10,
  phases: {
    "pre-create": (context) => {
      for (const container of [...context.plan.initContainers, ...context.plan.containers]) {
        if (container.security.privileged !== "no") {
          const list = container.kind === "regular" ? "containers" : "initContainers";
          throw new InvalidPodError(
            `spec.${list}[${container.index}].securityContext.privileged`,
            "privileged containers are not allowed on this node",
          );
        }
      }
    },
  },
};

function isUnder(candidate: string, prefix: string): boolean {
  const normalised = path.posix.normalize(candidate);
  const root = path.posix.normalize(prefix).replace(/\/+$/, "");
  return normalised === root || normalised.startsWith(`${root}/`) || root === "";
}

/** Only hostPath volumes under the configured prefixes are allowed (none when the list is empty). */
export const hostPathAllowListHook: Hook = {
  name: "hostpath-allowlist",
  priority: 20,
  phases: {
    "pre-create": (context) => {
      const allowed = context.config?.hostPathAllowList ?? [];
      context.plan.volumes.forEach((volume, index) => {
        if (volume.kind !== "hostPath" || volume.hostPath === undefined) {
          return;
        }
        if (!allowed.some((prefix) => isUnder(volume.hostPath?.path ?? "", prefix))) {
          throw new InvalidPodError(
            `spec.volumes[${index}].hostPath.path`,
            `${JSON.stringify(volume.hostPath.path)} is not under an allowed host path`,
          );
        }
      });
    },
  },
};

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
    },
  },
};

export const builtinHooks: Hook[] = [
  removeContainersHook,
  denyPrivilegedHook,
  hostPathAllowListHook,
  egressAclHook,
];
