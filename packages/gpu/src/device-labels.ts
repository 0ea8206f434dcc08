import type { ContainerEdits } from "./container-edits.js";
import type { LabelledAllocation } from "./device-book.js";
import type { Device, PodDeviceAllocation } from "./device-types.js";
import { DeviceLabelError } from "./errors.js";

/** Label key carrying a pod's booked device ids: JSON `{"<container>":["<id>",…],…}`. */
export const DEVICE_LABEL = "io.ild.devices";

/** The shape `@ild/pod-translator`'s `AssignedDevice` has (kept structural: no import). */
export interface AssignedDeviceShape {
  resource: string;
  vendor: "nvidia" | "amd" | "generic";
  id?: string;
  paths?: string[];
  groupIds?: number[];
  edits?: ContainerEdits;
}

/** Label value for a pod's allocation (put it on the DIND and on each inner container). */
export function deviceLabelValue(allocation: PodDeviceAllocation): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(allocation.containers)
        .filter(([, devices]) => devices.length > 0)
        .map(([container, devices]) => [container, devices.map((device) => device.id)]),
    ),
  );
}

/** `{ "io.ild.devices": <value> }`, or `{}` when the pod holds no device. */
export function deviceLabels(allocation: PodDeviceAllocation): Record<string, string> {
  const value = deviceLabelValue(allocation);
  return value === "{}" ? {} : { [DEVICE_LABEL]: value };
}

/** Decodes a label value back into a `restore()` entry. Throws DeviceLabelError when malformed. */
export function parseDeviceLabelValue(podUid: string, value: string): LabelledAllocation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new DeviceLabelError(`${DEVICE_LABEL} of pod ${podUid} is not JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new DeviceLabelError(`${DEVICE_LABEL} of pod ${podUid} must be an object of container → ids`);
  }
  const containers: Record<string, string[]> = {};
  for (const [container, ids] of Object.entries(parsed)) {
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string" && id !== "")) {
      throw new DeviceLabelError(
        `${DEVICE_LABEL} of pod ${podUid}: container ${container} needs a list of ids`,
      );
    }
    containers[container] = ids;
  }
  return { podUid, containers };
}

/**
 * Turns listed containers (Docker's `Labels` maps) into `restore()` input: one entry per pod UID (read
 * from `podUidLabel`), merged when several containers of a pod carry the label. Malformed labels are
 * returned in `invalid`, never thrown.
 */
export function allocationsFromLabels(
  containers: ReadonlyArray<{ Labels?: Record<string, string> | null }>,
  podUidLabel: string,
): { allocations: LabelledAllocation[]; invalid: Array<{ podUid: string; error: string }> } {
  const byPod = new Map<string, Record<string, string[]>>();
  const invalid: Array<{ podUid: string; error: string }> = [];
  for (const container of containers) {
    const labels = container.Labels ?? {};
    const podUid = labels[podUidLabel];
    const value = labels[DEVICE_LABEL];
    if (podUid === undefined || podUid === "" || value === undefined) {
      continue;
    }
    try {
      const parsed = parseDeviceLabelValue(podUid, value);
      const merged = byPod.get(podUid) ?? {};
      for (const [name, ids] of Object.entries(parsed.containers)) {
        merged[name] = [...new Set([...(merged[name] ?? []), ...ids])];
      }
      byPod.set(podUid, merged);
    } catch (error) {
      invalid.push({ podUid, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return {
    allocations: [...byPod.entries()].map(([podUid, containersOfPod]) => ({
      podUid,
      containers: containersOfPod,
    })),
    invalid,
  };
}

/** Strips a device to what the pod-translator needs. */
export function toAssignedDevice(device: Device): AssignedDeviceShape {
  const assigned: AssignedDeviceShape = { resource: device.resource, vendor: device.vendor, id: device.id };
  if (device.paths.length > 0) {
    assigned.paths = [...device.paths];
  }
  if (device.groupIds !== undefined && device.groupIds.length > 0) {
    assigned.groupIds = [...device.groupIds];
  }
  if (device.edits !== undefined) {
    assigned.edits = device.edits;
  }
  return assigned;
}

/** Container name → the pod-translator's `AssignedDevice[]` for that container. */
export function toAssignedDevices(allocation: PodDeviceAllocation): Record<string, AssignedDeviceShape[]> {
  return Object.fromEntries(
    Object.entries(allocation.containers).map(([container, devices]) => [
      container,
      devices.map(toAssignedDevice),
    ]),
  );
}
