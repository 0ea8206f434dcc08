export type {
  AmdDiscoveryFailureReason,
  AmdDiscoveryResult,
  DiscoverAmdGpusOptions,
} from "./amd-discovery.js";
export { AMD_GPU_RESOURCE, discoverAmdGpus } from "./amd-discovery.js";
export type { DeviceBookOptions, LabelledAllocation, LocalDeviceBook, RestoreReport } from "./device-book.js";
export { createDeviceBook } from "./device-book.js";
export { chooseDevices } from "./device-choice.js";
export type { AssignedDeviceShape } from "./device-labels.js";
export {
  allocationsFromLabels,
  DEVICE_LABEL,
  deviceLabels,
  deviceLabelValue,
  parseDeviceLabelValue,
  toAssignedDevice,
  toAssignedDevices,
} from "./device-labels.js";
export type {
  ContainerDeviceRequest,
  Device,
  DeviceBook,
  PodDeviceAllocation,
  ResourceCapacity,
  RestoreOptions,
} from "./device-types.js";
export type { DiscoverDevicesOptions, DiscoveredDevices } from "./discover-devices.js";
export { discoverDevices } from "./discover-devices.js";
export type {
  DockerDeviceMapping,
  DockerDeviceOptions,
  DockerDeviceRequest,
  NvidiaRenderOptions,
} from "./docker-rendering.js";
export {
  nvidiaVisibleDevicesEnv,
  toDindDevices,
  toDockerDeviceOptions,
  toDockerDeviceRequests,
  toDockerDevices,
  toDockerGroupAdd,
} from "./docker-rendering.js";
export type { ResourceShortage } from "./errors.js";
export {
  DeviceAllocationConflictError,
  DeviceBookPersistError,
  DeviceConfigError,
  DeviceLabelError,
  DeviceRequestError,
  DeviceUnavailableError,
} from "./errors.js";
export type { GenericDeviceConfig, GenericDeviceEntry, GenericDeviceOptions } from "./generic-devices.js";
export { genericDevicesFromConfig } from "./generic-devices.js";
export type {
  DiscoverNvidiaGpusOptions,
  NvidiaDiscoveryFailure,
  NvidiaDiscoveryResult,
  NvidiaDiscoverySuccess,
} from "./nvidia-discovery.js";
export {
  discoverNvidiaGpus,
  migResourceName,
  NVIDIA_GPU_RESOURCE,
  NVIDIA_SMI_ARGS,
} from "./nvidia-discovery.js";
export type { CsvParseResult, NvidiaComputeApp, NvidiaGpuInfo } from "./nvidia-smi-csv.js";
export {
  NVIDIA_QUERY_COMPUTE_APPS_FIELDS,
  NVIDIA_QUERY_GPU_FIELDS,
  normalizeNvidiaSmiValue,
  parseComputeAppsCsv,
  parseNvidiaSmiCsvWithHeader,
  parseQueryGpuCsv,
  splitNvidiaSmiCsvLine,
} from "./nvidia-smi-csv.js";
export type {
  NvidiaSmiFailure,
  NvidiaSmiFailureReason,
  NvidiaSmiRun,
  NvidiaSmiSuccess,
  RunNvidiaSmiOptions,
} from "./nvidia-smi-exec.js";
export { classifyNvidiaSmiExit, runNvidiaSmi } from "./nvidia-smi-exec.js";
export type { NvidiaListedGpu, NvidiaListResult, NvidiaMigDeviceInfo } from "./nvidia-smi-list.js";
export { parseNvidiaSmiList } from "./nvidia-smi-list.js";
export type { NvidiaLinkType, NvidiaTopology, NvidiaTopologyGpu } from "./nvidia-smi-topology.js";
export { linkScore, parseNvidiaSmiTopology } from "./nvidia-smi-topology.js";
export type { PingAcceleratorShape } from "./ping-capacity.js";
export { toPingAccelerators } from "./ping-capacity.js";
