import type { ContainerEdits } from "@ild/gpu";
import { describe, expect, it } from "vitest";
import { toDockerCreateBodies } from "./to-docker-create-bodies.js";
import { translatePod } from "./translate-pod.js";

const edits = (node: string): ContainerEdits => ({
  deviceNodes: [
    { path: node, hostPath: `/fake${node}` },
    { path: "/dev/nvidiactl", hostPath: "/fake/dev/nvidiactl" },
  ],
  mounts: [{ hostPath: "/usr/bin/nvidia-smi", containerPath: "/usr/bin/nvidia-smi", options: ["ro"] }],
  env: ["NVIDIA_DRIVER_CAPABILITIES=compute,utility"],
  hooks: [],
});

describe("inner container bodies of a GPU pod (devices with edits, rendered by @ild/gpu)", () => {
  it("the container that booked the GPU gets its nodes and the driver files; the other one gets none", () => {
    const { plan } = translatePod({
      pod: {
        metadata: { name: "train", namespace: "ml", uid: "0b7c9a52-6d1e-4f3a-9c8b-2a1d0e9f8c7b" },
        spec: {
          containers: [
            { name: "cuda", image: "ild/busybox:1", resources: { limits: { "nvidia.com/gpu": "1" } } },
            { name: "log", image: "ild/busybox:1", env: [{ name: "NVIDIA_VISIBLE_DEVICES", value: "all" }] },
          ],
        },
      },
      options: {
        devices: {
          cuda: [{ resource: "nvidia.com/gpu", vendor: "nvidia", id: "GPU-1", edits: edits("/dev/nvidia1") }],
        },
      },
    });
    const [cuda, log] = toDockerCreateBodies(plan, {
      podDataDir: "/data/pod",
      podSecretDir: "/run/secrets/pod",
      networkMode: "host",
    }).map((rendered) => rendered.body);
    expect(cuda?.HostConfig?.Devices).toEqual([
      { PathOnHost: "/dev/nvidia1", PathInContainer: "/dev/nvidia1", CgroupPermissions: "rwm" },
      { PathOnHost: "/dev/nvidiactl", PathInContainer: "/dev/nvidiactl", CgroupPermissions: "rwm" },
    ]);
    expect(cuda?.HostConfig?.Mounts).toContainEqual({
      Type: "bind",
      Source: "/usr/bin/nvidia-smi",
      Target: "/usr/bin/nvidia-smi",
      ReadOnly: true,
    });
    expect(cuda?.HostConfig?.DeviceRequests).toBeUndefined();
    expect(cuda?.Env).toEqual(
      expect.arrayContaining(["NVIDIA_DRIVER_CAPABILITIES=compute,utility", "NVIDIA_VISIBLE_DEVICES=GPU-1"]),
    );
    expect(log?.HostConfig?.Devices).toBeUndefined();
    expect(JSON.stringify(log?.HostConfig?.Mounts ?? [])).not.toContain("nvidia");
    expect(log?.Env).toContain("NVIDIA_VISIBLE_DEVICES=void");
    expect(log?.Env).not.toContain("NVIDIA_VISIBLE_DEVICES=all");
  });

  it("devicesAssignedLater (the runner books after translating): a GPU request needs no device yet", () => {
    const pod = {
      metadata: { name: "gpu", namespace: "ml", uid: "1c8d0b63-7e2f-4a4b-8d9c-3b2e1f0a9d8c" },
      spec: {
        containers: [
          { name: "cuda", image: "ild/busybox:1", resources: { limits: { "nvidia.com/gpu": "1" } } },
        ],
      },
    };
    expect(() => translatePod({ pod })).toThrow('1 "nvidia.com/gpu" requested but 0 device(s) assigned');
    const { plan } = translatePod({ pod, options: { devicesAssignedLater: true } });
    expect(plan.containers[0]?.resources.extended).toEqual({ "nvidia.com/gpu": 1 });
  });
});
