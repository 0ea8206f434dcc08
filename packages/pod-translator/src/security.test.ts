import type { Container, Pod, PodSecurityContext } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { PodTranslationError } from "./errors.js";
import type { TranslationIssue } from "./plan-types.js";
import { PRIVILEGED_CAPABILITY_SET, toDockerCreateBodies } from "./to-docker-create-bodies.js";
import { type TranslationPolicy, translatePod } from "./translate-pod.js";

function podWith(securityContext: Container["securityContext"], podContext?: PodSecurityContext): Pod {
  return {
    metadata: { name: "sec", uid: "s-1" },
    spec: {
      containers: [{ name: "main", image: "ild/busybox:1", securityContext }],
      ...(podContext ? { securityContext: podContext } : {}),
    },
  };
}

function translate(
  securityContext: Container["securityContext"],
  podContext?: PodSecurityContext,
  policy?: TranslationPolicy,
) {
  const input: Parameters<typeof translatePod>[0] = { pod: podWith(securityContext, podContext) };
  if (policy) {
    input.options = { policy };
  }
  const { plan, warnings } = translatePod(input);
  const [rendered] = toDockerCreateBodies(plan, {
    podDataDir: "/d",
    podSecretDir: "/s",
    networkMode: "host",
  });
  return { security: plan.containers[0]?.security, warnings, body: rendered?.body };
}

function issuesOf(
  securityContext: Container["securityContext"],
  podContext?: PodSecurityContext,
  policy?: TranslationPolicy,
): TranslationIssue[] {
  try {
    translate(securityContext, podContext, policy);
  } catch (error) {
    if (error instanceof PodTranslationError) {
      return error.issues;
    }
    throw error;
  }
  throw new Error("expected a PodTranslationError");
}

describe("securityContext", () => {
  it("merges pod and container settings, the container winning", () => {
    const { security, body } = translate(
      { runAsUser: 1001, capabilities: { add: ["CHOWN", "CAP_SYS_CHROOT"], drop: ["all"] } },
      { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000, 2000] },
    );
    expect(security).toEqual({
      user: 1001,
      group: 3000,
      supplementalGroups: [2000, 4000],
      runAsNonRoot: false,
      capAdd: ["CHOWN", "SYS_CHROOT"],
      capDrop: ["ALL"],
      readOnlyRootFilesystem: false,
      noNewPrivileges: false,
      privileged: "no",
      sysctls: {},
    });
    expect(body?.User).toBe("1001:3000");
    expect(body?.HostConfig?.GroupAdd).toEqual(["2000", "4000"]);
    expect(body?.HostConfig?.CapAdd).toEqual(["CHOWN", "SYS_CHROOT"]);
    expect(body?.HostConfig?.CapDrop).toEqual(["ALL"]);
  });

  it("allowPrivilegeEscalation false → no-new-privileges; readOnlyRootFilesystem → ReadonlyRootfs", () => {
    const { body } = translate({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(body?.HostConfig?.SecurityOpt).toEqual(["no-new-privileges:true"]);
    expect(body?.HostConfig?.ReadonlyRootfs).toBe(true);
  });

  it("runAsNonRoot: refuses uid 0, warns when the image user must be checked", () => {
    expect(issuesOf({ runAsNonRoot: true, runAsUser: 0 })).toEqual([
      {
        path: "spec.containers[0].securityContext.runAsNonRoot",
        message: "runAsNonRoot is true but runAsUser is 0 (root)",
      },
    ]);
    const { security, warnings } = translate({}, { runAsNonRoot: true });
    expect(security?.runAsNonRoot).toBe(true);
    expect(warnings).toEqual([
      {
        path: "spec.containers[0].securityContext.runAsNonRoot",
        message:
          "runAsNonRoot without runAsUser: the engine must check that the image's USER is numeric and not 0",
      },
    ]);
    expect(translate({ runAsNonRoot: true, runAsUser: 1000 }).warnings).toEqual([]);
  });

  it("refuses invalid ids and capability names", () => {
    expect(
      issuesOf({ runAsUser: -1, capabilities: { add: ["net admin"] } }).map((issue) => issue.path),
    ).toEqual([
      "spec.containers[0].securityContext.runAsUser",
      "spec.containers[0].securityContext.capabilities.add[0]",
    ]);
  });

  it("privileged is refused by the default policy, naming the field", () => {
    expect(issuesOf({ privileged: true })).toEqual([
      {
        path: "spec.containers[0].securityContext.privileged",
        message:
          "true is not allowed by policy (Ild.policy.privileged: deny; `allow` runs privileged containers inside their own DIND)",
      },
    ]);
  });

  it.each(["allow", "capabilities"] as const)(
    "privileged under the '%s' policy becomes the explicit capability set, never Privileged",
    (privileged) => {
      const { security, body } = translate(
        { privileged: true, capabilities: { drop: ["NET_RAW"] } },
        undefined,
        { privileged },
      );
      expect(security?.privileged).toBe("capabilities");
      expect(body?.HostConfig).toMatchObject({
        CapAdd: ["ALL"],
        CapDrop: ["SYS_RESOURCE"],
        SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
        // systempaths=unconfined, in Engine API form (the engine refuses it as a security option)
        MaskedPaths: [],
        ReadonlyPaths: [],
      });
      expect(body?.HostConfig).not.toHaveProperty("Privileged");
      // no wildcard device rule: cgroup v1 refuses it inside a DIND that has none
      expect(body?.HostConfig).not.toHaveProperty("DeviceCgroupRules");
      expect(PRIVILEGED_CAPABILITY_SET.CapDrop).toEqual(["SYS_RESOURCE"]);
    },
  );

  it("privileged with allowPrivilegeEscalation false is contradictory", () => {
    expect(
      issuesOf({ privileged: true, allowPrivilegeEscalation: false }, undefined, {
        privileged: "capabilities",
        hostPathAllowList: [],
      }),
    ).toEqual([
      {
        path: "spec.containers[0].securityContext.allowPrivilegeEscalation",
        message: "cannot be false when privileged is true",
      },
    ]);
  });

  it("seccomp/AppArmor Unconfined are passed on at the privileged level; Localhost profiles and SELinux are warned about", () => {
    const { body, warnings } = translate(
      {
        seccompProfile: { type: "Unconfined" },
        appArmorProfile: { type: "Unconfined" },
        seLinuxOptions: { level: "s0" },
      },
      undefined,
      { level: "privileged" },
    );
    expect(body?.HostConfig?.SecurityOpt).toEqual(["seccomp=unconfined", "apparmor=unconfined"]);
    expect(warnings.map((warning) => warning.path)).toEqual([
      "spec.containers[0].securityContext.seLinuxOptions",
    ]);
    expect(
      translate({ seccompProfile: { type: "Localhost", localhostProfile: "x.json" } }).warnings[0]?.message,
    ).toBe("Localhost profiles are not supported; the engine default applies");
  });

  it("sysctls: only the safe set (or the policy's list)", () => {
    expect(
      translate({}, { sysctls: [{ name: "kernel.shm_rmid_forced", value: "1" }] }).security?.sysctls,
    ).toEqual({
      "kernel.shm_rmid_forced": "1",
    });
    expect(issuesOf({}, { sysctls: [{ name: "kernel.msgmax", value: "1" }] })[0]?.path).toBe(
      "spec.securityContext.sysctls[0].name",
    );
    expect(
      translate(
        {},
        { sysctls: [{ name: "kernel.msgmax", value: "65536" }] },
        {
          privileged: "deny",
          hostPathAllowList: [],
          allowedSysctls: ["kernel.msgmax"],
        },
      ).security?.sysctls,
    ).toEqual({ "kernel.msgmax": "65536" });
  });

  it("runAsGroup without runAsUser is warned about and not rendered", () => {
    const { body, warnings } = translate({ runAsGroup: 5 });
    expect(body?.User).toBeUndefined();
    expect(warnings[0]?.path).toBe("spec.containers[0].securityContext.runAsGroup");
  });
});
