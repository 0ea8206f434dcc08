export type {
  AmdDiscoveryFailureReason,
  AmdDiscoveryResult,
  DiscoverAmdGpusOptions,
} from "./amd-discovery.js";
export { AMD_GPU_RESOURCE, discoverAmdGpus } from "./amd-discovery.js";
export {
  CdiSpecError,
  DeviceEditsMissingError,
  DeviceFileMissingError,
  NvidiaDriverMissingError,
} from "./cdi-errors.js";
export type { CdiDevice, CdiSpec, ReadCdiSpecsOptions } from "./cdi-spec.js";
export { CDI_SPEC_DIRS, cdiDeviceEdits, parseCdiSpec, readCdiSpecs } from "./cdi-spec.js";
export type { ContainerEdits, DeviceNodeEdit, HookEdit, MountEdit } from "./container-edits.js";
export { emptyEdits, mergeEdits } from "./container-edits.js";
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
  DindDevicesShape,
  DockerDeviceMapping,
  DockerDeviceOptions,
  DockerDeviceRequest,
  DockerReadOnlyBind,
  NvidiaRenderOptions,
  RenderableDevice,
} from "./docker-rendering.js";
export {
  nvidiaVisibleDevicesEnv,
  toDindDevices,
  toDockerDeviceMounts,
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
export type { HostNvidiaEditsOptions, HostNvidiaEditsResult } from "./host-nvidia-edits.js";
export { hostNvidiaEdits } from "./host-nvidia-edits.js";
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
export type {
  ExecFileFn,
  FindNvidiaDriverFilesOptions,
  MigInstanceIds,
  NvidiaDriverFiles,
} from "./nvidia-driver-files.js";
export {
  findNvidiaDriverFiles,
  isNvidiaDriverLibrary,
  NVIDIA_DRIVER_BINARIES,
  NVIDIA_DRIVER_LIBRARIES,
  normalizeBusId,
  parseGpuInformationMinor,
  parseLdconfigCache,
  parseMigDeviceTable,
  parseMigMinors,
} from "./nvidia-driver-files.js";
export type { NvidiaEditsOptions, NvidiaEditsSource } from "./nvidia-edits.js";
export {
  cdiNamesOf,
  DEFAULT_DRIVER_CAPABILITIES,
  NVIDIA_CONTROL_NODES,
  withNvidiaEdits,
} from "./nvidia-edits.js";
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
