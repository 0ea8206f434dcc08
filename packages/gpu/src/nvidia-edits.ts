/**
 * Container edits for each NVIDIA device (GPU or MIG instance), the way nvidia-container-toolkit would
 * inject them, done by ild itself: from the host's CDI spec when there is one, else by discovery
 * (nvidia-driver-files.ts). Every file the edits name is checked on the host before any pod gets them.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { DeviceEditsMissingError, DeviceFileMissingError, NvidiaDriverMissingError } from "./cdi-errors.js";
import { type CdiSpec, cdiDeviceEdits } from "./cdi-spec.js";
import { type ContainerEdits, type DeviceNodeEdit, mergeEdits } from "./container-edits.js";
import type { Device } from "./device-types.js";
import { type MigInstanceIds, type NvidiaDriverFiles, normalizeBusId } from "./nvidia-driver-files.js";

/** Control nodes every NVIDIA container gets; `nvidiactl` is required, the others when present. */
export const NVIDIA_CONTROL_NODES = [
  "nvidiactl",
  "nvidia-uvm",
  "nvidia-uvm-tools",
  "nvidia-modeset",
] as const;

/** `compute,utility`: CUDA and NVML (nvidia-smi), the toolkit's default. */
export const DEFAULT_DRIVER_CAPABILITIES = "compute,utility";

export type NvidiaEditsSource =
  | { kind: "cdi"; specs: readonly CdiSpec[] }
  | {
      kind: "discovery";
      files: NvidiaDriverFiles;
      /** MIG instances' GI/CI ids (plain `nvidia-smi` "MIG devices" block); needed for MIG devices. */
      migInstances?: readonly MigInstanceIds[];
      /** Host folder holding the device nodes. Default `/dev`; they always appear at `/dev/…` inside. */
      devRoot?: string;
    };

export interface NvidiaEditsOptions {
  /** `NVIDIA_DRIVER_CAPABILITIES` value. Default `compute,utility`. */
  driverCapabilities?: string;
  /** Checks a host path exists (tests pass their own). Default fs.access. */
  exists?: (path: string) => Promise<boolean>;
}

async function defaultExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The CDI names a device may carry: its UUID, or the index names (`0`, `0:3` for MIG device 3 of GPU 0). */
export function cdiNamesOf(device: Device): string[] {
  const names = [device.id];
  if (device.index !== undefined) {
    if (device.parentId === undefined) {
      names.push(String(device.index));
    } else if (device.migDeviceIndex !== undefined) {
      names.push(`${device.index}:${device.migDeviceIndex}`);
    }
  }
  return names;
}

function fromCdi(device: Device, specs: readonly CdiSpec[]): { edits: ContainerEdits; source: string } {
  const names = cdiNamesOf(device);
  for (const spec of specs) {
    for (const name of names) {
      const edits = cdiDeviceEdits(spec, name);
      if (edits !== undefined) {
        return { edits, source: `CDI spec ${spec.file} (${spec.kind}=${name})` };
      }
    }
  }
  throw new DeviceEditsMissingError(
    device.id,
    `no CDI spec names it (looked for ${names.map((name) => `nvidia.com/gpu=${name}`).join(", ")} in ${
      specs.map((spec) => spec.file).join(", ") || "no spec"
    })`,
  );
}

function node(devRoot: string, name: string): DeviceNodeEdit {
  const path = `/dev/${name}`;
  const hostPath = join(devRoot, name);
  return hostPath === path ? { path } : { path, hostPath };
}

function fromDiscovery(
  device: Device,
  source: Extract<NvidiaEditsSource, { kind: "discovery" }>,
  capabilities: string,
): ContainerEdits {
  const devRoot = source.devRoot ?? "/dev";
  const { files } = source;
  if (files.libraries.size === 0) {
    throw new NvidiaDriverMissingError(
      "ldconfig -p lists no NVIDIA driver library (libcuda.so.1, libnvidia-ml.so.1)",
    );
  }
  const minor =
    device.pciBusId === undefined ? undefined : files.gpuMinors.get(normalizeBusId(device.pciBusId));
  if (minor === undefined) {
    throw new DeviceEditsMissingError(
      device.id,
      `no device minor for PCI bus ${device.pciBusId ?? "(unknown)"} in /proc/driver/nvidia/gpus/*/information`,
    );
  }
  const deviceNodes: DeviceNodeEdit[] = [node(devRoot, `nvidia${minor}`)];
  if (device.parentId !== undefined) {
    const instance = source.migInstances?.find(
      (entry) => entry.gpuIndex === device.index && entry.migDevice === device.migDeviceIndex,
    );
    if (instance === undefined) {
      throw new DeviceEditsMissingError(
        device.id,
        `MIG device ${device.index}:${device.migDeviceIndex} has no GI/CI ids`,
      );
    }
    for (const key of [
      `gpu${minor}/gi${instance.gi}/access`,
      `gpu${minor}/gi${instance.gi}/ci${instance.ci}/access`,
    ]) {
      const capMinor = files.migMinors.get(key);
      if (capMinor === undefined) {
        throw new DeviceEditsMissingError(device.id, `/proc/driver/nvidia-caps/mig-minors has no ${key}`);
      }
      deviceNodes.push(node(devRoot, `nvidia-caps/nvidia-cap${capMinor}`));
    }
  }
  deviceNodes.push(...NVIDIA_CONTROL_NODES.map((name) => node(devRoot, name)));
  const mountOptions = ["ro", "nosuid", "nodev", "bind"];
  return {
    deviceNodes,
    mounts: [...files.libraries.values(), ...files.binaries.values()].map((path) => ({
      hostPath: path,
      containerPath: path,
      options: [...mountOptions],
    })),
    env: [`NVIDIA_DRIVER_CAPABILITIES=${capabilities}`],
    hooks: [],
  };
}

async function checkOnHost(
  device: Device,
  edits: ContainerEdits,
  source: string,
  exists: (path: string) => Promise<boolean>,
) {
  const kept: DeviceNodeEdit[] = [];
  for (const entry of edits.deviceNodes) {
    const hostPath = entry.hostPath ?? entry.path;
    if (await exists(hostPath)) {
      kept.push(entry);
      continue;
    }
    // Discovery lists the optional control nodes speculatively; a spec's nodes and nvidiactl must exist.
    const optional =
      source === "discovery" &&
      ["nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset"].some((name) => entry.path === `/dev/${name}`);
    if (!optional) {
      throw new DeviceFileMissingError(device.id, hostPath, source === "discovery" ? "discovery" : source);
    }
  }
  for (const mount of edits.mounts) {
    if (!(await exists(mount.hostPath))) {
      throw new DeviceFileMissingError(device.id, mount.hostPath, source);
    }
  }
  return { ...edits, deviceNodes: kept };
}

/**
 * The NVIDIA devices with their `edits` set (other devices unchanged). Throws DeviceEditsMissingError
 * (a device the spec or /proc does not name), DeviceFileMissingError (a named file is not on the host),
 * NvidiaDriverMissingError (no driver libraries).
 */
export async function withNvidiaEdits(
  devices: readonly Device[],
  source: NvidiaEditsSource,
  options: NvidiaEditsOptions = {},
): Promise<Device[]> {
  const exists = options.exists ?? defaultExists;
  const capabilities = options.driverCapabilities ?? DEFAULT_DRIVER_CAPABILITIES;
  const result: Device[] = [];
  for (const device of devices) {
    if (device.vendor !== "nvidia") {
      result.push(device);
      continue;
    }
    const built =
      source.kind === "cdi"
        ? fromCdi(device, source.specs)
        : { edits: fromDiscovery(device, source, capabilities), source: "discovery" };
    const edits = await checkOnHost(device, mergeEdits(built.edits), built.source, exists);
    result.push({ ...device, edits });
  }
  return result;
}
