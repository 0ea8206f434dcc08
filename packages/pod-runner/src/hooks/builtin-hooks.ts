import path from "node:path";
import { InvalidPodError } from "../errors.js";
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

/** The egress CIDRs a pod may reach: config defaults + the `ild.io/egress-allow` annotation (comma list). */
export function egressAllowList(
  annotations: Record<string, string>,
  defaults: string[] = [],
): string[] | undefined {
  const raw = annotations[EGRESS_ANNOTATION];
  if (raw === undefined && defaults.length === 0) {
    return undefined;
  }
  const fromPod = (raw ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .map((item) => parseCidr(item, `metadata.annotations["${EGRESS_ANNOTATION}"]`));
  return [
    ...new Set([
      ...defaults.map((item) => parseCidr(item, "hookConfig.egressDefaultAllowCidrs")),
      ...fromPod,
    ]),
  ];
}

/** Applies the egress allow-list in the pod's DIND (dind engine); a host-engine pod asking for one fails. */
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
    "pre-run": async (context) => {
      const allow = egressAllowList(context.plan.annotations, context.config?.egressDefaultAllowCidrs);
      if (allow === undefined) {
        return;
      }
      if (context.sandbox?.setEgress === undefined) {
        if (context.plan.annotations[EGRESS_ANNOTATION] === undefined) {
          context.logger.debug({ podUid: context.podUid }, "egress defaults not applied: host engine");
          return;
        }
        throw new InvalidPodError(
          `metadata.annotations["${EGRESS_ANNOTATION}"]`,
          `egress rules need the dind engine (pod runs on ${context.engine})`,
        );
      }
      await context.sandbox.setEgress(allow);
    },
  },
};

export const builtinHooks: Hook[] = [
  removeContainersHook,
  denyPrivilegedHook,
  hostPathAllowListHook,
  egressAclHook,
];
