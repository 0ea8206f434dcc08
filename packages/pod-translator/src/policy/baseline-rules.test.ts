import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { container, pod, refusals } from "./policy-test-pods.js";

const BASELINE = "is not allowed by the baseline policy (Ild.policy.level)";

function withSecurity(securityContext: Container["securityContext"]): Pod {
  return pod({ containers: [container({ securityContext })] });
}

/** Each rule: the hostile pod, the field path refused, and the legitimate neighbour that passes. */
const cases: Array<[rule: string, hostile: Pod, path: string, neighbour: Pod]> = [
  [
    "capability beyond the baseline set",
    withSecurity({ capabilities: { add: ["CHOWN", "SYS_ADMIN"] } }),
    "spec.containers[0].securityContext.capabilities.add[1]",
    withSecurity({ capabilities: { add: ["CHOWN", "NET_BIND_SERVICE"], drop: ["ALL"] } }),
  ],
  [
    "container seccomp Unconfined",
    withSecurity({ seccompProfile: { type: "Unconfined" } }),
    "spec.containers[0].securityContext.seccompProfile.type",
    withSecurity({ seccompProfile: { type: "RuntimeDefault" } }),
  ],
  [
    "pod seccomp Unconfined",
    pod({ securityContext: { seccompProfile: { type: "Unconfined" } } }),
    "spec.securityContext.seccompProfile.type",
    pod({ securityContext: { seccompProfile: { type: "RuntimeDefault" } } }),
  ],
  [
    "container AppArmor Unconfined",
    withSecurity({ appArmorProfile: { type: "Unconfined" } }),
    "spec.containers[0].securityContext.appArmorProfile.type",
    withSecurity({ appArmorProfile: { type: "RuntimeDefault" } }),
  ],
  [
    "pod AppArmor Unconfined",
    pod({ securityContext: { appArmorProfile: { type: "Unconfined" } } }),
    "spec.securityContext.appArmorProfile.type",
    pod({ securityContext: { appArmorProfile: { type: "RuntimeDefault" } } }),
  ],
  [
    "legacy AppArmor annotation unconfined",
    pod({}, { "container.apparmor.security.beta.kubernetes.io/main": "unconfined" }),
    'metadata.annotations["container.apparmor.security.beta.kubernetes.io/main"]',
    pod({}, { "container.apparmor.security.beta.kubernetes.io/main": "runtime/default" }),
  ],
  [
    "legacy seccomp annotation unconfined",
    pod({}, { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" }),
    'metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]',
    pod({}, { "seccomp.security.alpha.kubernetes.io/pod": "runtime/default" }),
  ],
  ["hostNetwork", pod({ hostNetwork: true }), "spec.hostNetwork", pod({ hostNetwork: false })],
  ["hostPID", pod({ hostPID: true }), "spec.hostPID", pod({ hostPID: false })],
  ["hostIPC", pod({ hostIPC: true }), "spec.hostIPC", pod({ hostIPC: false })],
  [
    "unsafe sysctl",
    pod({ securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }] } }),
    "spec.securityContext.sysctls[0].name",
    pod({ securityContext: { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] } }),
  ],
  [
    "hostPort",
    pod({ containers: [container({ ports: [{ containerPort: 80, hostPort: 8080 }] })] }),
    "spec.containers[0].ports[0].hostPort",
    pod({ containers: [container({ ports: [{ containerPort: 80 }] })] }),
  ],
  [
    "procMount Unmasked",
    withSecurity({ procMount: "Unmasked" }),
    "spec.containers[0].securityContext.procMount",
    withSecurity({ procMount: "Default" }),
  ],
  [
    "SELinux type override",
    withSecurity({ seLinuxOptions: { type: "spc_t" } }),
    "spec.containers[0].securityContext.seLinuxOptions.type",
    withSecurity({ seLinuxOptions: { type: "container_t", level: "s0:c1,c2" } }),
  ],
  [
    "SELinux user override",
    pod({ securityContext: { seLinuxOptions: { user: "system_u" } } }),
    "spec.securityContext.seLinuxOptions.user",
    pod({ securityContext: { seLinuxOptions: { level: "s0:c1,c2" } } }),
  ],
  [
    "SELinux role override",
    withSecurity({ seLinuxOptions: { role: "system_r" } }),
    "spec.containers[0].securityContext.seLinuxOptions.role",
    withSecurity({ seLinuxOptions: { role: "" } }),
  ],
  [
    "Windows hostProcess",
    withSecurity({ windowsOptions: { hostProcess: true } }),
    "spec.containers[0].securityContext.windowsOptions.hostProcess",
    withSecurity({ windowsOptions: { hostProcess: false } }),
  ],
  [
    "privileged",
    withSecurity({ privileged: true }),
    "spec.containers[0].securityContext.privileged",
    withSecurity({ privileged: false }),
  ],
  [
    "liveness probe httpGet.host",
    pod({ containers: [container({ livenessProbe: { httpGet: { host: "169.254.169.254", port: 80 } } })] }),
    "spec.containers[0].livenessProbe.httpGet.host",
    pod({ containers: [container({ livenessProbe: { httpGet: { port: 80, path: "/healthz" } } })] }),
  ],
  [
    "readiness probe tcpSocket.host",
    pod({ containers: [container({ readinessProbe: { tcpSocket: { host: "127.0.0.1", port: 22 } } })] }),
    "spec.containers[0].readinessProbe.tcpSocket.host",
    pod({ containers: [container({ readinessProbe: { tcpSocket: { host: "", port: 22 } } })] }),
  ],
  [
    "startup probe httpGet.host",
    pod({ containers: [container({ startupProbe: { httpGet: { host: "10.0.0.1", port: 80 } } })] }),
    "spec.containers[0].startupProbe.httpGet.host",
    pod({ containers: [container({ startupProbe: { httpGet: { port: 80 } } })] }),
  ],
  [
    "postStart httpGet.host",
    pod({
      containers: [container({ lifecycle: { postStart: { httpGet: { host: "metadata", port: 80 } } } })],
    }),
    "spec.containers[0].lifecycle.postStart.httpGet.host",
    pod({ containers: [container({ lifecycle: { postStart: { httpGet: { port: 80 } } } })] }),
  ],
  [
    "preStop tcpSocket.host",
    pod({
      containers: [container({ lifecycle: { preStop: { tcpSocket: { host: "localhost", port: 1 } } } })],
    }),
    "spec.containers[0].lifecycle.preStop.tcpSocket.host",
    pod({ containers: [container({ lifecycle: { preStop: { tcpSocket: { port: 1 } } } })] }),
  ],
  [
    "init container capability",
    pod({
      initContainers: [
        container({ name: "init", securityContext: { capabilities: { add: ["NET_ADMIN"] } } }),
      ],
    }),
    "spec.initContainers[0].securityContext.capabilities.add[0]",
    pod({
      initContainers: [container({ name: "init", securityContext: { capabilities: { add: ["KILL"] } } })],
    }),
  ],
  [
    "ephemeral container capability",
    pod({
      ephemeralContainers: [
        { name: "debug", image: "ild/busybox:1", securityContext: { capabilities: { add: ["SYS_PTRACE"] } } },
      ],
    }),
    "spec.ephemeralContainers[0].securityContext.capabilities.add[0]",
    pod({ ephemeralContainers: [{ name: "debug", image: "ild/busybox:1" }] }),
  ],
];

describe("the baseline policy (the default)", () => {
  it.each(cases)(
    "refuses %s naming the field and the policy; the neighbour passes",
    (_rule, hostile, path, neighbour) => {
      const issues = refusals(hostile);
      expect(issues.map((issue) => issue.path)).toEqual([path]);
      expect(issues[0]?.message).toMatch(
        /is not allowed by (the baseline policy \(Ild\.policy\.level\)|policy \(Ild\.policy\.privileged: deny)/,
      );
      expect(refusals(neighbour)).toEqual([]);
    },
  );

  it("words a capability refusal with the value, the level and the key", () => {
    expect(refusals(withSecurity({ capabilities: { add: ["CHOWN", "SYS_ADMIN"] } }))).toEqual([
      {
        path: "spec.containers[0].securityContext.capabilities.add[1]",
        message: `"SYS_ADMIN" ${BASELINE}`,
      },
    ]);
  });

  it.each([
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "NET_RAW",
    "SYS_PTRACE",
    "cap_sys_admin",
    "BPF",
  ])("refuses capabilities.add %s (beyond Docker's default set without NET_RAW)", (capability) => {
    expect(refusals(withSecurity({ capabilities: { add: [capability] } }))).toEqual([
      {
        path: "spec.containers[0].securityContext.capabilities.add[0]",
        message: `"${capability}" ${BASELINE}`,
      },
    ]);
  });

  it("allows adding every capability of the baseline list and dropping any", () => {
    const add = [
      "AUDIT_WRITE",
      "CHOWN",
      "DAC_OVERRIDE",
      "FOWNER",
      "FSETID",
      "KILL",
      "MKNOD",
      "NET_BIND_SERVICE",
      "SETFCAP",
      "SETGID",
      "SETPCAP",
      "SETUID",
      "CAP_SYS_CHROOT",
    ];
    expect(refusals(withSecurity({ capabilities: { add, drop: ["ALL", "NET_RAW"] } }))).toEqual([]);
  });

  it("reports every violation of a hostile pod in one error", () => {
    const hostile = pod(
      {
        hostNetwork: true,
        hostPID: true,
        securityContext: { seccompProfile: { type: "Unconfined" } },
        volumes: [{ name: "root", hostPath: { path: "/" } }],
        initContainers: [container({ name: "init", securityContext: { privileged: true } })],
        containers: [
          container({
            securityContext: {
              capabilities: { add: ["SYS_ADMIN", "NET_ADMIN"] },
              appArmorProfile: { type: "Unconfined" },
            },
            ports: [{ containerPort: 80, hostPort: 80 }],
            livenessProbe: { tcpSocket: { host: "169.254.169.254", port: 80 } },
          }),
        ],
      },
      { "container.apparmor.security.beta.kubernetes.io/main": "unconfined" },
    );
    expect(refusals(hostile).map((issue) => issue.path)).toEqual([
      "spec.hostNetwork",
      "spec.hostPID",
      "spec.securityContext.seccompProfile.type",
      'metadata.annotations["container.apparmor.security.beta.kubernetes.io/main"]',
      "spec.initContainers[0].securityContext.privileged",
      "spec.containers[0].securityContext.capabilities.add[0]",
      "spec.containers[0].securityContext.capabilities.add[1]",
      "spec.containers[0].securityContext.appArmorProfile.type",
      "spec.containers[0].ports[0].hostPort",
      "spec.containers[0].livenessProbe.tcpSocket.host",
      "spec.volumes[0].hostPath.path",
    ]);
  });

  it("Bidirectional mount propagation needs a privileged container", () => {
    const mounted = (securityContext: Container["securityContext"]) =>
      pod({
        volumes: [{ name: "shared", emptyDir: {} }],
        containers: [
          container({
            securityContext,
            volumeMounts: [{ name: "shared", mountPath: "/mnt", mountPropagation: "Bidirectional" }],
          }),
        ],
      });
    expect(refusals(mounted({})).map((issue) => issue.path)).toEqual([
      "spec.containers[0].volumeMounts[0].mountPropagation",
    ]);
    expect(refusals(mounted({}))[0]?.message).toBe(
      '"Bidirectional" needs securityContext.privileged: true (as in Kubernetes)',
    );
    // Privileged then needs Ild.policy.privileged: allow (privileged-policy.test.ts).
    expect(refusals(mounted({ privileged: true })).map((issue) => issue.path)).toEqual([
      "spec.containers[0].securityContext.privileged",
    ]);
  });
});

describe("hostPath and the allow-list (every level)", () => {
  const hostPath = (path: string): Pod => pod({ volumes: [{ name: "data", hostPath: { path } }] });
  const policy = { hostPathAllowList: ["/srv/data/"] };

  it("refuses a path outside the list, naming the field and the key", () => {
    expect(refusals(hostPath("/etc"), policy)).toEqual([
      {
        path: "spec.volumes[0].hostPath.path",
        message:
          'hostPath "/etc" of volume "data" is not allowed by policy (Ild.policy.hostPathAllowList: /srv/data/)',
      },
    ]);
    expect(refusals(hostPath("/srv/database"), policy).map((issue) => issue.path)).toEqual([
      "spec.volumes[0].hostPath.path",
    ]);
    expect(refusals(hostPath("/srv/data/../../etc"), policy).map((issue) => issue.path)).toEqual([
      "spec.volumes[0].hostPath.path",
    ]);
    expect(refusals(hostPath("/etc"), { ...policy, level: "privileged" }).map((issue) => issue.path)).toEqual(
      ["spec.volumes[0].hostPath.path"],
    );
  });

  it("allows the listed prefix and what lies below it, on normalised paths", () => {
    expect(refusals(hostPath("/srv/data"), policy)).toEqual([]);
    expect(refusals(hostPath("//srv/data//set-1/./"), policy)).toEqual([]);
  });
});
