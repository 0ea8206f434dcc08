import { describe, expect, it } from "vitest";
import { toAssignedDevices } from "./device-labels.js";
import type { Device, PodDeviceAllocation } from "./device-types.js";
import {
  nvidiaVisibleDevicesEnv,
  toDindDevices,
  toDockerDeviceOptions,
  toDockerDeviceRequests,
  toDockerDevices,
  toDockerGroupAdd,
} from "./docker-rendering.js";
import { toPingAccelerators } from "./ping-capacity.js";

const gpu = (id: string): Device => ({
  resource: "nvidia.com/gpu",
  vendor: "nvidia",
  id,
  paths: [],
  index: 0,
});
const amd: Device = {
  resource: "amd.com/gpu",
  vendor: "amd",
  id: "0000:03:00.0",
  paths: ["/dev/kfd", "/dev/dri/renderD128"],
  groupIds: [44, 993],
};
const amd2: Device = { ...amd, id: "0000:04:00.0", paths: ["/dev/kfd", "/dev/dri/renderD129"] };
const fpga: Device = {
  resource: "xilinx.com/fpga",
  vendor: "generic",
  id: "f",
  paths: ["/dev/dri/renderD130"],
};

describe("Docker rendering", () => {
  it("NVIDIA: explicit DeviceIDs, Capabilities [[gpu]], never Count", () => {
    const requests = toDockerDeviceRequests([gpu("GPU-a"), gpu("GPU-b"), amd]);
    expect(requests).toEqual([{ Driver: "nvidia", DeviceIDs: ["GPU-a", "GPU-b"], Capabilities: [["gpu"]] }]);
    expect(requests[0]).not.toHaveProperty("Count");
    expect(toDockerDeviceRequests([amd])).toEqual([]);
    expect(toDockerDeviceRequests([gpu("MIG-x")], { capabilities: ["compute", "utility"] })).toEqual([
      { Driver: "nvidia", DeviceIDs: ["MIG-x"], Capabilities: [["gpu", "compute", "utility"]] },
    ]);
  });

  it("AMD and generic: device mappings, each path once, rwm; group ids for GroupAdd", () => {
    expect(toDockerDevices([amd, amd2, fpga, gpu("GPU-a")])).toEqual([
      { PathOnHost: "/dev/kfd", PathInContainer: "/dev/kfd", CgroupPermissions: "rwm" },
      { PathOnHost: "/dev/dri/renderD128", PathInContainer: "/dev/dri/renderD128", CgroupPermissions: "rwm" },
      { PathOnHost: "/dev/dri/renderD129", PathInContainer: "/dev/dri/renderD129", CgroupPermissions: "rwm" },
      { PathOnHost: "/dev/dri/renderD130", PathInContainer: "/dev/dri/renderD130", CgroupPermissions: "rwm" },
    ]);
    expect(toDockerGroupAdd([amd, amd2, fpga])).toEqual(["44", "993"]);
  });

  it("NVIDIA_VISIBLE_DEVICES: the UUIDs, or void for a container without NVIDIA devices", () => {
    expect(nvidiaVisibleDevicesEnv([gpu("GPU-a"), gpu("GPU-b")])).toBe("NVIDIA_VISIBLE_DEVICES=GPU-a,GPU-b");
    expect(nvidiaVisibleDevicesEnv([amd])).toBe("NVIDIA_VISIBLE_DEVICES=void");
  });

  it("the DIND gets the whole pod's devices, each inner container its own", () => {
    const allocation: PodDeviceAllocation = {
      podUid: "p",
      containers: { train: [gpu("GPU-a"), gpu("GPU-b")], eval: [gpu("GPU-c")], fpga: [fpga] },
    };
    const all = Object.values(allocation.containers).flat();
    expect(toDindDevices(all)).toEqual({
      deviceRequests: [{ Driver: "nvidia", DeviceIDs: ["GPU-a", "GPU-b", "GPU-c"], Capabilities: [["gpu"]] }],
      devices: [
        {
          PathOnHost: "/dev/dri/renderD130",
          PathInContainer: "/dev/dri/renderD130",
          CgroupPermissions: "rwm",
        },
      ],
      env: ["NVIDIA_VISIBLE_DEVICES=GPU-a,GPU-b,GPU-c"],
    });
    expect(toDockerDeviceOptions(allocation.containers.eval ?? [])).toEqual({
      DeviceRequests: [{ Driver: "nvidia", DeviceIDs: ["GPU-c"], Capabilities: [["gpu"]] }],
      Devices: [],
      Mounts: [],
      GroupAdd: [],
      Env: ["NVIDIA_VISIBLE_DEVICES=GPU-c"],
      HooksNotRun: [],
    });
    expect(toAssignedDevices(allocation)).toEqual({
      train: [
        { resource: "nvidia.com/gpu", vendor: "nvidia", id: "GPU-a" },
        { resource: "nvidia.com/gpu", vendor: "nvidia", id: "GPU-b" },
      ],
      eval: [{ resource: "nvidia.com/gpu", vendor: "nvidia", id: "GPU-c" }],
      fpga: [{ resource: "xilinx.com/fpga", vendor: "generic", id: "f", paths: ["/dev/dri/renderD130"] }],
    });
  });

  it("ping accelerators: free counts as strings, zero entries on request", () => {
    expect(
      toPingAccelerators(
        [{ resource: "nvidia.com/gpu", total: 8, free: 3 }],
        ["nvidia.com/gpu", "amd.com/gpu"],
      ),
    ).toEqual([
      { resourceType: "nvidia.com/gpu", available: "3" },
      { resourceType: "amd.com/gpu", available: "0" },
    ]);
  });
});
