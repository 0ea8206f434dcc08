import type { Logger } from "@ild/common";
import { noopLogger } from "@ild/common";
import { loadBookFile, type StoredAllocations, saveBookFile } from "./book-store.js";
import { chooseDevices } from "./device-choice.js";
import type {
  ContainerDeviceRequest,
  Device,
  DeviceBook,
  PodDeviceAllocation,
  ResourceCapacity,
  RestoreOptions,
} from "./device-types.js";
import {
  DeviceAllocationConflictError,
  DeviceBookPersistError,
  DeviceConfigError,
  DeviceRequestError,
  DeviceUnavailableError,
} from "./errors.js";
import type { NvidiaTopology } from "./nvidia-smi-topology.js";

export interface DeviceBookOptions {
  /** Everything bookable: NVIDIA (`discoverNvidiaGpus`), AMD (`discoverAmdGpus`), generic devices. */
  devices: readonly Device[];
  /** State file under the data root. Written atomically after every change, loaded at creation. */
  persistPath?: string;
  logger?: Logger;
  /** `topo -m` matrix (from discovery) for the NVLink/PCIe preference when choosing several GPUs. */
  topology?: NvidiaTopology;
}

/** Pod UID → container name → device ids, as read back from container labels. */
export interface LabelledAllocation {
  podUid: string;
  containers: Record<string, string[]>;
}

export interface RestoreReport {
  /** Pods whose allocation now comes from the labels. */
  restoredPods: string[];
  /** Bookings of other pods that a label took over (labels win). */
  overridden: Array<{ podUid: string; deviceId: string; takenBy: string }>;
  /** Two labelled pods claimed the same device: the first one keeps it. */
  labelConflicts: Array<{ podUid: string; deviceId: string; heldBy: string }>;
  /** Labelled ids the inventory does not know (device gone, driver down): kept booked, not counted. */
  unknownDevices: Array<{ podUid: string; deviceId: string }>;
  /** `replace` mode: pods dropped because no label names them. */
  droppedPods: string[];
  /** Entries that were not well-formed and were skipped. */
  invalid: Array<{ index: number; reason: string }>;
}

/** The book returned by `createDeviceBook`: the `DeviceBook` contract plus a few read-outs. */
export interface LocalDeviceBook extends DeviceBook {
  restore(allocations: LabelledAllocation[], options?: RestoreOptions): RestoreReport;
  /** Every pod's allocation. */
  allocations(): PodDeviceAllocation[];
  /** Which pods hold a device (several only for shared devices). */
  holdersOf(deviceId: string): string[];
}

function cloneContainers(containers: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(containers).map(([name, ids]) => [name, [...ids]]));
}

function placeholderDevice(id: string): Device {
  if (id.startsWith("GPU-")) {
    return { resource: "nvidia.com/gpu", vendor: "nvidia", id, paths: [] };
  }
  if (id.startsWith("MIG-")) {
    return { resource: "nvidia.com/mig", vendor: "nvidia", id, paths: [] };
  }
  return { resource: "unknown", vendor: "generic", id, paths: id.startsWith("/dev/") ? [id] : [] };
}

interface NormalizedRequest {
  container: string;
  counts: Array<[string, number]>;
}

function validateRequests(podUid: unknown, requests: unknown): NormalizedRequest[] {
  if (typeof podUid !== "string" || podUid.trim() === "") {
    throw new DeviceRequestError("podUid", "must be a non-empty string");
  }
  if (!Array.isArray(requests)) {
    throw new DeviceRequestError("requests", "must be a list of { container, requests }");
  }
  const seen = new Set<string>();
  return requests.map((request: unknown, i) => {
    const field = `requests[${i}]`;
    if (typeof request !== "object" || request === null) {
      throw new DeviceRequestError(field, "must be an object { container, requests }");
    }
    const { container, requests: counts } = request as Partial<ContainerDeviceRequest>;
    if (typeof container !== "string" || container === "") {
      throw new DeviceRequestError(`${field}.container`, "must be a non-empty string");
    }
    if (seen.has(container)) {
      throw new DeviceRequestError(`${field}.container`, `container ${container} is listed twice`);
    }
    seen.add(container);
    if (typeof counts !== "object" || counts === null || Array.isArray(counts)) {
      throw new DeviceRequestError(`${field}.requests`, "must map resource names to integer counts");
    }
    const normalized: Array<[string, number]> = [];
    for (const [resource, count] of Object.entries(counts)) {
      const countField = `${field}.requests["${resource}"]`;
      if (typeof count !== "number" || !Number.isInteger(count)) {
        throw new DeviceRequestError(countField, `must be a whole number, got ${JSON.stringify(count)}`);
      }
      if (count < 0) {
        throw new DeviceRequestError(countField, `must not be negative, got ${count}`);
      }
      if (count > 0) {
        normalized.push([resource, count]);
      }
    }
    return { container, counts: normalized };
  });
}

/**
 * Creates the allocation book. Bookings are keyed by device id (GPU/MIG UUID, PCI address, path);
 * `allocate` is synchronous and all-or-nothing across the pod's containers, so callers need no lock.
 */
export function createDeviceBook(options: DeviceBookOptions): LocalDeviceBook {
  const logger = options.logger ?? noopLogger;
  const inventory = new Map<string, Device>();
  const children = new Map<string, string[]>();
  options.devices.forEach((device, i) => {
    if (typeof device.id !== "string" || device.id === "") {
      throw new DeviceConfigError(`devices[${i}].id`, "must be a non-empty string");
    }
    if (typeof device.resource !== "string" || device.resource === "") {
      throw new DeviceConfigError(`devices[${i}].resource`, "must be a non-empty string");
    }
    if (inventory.has(device.id)) {
      throw new DeviceConfigError(`devices[${i}].id`, `device ${device.id} is listed twice`);
    }
    inventory.set(device.id, { ...device, paths: [...device.paths] });
    if (device.parentId !== undefined) {
      children.set(device.parentId, [...(children.get(device.parentId) ?? []), device.id]);
    }
  });

  let book: StoredAllocations = options.persistPath ? loadBookFile(options.persistPath, logger) : {};
  /** Device id → pods holding it. Rebuilt from `book` after every change. */
  let holders = new Map<string, Set<string>>();
  const reindex = (): void => {
    holders = new Map();
    for (const [podUid, containers] of Object.entries(book)) {
      for (const ids of Object.values(containers)) {
        for (const id of ids) {
          const set = holders.get(id) ?? new Set<string>();
          set.add(podUid);
          holders.set(id, set);
        }
      }
    }
  };
  reindex();

  const persist = (): void => {
    if (options.persistPath) {
      saveBookFile(options.persistPath, book);
    }
  };

  /** Ids whose booking excludes `id`: itself, its parent GPU, its MIG instances. */
  const conflictsOf = (id: string): string[] => {
    const device = inventory.get(id);
    const related = [id, ...(children.get(id) ?? [])];
    if (device?.parentId !== undefined) {
      related.push(device.parentId);
    }
    return related;
  };

  const isFree = (device: Device, taken: ReadonlySet<string>): boolean => {
    if (device.shared) {
      return !taken.has(device.id);
    }
    return conflictsOf(device.id).every((id) => !taken.has(id) && (holders.get(id)?.size ?? 0) === 0);
  };

  const toAllocation = (podUid: string, containers: Record<string, string[]>): PodDeviceAllocation => ({
    podUid,
    containers: Object.fromEntries(
      Object.entries(containers).map(([name, ids]) => [
        name,
        ids.map((id) => {
          const device = inventory.get(id);
          return device ? { ...device, paths: [...device.paths] } : placeholderDevice(id);
        }),
      ]),
    ),
  });

  const sameShape = (containers: Record<string, string[]>, requests: NormalizedRequest[]): boolean => {
    const wanted = requests.filter((r) => r.counts.length > 0);
    if (Object.keys(containers).length !== wanted.length) {
      return false;
    }
    return wanted.every((request) => {
      const ids = containers[request.container];
      if (ids === undefined) {
        return false;
      }
      const have = new Map<string, number>();
      for (const id of ids) {
        const resource = (inventory.get(id) ?? placeholderDevice(id)).resource;
        have.set(resource, (have.get(resource) ?? 0) + 1);
      }
      return have.size === request.counts.length && request.counts.every(([res, n]) => have.get(res) === n);
    });
  };

  const capacityMap = (): Map<string, { total: number; free: number }> => {
    const map = new Map<string, { total: number; free: number }>();
    const none = new Set<string>();
    for (const device of inventory.values()) {
      const entry = map.get(device.resource) ?? { total: 0, free: 0 };
      entry.total += 1;
      if (isFree(device, none)) {
        entry.free += 1;
      }
      map.set(device.resource, entry);
    }
    return map;
  };

  const allocate = (podUid: string, requests: ContainerDeviceRequest[]): PodDeviceAllocation => {
    const normalized = validateRequests(podUid, requests);
    const existing = book[podUid];
    if (existing !== undefined) {
      if (sameShape(existing, normalized)) {
        return toAllocation(podUid, existing);
      }
      throw new DeviceAllocationConflictError(podUid);
    }
    const requested: Record<string, number> = {};
    for (const request of normalized) {
      for (const [resource, count] of request.counts) {
        requested[resource] = (requested[resource] ?? 0) + count;
      }
    }
    if (Object.keys(requested).length === 0) {
      return { podUid, containers: {} };
    }
    const taken = new Set<string>();
    const chosen: Record<string, string[]> = {};
    const usage = (id: string): number => holders.get(id)?.size ?? 0;
    const unavailable = (): DeviceUnavailableError => {
      const capacity = capacityMap();
      const free: Record<string, number> = {};
      const total: Record<string, number> = {};
      for (const resource of Object.keys(requested)) {
        free[resource] = capacity.get(resource)?.free ?? 0;
        total[resource] = capacity.get(resource)?.total ?? 0;
      }
      return new DeviceUnavailableError(podUid, requested, free, total);
    };
    for (const request of normalized) {
      const ids: string[] = [];
      for (const [resource, count] of request.counts) {
        const candidates = [...inventory.values()].filter((d) => d.resource === resource && isFree(d, taken));
        let picked: Device[] | undefined;
        if (candidates.length > 0 && candidates.every((d) => d.shared)) {
          // no bookkeeping: distinct devices within the container, least used first
          const inContainer = new Set(ids);
          const pool = candidates
            .filter((d) => !inContainer.has(d.id))
            .sort((a, b) => usage(a.id) - usage(b.id) || (a.index ?? 0) - (b.index ?? 0));
          picked = pool.length >= count ? pool.slice(0, count) : undefined;
        } else {
          picked = chooseDevices(
            candidates.filter((d) => !d.shared),
            count,
            options.topology,
          );
        }
        if (picked === undefined) {
          throw unavailable();
        }
        for (const device of picked) {
          if (!device.shared) {
            taken.add(device.id);
          }
          ids.push(device.id);
        }
      }
      if (ids.length > 0) {
        chosen[request.container] = ids;
      }
    }
    book = { ...book, [podUid]: chosen };
    reindex();
    try {
      persist();
    } catch (error) {
      const { [podUid]: _dropped, ...rest } = book;
      book = rest;
      reindex();
      throw error;
    }
    logger.info({ podUid, devices: Object.values(chosen).flat() }, "devices booked");
    return toAllocation(podUid, chosen);
  };

  const release = (podUid: string): void => {
    if (book[podUid] === undefined) {
      return;
    }
    const { [podUid]: released, ...rest } = book;
    book = rest;
    reindex();
    logger.info({ podUid, devices: Object.values(released ?? {}).flat() }, "devices released");
    try {
      persist();
    } catch (error) {
      // the release stands in memory; a later write or restore() fixes the file
      logger.error(
        { podUid, error: DeviceBookPersistError.isInstance(error) ? error.message : String(error) },
        "device book not persisted after release",
      );
    }
  };

  const restore = (labelled: LabelledAllocation[], restoreOptions: RestoreOptions = {}): RestoreReport => {
    const report: RestoreReport = {
      restoredPods: [],
      overridden: [],
      labelConflicts: [],
      unknownDevices: [],
      droppedPods: [],
      invalid: [],
    };
    const valid: LabelledAllocation[] = [];
    (Array.isArray(labelled) ? labelled : []).forEach((entry, index) => {
      if (typeof entry?.podUid !== "string" || entry.podUid === "") {
        report.invalid.push({ index, reason: "podUid missing" });
        return;
      }
      if (typeof entry.containers !== "object" || entry.containers === null) {
        report.invalid.push({ index, reason: "containers missing" });
        return;
      }
      const containers = Object.entries(entry.containers).filter(
        ([, ids]) => Array.isArray(ids) && ids.every((id) => typeof id === "string" && id !== ""),
      );
      if (containers.length !== Object.keys(entry.containers).length) {
        report.invalid.push({ index, reason: "a container's device list is not a list of ids" });
      }
      valid.push({ podUid: entry.podUid, containers: Object.fromEntries(containers) });
    });
    const labelledPods = new Set(valid.map((entry) => entry.podUid));
    let next: StoredAllocations = {};
    for (const [podUid, containers] of Object.entries(book)) {
      if (labelledPods.has(podUid)) {
        continue;
      }
      if (restoreOptions.mode === "replace") {
        report.droppedPods.push(podUid);
        continue;
      }
      next[podUid] = cloneContainers(containers);
    }
    const owner = new Map<string, string>(); // exclusive device id → labelled pod that got it
    for (const entry of valid) {
      const containers: Record<string, string[]> = {};
      for (const [container, ids] of Object.entries(entry.containers)) {
        const kept: string[] = [];
        for (const id of ids) {
          const device = inventory.get(id);
          if (device === undefined) {
            report.unknownDevices.push({ podUid: entry.podUid, deviceId: id });
          }
          if (device?.shared) {
            kept.push(id);
            continue;
          }
          const rival = conflictsOf(id)
            .map((related) => owner.get(related))
            .find((pod) => pod !== undefined && pod !== entry.podUid);
          if (rival !== undefined) {
            report.labelConflicts.push({ podUid: entry.podUid, deviceId: id, heldBy: rival });
            logger.error(
              { podUid: entry.podUid, deviceId: id, heldBy: rival },
              "two pods' labels claim one device",
            );
            continue;
          }
          // labels win over the persisted book
          for (const related of conflictsOf(id)) {
            for (const [otherPod, otherContainers] of Object.entries(next)) {
              for (const [otherContainer, otherIds] of Object.entries(otherContainers)) {
                if (otherIds.includes(related)) {
                  otherContainers[otherContainer] = otherIds.filter((other) => other !== related);
                  report.overridden.push({ podUid: otherPod, deviceId: related, takenBy: entry.podUid });
                }
              }
            }
          }
          owner.set(id, entry.podUid);
          kept.push(id);
        }
        if (kept.length > 0) {
          containers[container] = kept;
        }
      }
      next[entry.podUid] = containers;
      report.restoredPods.push(entry.podUid);
    }
    // drop containers and pods that lost every device to a label
    next = Object.fromEntries(
      Object.entries(next)
        .map(([podUid, containers]): [string, Record<string, string[]>] => [
          podUid,
          Object.fromEntries(Object.entries(containers).filter(([, ids]) => ids.length > 0)),
        ])
        .filter(([podUid, containers]) => labelledPods.has(podUid) || Object.keys(containers).length > 0),
    );
    book = next;
    reindex();
    try {
      persist();
    } catch (error) {
      logger.error({ error: String(error) }, "device book not persisted after restore");
    }
    if (report.overridden.length > 0) {
      logger.warn({ overridden: report.overridden }, "container labels overrode persisted device bookings");
    }
    return report;
  };

  return {
    allocate,
    release,
    restore,
    allocationOf: (podUid) => {
      const containers = book[podUid];
      return containers === undefined ? undefined : toAllocation(podUid, containers);
    },
    allocations: () => Object.entries(book).map(([podUid, containers]) => toAllocation(podUid, containers)),
    holdersOf: (deviceId) => [...(holders.get(deviceId) ?? [])],
    capacity: (): ResourceCapacity[] =>
      [...capacityMap().entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([resource, { total, free }]) => ({ resource, total, free })),
    devices: () => [...inventory.values()].map((device) => ({ ...device, paths: [...device.paths] })),
  };
}
