import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { toDockerCreateBodies } from "../to-docker-create-bodies.js";
import { translatePod } from "../translate-pod.js";
import { container, pod, refusals } from "./policy-test-pods.js";

/** What 070-rclone-bind's client container asks for. */
function fuseClient(securityContext: Container["securityContext"]): Pod {
  return pod({
    volumes: [{ name: "shared", emptyDir: {} }],
    containers: [
      container({
        name: "client",
        securityContext,
        volumeMounts: [{ name: "shared", mountPath: "/mnt", mountPropagation: "Bidirectional" }],
      }),
      container({
        name: "worker",
        volumeMounts: [{ name: "shared", mountPath: "/mnt", mountPropagation: "HostToContainer" }],
      }),
    ],
  });
}

describe("Ild.policy.privileged", () => {
  it("deny (the default) refuses a privileged container, naming the key", () => {
    expect(refusals(fuseClient({ privileged: true }))).toEqual([
      {
        path: "spec.containers[0].securityContext.privileged",
        message:
          "true is not allowed by policy (Ild.policy.privileged: deny; `allow` runs privileged containers inside their own DIND)",
      },
    ]);
  });

  it.each(["allow", "capabilities"] as const)(
    "%s lets a privileged container run with everything privileged implies, rendered as the capability set",
    (privileged) => {
      const hostile = fuseClient({
        privileged: true,
        capabilities: { add: ["SYS_ADMIN"] },
        seccompProfile: { type: "Unconfined" },
        appArmorProfile: { type: "Unconfined" },
        procMount: "Unmasked",
      });
      const { plan } = translatePod({ pod: hostile, options: { policy: { privileged } } });
      const [client] = toDockerCreateBodies(plan, {
        podDataDir: "/d",
        podSecretDir: "/s",
        networkMode: "host",
        privilegedDevices: ["/dev/fuse"],
      });
      expect(client?.body.HostConfig).toMatchObject({
        CapAdd: ["ALL"],
        CapDrop: ["SYS_RESOURCE"],
        SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
        MaskedPaths: [],
        ReadonlyPaths: [],
        Devices: [{ PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" }],
      });
      expect(client?.body.HostConfig).not.toHaveProperty("Privileged");
    },
  );

  it("allow does not lift the rules for the other containers or the pod", () => {
    const subject = pod({
      hostNetwork: true,
      volumes: [{ name: "root", hostPath: { path: "/" } }],
      containers: [
        container({ name: "root", securityContext: { privileged: true } }),
        container({ name: "plain", securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }),
      ],
    });
    expect(refusals(subject, { privileged: "allow" }).map((issue) => issue.path)).toEqual([
      "spec.hostNetwork",
      "spec.containers[1].securityContext.capabilities.add[0]",
      "spec.volumes[0].hostPath.path",
    ]);
  });

  it("a privileged container has no /dev/fuse unless the engine offers it; unprivileged ones never do", () => {
    const { plan } = translatePod({
      pod: fuseClient({ privileged: true }),
      options: { policy: { privileged: "allow" } },
    });
    const [withoutFuse] = toDockerCreateBodies(plan, {
      podDataDir: "/d",
      podSecretDir: "/s",
      networkMode: "host",
    });
    expect(withoutFuse?.body.HostConfig).not.toHaveProperty("Devices");
    const [, worker] = toDockerCreateBodies(plan, {
      podDataDir: "/d",
      podSecretDir: "/s",
      networkMode: "host",
      privilegedDevices: ["/dev/fuse"],
    });
    expect(worker?.body.HostConfig).not.toHaveProperty("Devices");
  });
});

describe("Ild.policy.level: privileged", () => {
  it("refuses nothing by level: capabilities, profiles, hostPort, probe hosts, any sysctl", () => {
    const subject = pod({
      securityContext: { sysctls: [{ name: "kernel.msgmax", value: "65536" }] },
      containers: [
        container({
          securityContext: { capabilities: { add: ["NET_ADMIN"] }, seccompProfile: { type: "Unconfined" } },
          ports: [{ containerPort: 80, hostPort: 80 }],
          readinessProbe: { tcpSocket: { host: "127.0.0.1", port: 80 } },
        }),
      ],
    });
    expect(refusals(subject, { level: "privileged" })).toEqual([]);
    expect(refusals(subject).length).toBe(5);
  });

  it("still refuses privileged containers unless Ild.policy.privileged allows them, and host namespaces", () => {
    expect(
      refusals(pod({ containers: [container({ securityContext: { privileged: true } })] }), {
        level: "privileged",
      }).map((issue) => issue.path),
    ).toEqual(["spec.containers[0].securityContext.privileged"]);
    expect(refusals(pod({ hostPID: true }), { level: "privileged" })).toEqual([
      { path: "spec.hostPID", message: "the host PID namespace is not supported" },
    ]);
  });
});
