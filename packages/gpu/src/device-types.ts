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
  restore(allocations: Array<{ podUid: string; containers: Record<string, string[]> }>): void;
  capacity(): ResourceCapacity[];
  devices(): Device[];
}
