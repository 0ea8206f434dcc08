export type {
  ContainerDeviceRequest,
  Device,
  DeviceBook,
  PodDeviceAllocation,
  ResourceCapacity,
} from "./device-types.js";
