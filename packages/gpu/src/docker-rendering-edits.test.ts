import { describe, expect, it } from "vitest";
import type { ContainerEdits } from "./container-edits.js";
import type { Device } from "./device-types.js";
import { toDindDevices, toDockerDeviceOptions } from "./docker-rendering.js";

const driver = {
  mounts: [
    {
      hostPath: "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
      containerPath: "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
    },
    { hostPath: "/usr/bin/nvidia-smi", containerPath: "/usr/bin/nvidia-smi", options: ["rw"] },
  ],
  env: ["NVIDIA_VISIBLE_DEVICES=void", "NVIDIA_DRIVER_CAPABILITIES=compute,utility"],
  hooks: [],
};
const control = [{ path: "/dev/nvidiactl", hostPath: "/fake/nvidiactl" }];

function edits(nodes: Array<{ path: string; hostPath?: string }>): ContainerEdits {
  return { ...driver, deviceNodes: [...nodes, ...control] };
}

const gpu0: Device = {
  resource: "nvidia.com/gpu",
  vendor: "nvidia",
  id: "GPU-0",
  paths: [],
  edits: edits([{ path: "/dev/nvidia0", hostPath: "/fake/nvidia0" }]),
};
const mig: Device = {
  resource: "nvidia.com/mig-1g.10gb",
  vendor: "nvidia",
  id: "MIG-a",
  paths: [],
  parentId: "GPU-1",
  edits: edits([
    { path: "/dev/nvidia1", hostPath: "/fake/nvidia1" },
    { path: "/dev/nvidia-caps/nvidia-cap66", hostPath: "/fake/cap66" },
    { path: "/dev/nvidia-caps/nvidia-cap67", hostPath: "/fake/cap67" },
  ]),
};
const amd: Device = {
  resource: "amd.com/gpu",
  vendor: "amd",
  id: "/dev/dri/renderD128",
  paths: ["/dev/kfd", "/dev/dri/renderD128"],
  groupIds: [44],
};

describe("rendering devices with edits (no NVIDIA runtime anywhere)", () => {
  it("the DIND: host paths of every booked node, the driver files read-only, no DeviceRequest", () => {
    expect(toDindDevices([gpu0, mig, amd])).toEqual({
      devices: [
        { PathOnHost: "/fake/nvidia0", PathInContainer: "/dev/nvidia0", CgroupPermissions: "rwm" },
        { PathOnHost: "/fake/nvidiactl", PathInContainer: "/dev/nvidiactl", CgroupPermissions: "rwm" },
        { PathOnHost: "/fake/nvidia1", PathInContainer: "/dev/nvidia1", CgroupPermissions: "rwm" },
        {
          PathOnHost: "/fake/cap66",
          PathInContainer: "/dev/nvidia-caps/nvidia-cap66",
          CgroupPermissions: "rwm",
        },
        {
          PathOnHost: "/fake/cap67",
          PathInContainer: "/dev/nvidia-caps/nvidia-cap67",
          CgroupPermissions: "rwm",
        },
        { PathOnHost: "/dev/kfd", PathInContainer: "/dev/kfd", CgroupPermissions: "rwm" },
        {
          PathOnHost: "/dev/dri/renderD128",
          PathInContainer: "/dev/dri/renderD128",
          CgroupPermissions: "rwm",
        },
      ],
      mounts: [
        {
          Type: "bind",
          Source: "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
          Target: "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
          ReadOnly: true,
        },
        { Type: "bind", Source: "/usr/bin/nvidia-smi", Target: "/usr/bin/nvidia-smi", ReadOnly: true },
      ],
      groupAdd: ["44"],
      env: ["NVIDIA_DRIVER_CAPABILITIES=compute,utility", "NVIDIA_VISIBLE_DEVICES=GPU-0,MIG-a"],
    });
  });

  it("an inner container: its own nodes at the paths the DIND has them, nothing of the other booking", () => {
    const inner = toDockerDeviceOptions([mig], { placement: "nested" });
    expect(inner.Devices.map((device) => [device.PathOnHost, device.PathInContainer])).toEqual([
      ["/dev/nvidia1", "/dev/nvidia1"],
      ["/dev/nvidia-caps/nvidia-cap66", "/dev/nvidia-caps/nvidia-cap66"],
      ["/dev/nvidia-caps/nvidia-cap67", "/dev/nvidia-caps/nvidia-cap67"],
      ["/dev/nvidiactl", "/dev/nvidiactl"],
    ]);
    expect(inner.Devices.map((device) => device.PathInContainer)).not.toContain("/dev/nvidia0");
    expect(inner.Mounts.map((mount) => mount.Source)).toEqual([
      "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
      "/usr/bin/nvidia-smi",
    ]);
    expect(inner.Env).toEqual(["NVIDIA_DRIVER_CAPABILITIES=compute,utility", "NVIDIA_VISIBLE_DEVICES=MIG-a"]);
    expect(inner.DeviceRequests).toEqual([]);
  });

  it("a container that booked nothing: no node, no mount, NVIDIA_VISIBLE_DEVICES=void", () => {
    expect(toDockerDeviceOptions([], { placement: "nested" })).toEqual({
      DeviceRequests: [],
      Devices: [],
      Mounts: [],
      GroupAdd: [],
      Env: ["NVIDIA_VISIBLE_DEVICES=void"],
      HooksNotRun: [],
    });
  });

  it("AMD in a container: /dev/kfd and the booked render node, and the render group", () => {
    const inner = toDockerDeviceOptions([amd], { placement: "nested" });
    expect(inner.Devices.map((device) => device.PathInContainer)).toEqual([
      "/dev/kfd",
      "/dev/dri/renderD128",
    ]);
    expect(inner.GroupAdd).toEqual(["44"]);
  });
});
