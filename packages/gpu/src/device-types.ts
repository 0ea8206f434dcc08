import type { ContainerEdits } from "./container-edits.js";

/** One allocatable device: a whole GPU, a MIG instance, an AMD GPU, or a generic device group. */
export interface Device {
  /** Resource name it counts against: `nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`, `amd.com/gpu`, … */
  resource: string;
  vendor: "nvidia" | "amd" | "generic";
  /** Stable key in the book: GPU/MIG UUID for NVIDIA; a device path or configured id otherwise. */
  id: string;
  /** Host device paths to pass through (AMD render nodes, generic devices). */
  paths: string[];
  /** Human-readable model name. */
  name?: string;
  /** NVIDIA: index, PCI bus id, NUMA node, for topology preference. */
  index?: number;
  pciBusId?: string;
  numaNode?: number;
  /** MIG instance: the parent GPU's UUID. A device and its parent are never booked at the same time. */
  parentId?: string;
  /** MIG instance: the profile, e.g. `1g.10gb`. */
  migProfile?: string;
  /** MIG instance: its `Device N` number on the parent GPU (`nvidia-smi -L`; CDI index name `<gpu>:<N>`). */
  migDeviceIndex?: number;
  /**
   * What a container needs to use the device without a vendor runtime: device nodes, driver files
   * (read-only), env. From the host's CDI spec or discovery (nvidia-edits.ts); rendered by docker-rendering.ts.
   */
  edits?: ContainerEdits;
  /** Total device memory in MiB, when known. */
  memoryMiB?: number;
  /** Numeric host group ids that own `paths` (AMD `render`/`video`): pass as Docker `GroupAdd`. */
  groupIds?: number[];
  /**
   * Shared (no bookkeeping) device: several pods may hold it at once; the book hands out the least-used
   * ones. This is the reference plugin's FPGA_DISABLE_BOOKKEEPING mode; never set for GPUs by discovery.
   */
  shared?: boolean;
}

/** What one container of a pod asks for: resource name → integer count. */
export interface ContainerDeviceRequest {
  container: string;
  requests: Record<string, number>;
}

export interface PodDeviceAllocation {
  podUid: string;
  /** Container name → devices booked for it. */
  containers: Record<string, Device[]>;
}

export interface ResourceCapacity {
  resource: string;
  total: number;
  free: number;
}

export interface DeviceBook {
  /** Atomically books distinct devices for every container of the pod, or throws DeviceUnavailableError. Idempotent per pod UID. */
  allocate(podUid: string, requests: ContainerDeviceRequest[]): PodDeviceAllocation;
  /** Idempotent. */
  release(podUid: string): void;
  allocationOf(podUid: string): PodDeviceAllocation | undefined;
  /** Rebuild from container labels (pod UID → device ids); on conflict the labels win. */
  restore(
    allocations: Array<{ podUid: string; containers: Record<string, string[]> }>,
    options?: RestoreOptions,
  ): void;
  capacity(): ResourceCapacity[];
  devices(): Device[];
}

export interface RestoreOptions {
  /**
   * `merge` (default): bookings of pods not named in the labels stay, unless a label claims one of their
   * devices. `replace`: the labels are the whole truth, every other booking is dropped.
   */
  mode?: "merge" | "replace";
}
