import { type AmdDiscoveryResult, type DiscoverAmdGpusOptions, discoverAmdGpus } from "./amd-discovery.js";
import type { Device } from "./device-types.js";
import {
  type GenericDeviceConfig,
  type GenericDeviceOptions,
  genericDevicesFromConfig,
} from "./generic-devices.js";
import {
  type DiscoverNvidiaGpusOptions,
  discoverNvidiaGpus,
  type NvidiaDiscoveryResult,
} from "./nvidia-discovery.js";
import type { NvidiaTopology } from "./nvidia-smi-topology.js";

export interface DiscoverDevicesOptions {
  /** NVIDIA discovery options, or `false` to skip it (GPUENABLED=0). Default: run with defaults. */
  nvidia?: DiscoverNvidiaGpusOptions | false;
  /** AMD discovery options, or `false` to skip it. Default: skipped. */
  amd?: DiscoverAmdGpusOptions | false;
  /** Generic devices (FPGAs, …) from config. */
  generic?: GenericDeviceConfig;
  genericOptions?: GenericDeviceOptions;
}

export interface DiscoveredDevices {
  /** Everything bookable, ready for `createDeviceBook({ devices, topology })`. */
  devices: Device[];
  topology?: NvidiaTopology;
  /** Each source's own result (log the failures once; they leave that source's capacity at zero). */
  nvidia?: NvidiaDiscoveryResult;
  amd?: AmdDiscoveryResult;
}

/**
 * Runs the enabled discoveries and merges their devices. Discovery failures never throw; a bad generic
 * config does (DeviceConfigError), since it is the operator's mistake.
 */
export async function discoverDevices(options: DiscoverDevicesOptions = {}): Promise<DiscoveredDevices> {
  const generic = genericDevicesFromConfig(options.generic ?? {}, options.genericOptions);
  const [nvidia, amd] = await Promise.all([
    options.nvidia === false ? undefined : discoverNvidiaGpus(options.nvidia ?? {}),
    options.amd === undefined || options.amd === false ? undefined : discoverAmdGpus(options.amd),
  ]);
  const result: DiscoveredDevices = {
    devices: [...(nvidia?.devices ?? []), ...(amd?.devices ?? []), ...generic],
  };
  if (nvidia !== undefined) {
    result.nvidia = nvidia;
    if (nvidia.ok && nvidia.topology !== undefined) {
      result.topology = nvidia.topology;
    }
  }
  if (amd !== undefined) {
    result.amd = amd;
  }
  return result;
}
