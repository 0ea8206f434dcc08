import type { Container, Pod, PodSecurityContext } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { container, pod, refusals } from "./policy-test-pods.js";

const RESTRICTED = { level: "restricted" } as const;
const COMPLIANT: Container["securityContext"] = {
  runAsNonRoot: true,
  runAsUser: 1000,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

function withSecurity(securityContext: Container["securityContext"], podContext?: PodSecurityContext): Pod {
  return pod({
    containers: [container({ securityContext })],
    ...(podContext ? { securityContext: podContext } : {}),
  });
}

const paths = (subject: Pod) => refusals(subject, RESTRICTED).map((issue) => issue.path);

describe("the restricted policy (Ild.policy.level: restricted)", () => {
  it("passes a hardened container, with NET_BIND_SERVICE added, or the settings on the pod", () => {
    expect(refusals(withSecurity(COMPLIANT), RESTRICTED)).toEqual([]);
    expect(
      refusals(
        withSecurity({ ...COMPLIANT, capabilities: { drop: ["all"], add: ["NET_BIND_SERVICE"] } }),
        RESTRICTED,
      ),
    ).toEqual([]);
    expect(
      refusals(
        withSecurity(
          { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: "Localhost", localhostProfile: "p.json" },
          },
        ),
        RESTRICTED,
      ),
    ).toEqual([]);
  });

  it("refuses a container without any of it, every missing setting named", () => {
    expect(refusals(withSecurity({}), RESTRICTED)).toEqual([
      {
        path: "spec.containers[0].securityContext.runAsNonRoot",
        message:
          "unset is not allowed by the restricted policy (Ild.policy.level): set runAsNonRoot: true on the container or the pod",
      },
      {
        path: "spec.containers[0].securityContext.allowPrivilegeEscalation",
        message:
          "unset is not allowed by the restricted policy (Ild.policy.level): set allowPrivilegeEscalation: false",
      },
      {
        path: "spec.containers[0].securityContext.capabilities.drop",
        message: 'must include "ALL" under the restricted policy (Ild.policy.level)',
      },
      {
        path: "spec.containers[0].securityContext.seccompProfile.type",
        message:
          "unset is not allowed by the restricted policy (Ild.policy.level): set RuntimeDefault or Localhost on the container or the pod",
      },
    ]);
  });

  it.each<[string, Container["securityContext"], PodSecurityContext | undefined, string[]]>([
    [
      "runAsNonRoot false on the container",
      { ...COMPLIANT, runAsNonRoot: false },
      { runAsNonRoot: true },
      ["spec.containers[0].securityContext.runAsNonRoot"],
    ],
    [
      "runAsUser 0 on the container",
      { ...COMPLIANT, runAsNonRoot: undefined, runAsUser: 0 },
      { runAsNonRoot: true },
      // The second: runAsNonRoot true with uid 0 contradicts itself (security.ts).
      ["spec.containers[0].securityContext.runAsUser", "spec.containers[0].securityContext.runAsNonRoot"],
    ],
    [
      "runAsUser 0 on the pod",
      { ...COMPLIANT, runAsUser: undefined },
      { runAsUser: 0 },
      ["spec.securityContext.runAsUser", "spec.containers[0].securityContext.runAsNonRoot"],
    ],
    [
      "allowPrivilegeEscalation true",
      { ...COMPLIANT, allowPrivilegeEscalation: true },
      undefined,
      ["spec.containers[0].securityContext.allowPrivilegeEscalation"],
    ],
    [
      "drop without ALL",
      { ...COMPLIANT, capabilities: { drop: ["NET_RAW"] } },
      undefined,
      ["spec.containers[0].securityContext.capabilities.drop"],
    ],
    [
      "add CHOWN",
      { ...COMPLIANT, capabilities: { drop: ["ALL"], add: ["CHOWN"] } },
      undefined,
      ["spec.containers[0].securityContext.capabilities.add[0]"],
    ],
    [
      "add SYS_ADMIN (reported once)",
      { ...COMPLIANT, capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } },
      undefined,
      ["spec.containers[0].securityContext.capabilities.add[0]"],
    ],
    [
      "seccomp Unconfined (reported once)",
      { ...COMPLIANT, seccompProfile: { type: "Unconfined" } },
      undefined,
      ["spec.containers[0].securityContext.seccompProfile.type"],
    ],
  ])("refuses %s", (_rule, securityContext, podContext, expected) => {
    const issues = refusals(withSecurity(securityContext, podContext), RESTRICTED);
    expect(issues.map((issue) => issue.path)).toEqual(expected);
    expect(issues[0]?.message).toContain("the restricted policy (Ild.policy.level)");
  });

  it("checks init containers too", () => {
    const subject = pod({
      initContainers: [container({ name: "init" })],
      containers: [container({ securityContext: COMPLIANT })],
    });
    expect(paths(subject)).toEqual([
      "spec.initContainers[0].securityContext.runAsNonRoot",
      "spec.initContainers[0].securityContext.allowPrivilegeEscalation",
      "spec.initContainers[0].securityContext.capabilities.drop",
      "spec.initContainers[0].securityContext.seccompProfile.type",
    ]);
  });

  it("allows only the restricted volume types (hostPath refused even when allow-listed)", () => {
    const volumes = (volume: NonNullable<Pod["spec"]>["volumes"]) =>
      pod({ volumes: volume, containers: [container({ securityContext: COMPLIANT })] });
    const policy = { ...RESTRICTED, hostPathAllowList: ["/srv"] };
    expect(refusals(volumes([{ name: "h", hostPath: { path: "/srv/x" } }]), policy)).toEqual([
      {
        path: "spec.volumes[0].hostPath",
        message: "hostPath volumes are not allowed by the restricted policy (Ild.policy.level)",
      },
    ]);
    expect(
      refusals(
        volumes([
          { name: "e", emptyDir: {} },
          { name: "c", configMap: { name: "c", optional: true } },
        ]),
        policy,
      ),
    ).toEqual([]);
  });

  it("keeps every baseline rule", () => {
    expect(
      paths(pod({ hostNetwork: true, containers: [container({ securityContext: COMPLIANT })] })),
    ).toEqual(["spec.hostNetwork"]);
  });
});
