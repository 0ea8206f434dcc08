import type { Device } from "./device-types.js";

/** Docker Engine API `HostConfig.DeviceRequests[]` entry. `Count` is never sent (it means "first N"). */
export interface DockerDeviceRequest {
  Driver: string;
  DeviceIDs: string[];
  Capabilities: string[][];
  Options?: Record<string, string>;
}

/** Docker Engine API `HostConfig.Devices[]` entry. */
export interface DockerDeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface DockerDeviceOptions {
  DeviceRequests: DockerDeviceRequest[];
  Devices: DockerDeviceMapping[];
  /** Numeric host group ids owning the device nodes (AMD `render`/`video`), as strings. */
  GroupAdd: string[];
  /** `NVIDIA_VISIBLE_DEVICES=<uuids>` or `=void` when the container gets no NVIDIA device. */
  Env: string[];
}

export interface NvidiaRenderOptions {
  /** Capabilities AND-list sent with the request. Default `["gpu"]` (the driver's default: compute,utility). */
  capabilities?: string[];
}

/**
 * NVIDIA devices (GPU or MIG UUIDs) → one `{ Driver: "nvidia", DeviceIDs, Capabilities: [["gpu"]] }`,
 * or `[]` when there are none. The same rendering serves the pod's DIND (all the pod's UUIDs) and each
 * inner container (its own UUIDs).
 */
export function toDockerDeviceRequests(
  devices: readonly Device[],
  options: NvidiaRenderOptions = {},
): DockerDeviceRequest[] {
  const ids = [...new Set(devices.filter((device) => device.vendor === "nvidia").map((device) => device.id))];
  if (ids.length === 0) {
    return [];
  }
  const capabilities = options.capabilities ?? ["gpu"];
  return [
    {
      Driver: "nvidia",
      DeviceIDs: ids,
      Capabilities: [capabilities.includes("gpu") ? [...capabilities] : ["gpu", ...capabilities]],
    },
  ];
}

/** AMD and generic devices → `HostConfig.Devices` (same path inside, `rwm`), each path once. */
export function toDockerDevices(devices: readonly Device[]): DockerDeviceMapping[] {
  const paths: string[] = [];
  for (const device of devices) {
    if (device.vendor === "nvidia") {
      continue;
    }
    for (const path of device.paths) {
      if (!paths.includes(path)) {
        paths.push(path);
      }
    }
  }
  return paths.map((path) => ({ PathOnHost: path, PathInContainer: path, CgroupPermissions: "rwm" }));
}

/** Host group ids owning the devices' nodes, for `HostConfig.GroupAdd` (non-root users in the image). */
export function toDockerGroupAdd(devices: readonly Device[]): string[] {
  return [...new Set(devices.flatMap((device) => device.groupIds ?? []))].map(String);
}

/** `NVIDIA_VISIBLE_DEVICES=<uuid,uuid>`, or `NVIDIA_VISIBLE_DEVICES=void` so CUDA images get no GPU. */
export function nvidiaVisibleDevicesEnv(devices: readonly Device[]): string {
  const ids = [...new Set(devices.filter((device) => device.vendor === "nvidia").map((device) => device.id))];
  return `NVIDIA_VISIBLE_DEVICES=${ids.length > 0 ? ids.join(",") : "void"}`;
}

/** Everything a container (the DIND, or an inner container) needs for its devices, in Engine API form. */
export function toDockerDeviceOptions(
  devices: readonly Device[],
  options: NvidiaRenderOptions = {},
): DockerDeviceOptions {
  return {
    DeviceRequests: toDockerDeviceRequests(devices, options),
    Devices: toDockerDevices(devices),
    GroupAdd: toDockerGroupAdd(devices),
    Env: [nvidiaVisibleDevicesEnv(devices)],
  };
}

/**
 * The same, in the shape `@ild/dind-pool`'s `AcquireOptions.devices` (DindDevices) takes, for the pod's
 * DIND: every device of every container of the pod.
 */
export function toDindDevices(
  devices: readonly Device[],
  options: NvidiaRenderOptions = {},
): {
  deviceRequests: DockerDeviceRequest[];
  devices: DockerDeviceMapping[];
  groupAdd: string[];
  env: string[];
} {
  const rendered = toDockerDeviceOptions(devices, options);
  return {
    deviceRequests: rendered.DeviceRequests,
    devices: rendered.Devices,
    groupAdd: rendered.GroupAdd,
    env: rendered.Env,
  };
}
