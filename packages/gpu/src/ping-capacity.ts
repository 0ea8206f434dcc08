import type { ResourceCapacity } from "./device-types.js";

/** interLink's PingResponse accelerator entry (`@ild/interlink-api` `PingAccelerator`, kept structural). */
export interface PingAcceleratorShape {
  resourceType: string;
  available: string;
}

/**
 * Capacity → the sidecar's `accelerators` list: one entry per resource, `available` = free count as a
 * string. `alwaysInclude` adds resources with zero devices (e.g. `nvidia.com/gpu` after a failed discovery).
 */
export function toPingAccelerators(
  capacity: readonly ResourceCapacity[],
  alwaysInclude: readonly string[] = [],
): PingAcceleratorShape[] {
  const entries = capacity.map((entry) => ({ resourceType: entry.resource, available: String(entry.free) }));
  for (const resource of alwaysInclude) {
    if (!entries.some((entry) => entry.resourceType === resource)) {
      entries.push({ resourceType: resource, available: "0" });
    }
  }
  return entries;
}
