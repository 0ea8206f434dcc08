/**
 * The one home of device → Docker Engine API rendering: the pod's DIND body (`toDindDevices`, host
 * paths) and each inner container's body (`toDockerDeviceOptions(…, { placement: "nested" })`, the paths
 * the DIND already has them at). @ild/pod-translator renders inner containers through this file.
 */
import type { ContainerEdits, HookEdit } from "./container-edits.js";
import { mergeEdits } from "./container-edits.js";

/** What rendering needs of a device: a book `Device` or the pod-translator's `AssignedDevice`. */
export interface RenderableDevice {
  resource: string;
  vendor: "nvidia" | "amd" | "generic";
  id?: string;
  paths?: readonly string[];
  groupIds?: readonly number[];
  edits?: ContainerEdits;
}

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

/** A driver file, bind-mounted read-only (`HostConfig.Mounts[]`). */
export interface DockerReadOnlyBind {
  Type: "bind";
  Source: string;
  Target: string;
  ReadOnly: true;
}

export interface DockerDeviceOptions {
  /** Only for NVIDIA devices without edits (a host engine with the NVIDIA runtime). */
  DeviceRequests: DockerDeviceRequest[];
  Devices: DockerDeviceMapping[];
  /** Driver libraries and binaries from the devices' edits. */
  Mounts: DockerReadOnlyBind[];
  /** Numeric host group ids owning the device nodes (AMD `render`/`video`), as strings. */
  GroupAdd: string[];
  /** The edits' env, then `NVIDIA_VISIBLE_DEVICES=<uuids>` or `=void` when there is no NVIDIA device. */
  Env: string[];
  /** CDI hooks the edits name; Docker bodies cannot run OCI hooks, so callers log them once. */
  HooksNotRun: HookEdit[];
}

export interface NvidiaRenderOptions {
  /** Capabilities AND-list sent with a DeviceRequest. Default `["gpu"]`. */
  capabilities?: string[];
  /**
   * `host` (default): device nodes and mounts from their host paths (the DIND, or a host-engine
   * container). `nested`: from their container paths, where the enclosing DIND already has them.
   */
  placement?: "host" | "nested";
}

function nvidiaIds(devices: readonly RenderableDevice[], withEdits: boolean | undefined): string[] {
  return [
    ...new Set(
      devices
        .filter(
          (device) =>
            device.vendor === "nvidia" &&
            (withEdits === undefined || (device.edits !== undefined) === withEdits),
        )
        .map((device) => device.id ?? ""),
    ),
  ];
}

/**
 * NVIDIA devices without edits → one `{ Driver: "nvidia", DeviceIDs, Capabilities: [["gpu"]] }` (the host
 * engine's NVIDIA runtime does the rest), or `[]`. Devices with edits never go through a DeviceRequest.
 */
export function toDockerDeviceRequests(
  devices: readonly RenderableDevice[],
  options: NvidiaRenderOptions = {},
): DockerDeviceRequest[] {
  const ids = nvidiaIds(devices, false);
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

function editsOf(devices: readonly RenderableDevice[]): ContainerEdits {
  return mergeEdits(...devices.map((device) => device.edits));
}

/**
 * Device nodes: the edits' nodes, then AMD and generic paths (same path inside, `rwm`), each path once.
 */
export function toDockerDevices(
  devices: readonly RenderableDevice[],
  options: NvidiaRenderOptions = {},
): DockerDeviceMapping[] {
  const nested = options.placement === "nested";
  const mappings: DockerDeviceMapping[] = [];
  const add = (hostPath: string, path: string, permissions: string) => {
    if (!mappings.some((mapping) => mapping.PathInContainer === path)) {
      mappings.push({
        PathOnHost: nested ? path : hostPath,
        PathInContainer: path,
        CgroupPermissions: permissions,
      });
    }
  };
  for (const node of editsOf(devices).deviceNodes) {
    add(node.hostPath ?? node.path, node.path, node.permissions ?? "rwm");
  }
  for (const device of devices) {
    if (device.vendor !== "nvidia") {
      for (const path of device.paths ?? []) {
        add(path, path, "rwm");
      }
    }
  }
  return mappings;
}

/** The edits' mounts, read-only whatever the spec says (driver files are never written by a pod). */
export function toDockerDeviceMounts(
  devices: readonly RenderableDevice[],
  options: NvidiaRenderOptions = {},
): DockerReadOnlyBind[] {
  return editsOf(devices).mounts.map((mount) => ({
    Type: "bind",
    Source: options.placement === "nested" ? mount.containerPath : mount.hostPath,
    Target: mount.containerPath,
    ReadOnly: true,
  }));
}

/** Host group ids owning the devices' nodes, for `HostConfig.GroupAdd` (non-root users in the image). */
export function toDockerGroupAdd(devices: readonly RenderableDevice[]): string[] {
  return [...new Set(devices.flatMap((device) => device.groupIds ?? []))].map(String);
}

/** `NVIDIA_VISIBLE_DEVICES=<uuid,uuid>`, or `NVIDIA_VISIBLE_DEVICES=void` so CUDA images get no GPU. */
export function nvidiaVisibleDevicesEnv(devices: readonly RenderableDevice[]): string {
  const ids = nvidiaIds(devices, undefined);
  return `NVIDIA_VISIBLE_DEVICES=${ids.length > 0 ? ids.join(",") : "void"}`;
}

/** Everything a container (the DIND, or an inner container) needs for its devices, in Engine API form. */
export function toDockerDeviceOptions(
  devices: readonly RenderableDevice[],
  options: NvidiaRenderOptions = {},
): DockerDeviceOptions {
  const edits = editsOf(devices);
  return {
    DeviceRequests: toDockerDeviceRequests(devices, options),
    Devices: toDockerDevices(devices, options),
    Mounts: toDockerDeviceMounts(devices, options),
    GroupAdd: toDockerGroupAdd(devices),
    Env: [
      ...edits.env.filter((entry) => !entry.startsWith("NVIDIA_VISIBLE_DEVICES=")),
      nvidiaVisibleDevicesEnv(devices),
    ],
    HooksNotRun: edits.hooks,
  };
}

/** `@ild/dind-pool`'s `DindDevices` (structural): only the fields that have something. */
export interface DindDevicesShape {
  deviceRequests?: DockerDeviceRequest[];
  devices?: DockerDeviceMapping[];
  mounts?: DockerReadOnlyBind[];
  groupAdd?: string[];
  env?: string[];
}

/**
 * The pod's DIND: every device of every container of the pod, from the host paths, so that the inner
 * containers (rendered `nested`) find them at the same paths.
 */
export function toDindDevices(
  devices: readonly RenderableDevice[],
  options: NvidiaRenderOptions = {},
): DindDevicesShape {
  const rendered = toDockerDeviceOptions(devices, { ...options, placement: "host" });
  return {
    ...(rendered.DeviceRequests.length > 0 ? { deviceRequests: rendered.DeviceRequests } : {}),
    ...(rendered.Devices.length > 0 ? { devices: rendered.Devices } : {}),
    ...(rendered.Mounts.length > 0 ? { mounts: rendered.Mounts } : {}),
    ...(rendered.GroupAdd.length > 0 ? { groupAdd: rendered.GroupAdd } : {}),
    env: rendered.Env,
  };
}
