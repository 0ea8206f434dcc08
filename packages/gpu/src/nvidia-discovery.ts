import type { Logger } from "@ild/common";
import { noopLogger } from "@ild/common";
import type { Device } from "./device-types.js";
import {
  NVIDIA_QUERY_COMPUTE_APPS_FIELDS,
  NVIDIA_QUERY_GPU_FIELDS,
  type NvidiaComputeApp,
  type NvidiaGpuInfo,
  parseComputeAppsCsv,
  parseQueryGpuCsv,
} from "./nvidia-smi-csv.js";
import {
  type NvidiaSmiFailure,
  nvidiaSmiFailure,
  type RunNvidiaSmiOptions,
  runNvidiaSmi,
} from "./nvidia-smi-exec.js";
import { type NvidiaMigDeviceInfo, parseNvidiaSmiList } from "./nvidia-smi-list.js";
import { type NvidiaTopology, parseNvidiaSmiTopology } from "./nvidia-smi-topology.js";

/** The argument vectors discovery runs, exported so scripts and tests ask the same questions. */
export const NVIDIA_SMI_ARGS = {
  queryGpu: [`--query-gpu=${NVIDIA_QUERY_GPU_FIELDS.join(",")}`, "--format=csv,noheader,nounits"],
  list: ["-L"],
  topology: ["topo", "-m"],
  computeApps: [
    `--query-compute-apps=${NVIDIA_QUERY_COMPUTE_APPS_FIELDS.join(",")}`,
    "--format=csv,noheader,nounits",
  ],
} as const;

export const NVIDIA_GPU_RESOURCE = "nvidia.com/gpu";

export interface DiscoverNvidiaGpusOptions {
  /** The caller's switch (GPUENABLED=0 → false): nothing is run, the result is `disabled`. Default true. */
  enabled?: boolean;
  /** Executable name (looked up on `env.PATH`) or path. Default `nvidia-smi`. */
  nvidiaSmiPath?: string;
  /** One deadline for the whole discovery (every nvidia-smi call together). Default 10 000 ms. */
  timeoutMs?: number;
  /** Environment of the child process; its PATH is used to find `nvidia-smi`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Run `nvidia-smi topo -m` when there are two or more whole GPUs. Default true. */
  topology?: boolean;
  /** Also run `--query-compute-apps` (processes already on the GPUs). Default false. */
  computeApps?: boolean;
  logger?: Logger;
}

export interface NvidiaDiscoverySuccess {
  ok: true;
  /** Bookable devices: whole GPUs not in MIG mode, and MIG instances (`nvidia.com/mig-<profile>`). */
  devices: Device[];
  /** Every physical GPU as `--query-gpu` reported it. */
  gpus: NvidiaGpuInfo[];
  migDevices: NvidiaMigDeviceInfo[];
  driverVersion: string | null;
  topology?: NvidiaTopology;
  computeApps?: NvidiaComputeApp[];
  /** Things that did not stop discovery (rejected lines, MIG GPU without instances, topo failed, …). */
  warnings: string[];
}

export interface NvidiaDiscoveryFailure extends NvidiaSmiFailure {
  /** Always empty: a failed discovery contributes no capacity. */
  devices: Device[];
}

export type NvidiaDiscoveryResult = NvidiaDiscoverySuccess | NvidiaDiscoveryFailure;

/** `1g.10gb+me` → `nvidia.com/mig-1g.10gb.me` (resource names allow no `+`). */
export function migResourceName(profile: string): string {
  return `nvidia.com/mig-${profile.replace(/\+/g, ".")}`;
}

function fail(failure: NvidiaSmiFailure): NvidiaDiscoveryFailure {
  return { ...failure, devices: [] };
}

/**
 * Discovers NVIDIA GPUs and MIG instances by running nvidia-smi (argument vectors, no shell). Never
 * throws: every failure is a typed `{ ok: false, reason }` with no devices.
 */
export async function discoverNvidiaGpus(
  options: DiscoverNvidiaGpusOptions = {},
): Promise<NvidiaDiscoveryResult> {
  const logger = options.logger ?? noopLogger;
  if (options.enabled === false) {
    return fail(nvidiaSmiFailure("disabled", "GPU discovery is disabled"));
  }
  const deadline = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const run: RunNvidiaSmiOptions = { deadline };
  if (options.nvidiaSmiPath !== undefined) {
    run.nvidiaSmiPath = options.nvidiaSmiPath;
  }
  if (options.env !== undefined) {
    run.env = options.env;
  }
  if (options.signal !== undefined) {
    run.signal = options.signal;
  }

  const query = await runNvidiaSmi(NVIDIA_SMI_ARGS.queryGpu, run);
  if (!query.ok) {
    logger.debug({ reason: query.reason, exitCode: query.exitCode }, "nvidia-smi --query-gpu failed");
    return fail(query);
  }
  const warnings: string[] = [];
  if (query.exitCode !== 0) {
    warnings.push(`nvidia-smi --query-gpu exited ${query.exitCode} but printed data`);
  }
  const parsed = parseQueryGpuCsv(query.stdout);
  for (const rejected of parsed.rejected) {
    warnings.push(`--query-gpu line ${rejected.line} ignored: ${rejected.reason}`);
  }
  if (parsed.rows.length === 0) {
    if (query.stdout.trim() === "") {
      return fail(nvidiaSmiFailure("no-devices", "nvidia-smi --query-gpu printed no GPUs"));
    }
    return fail(
      nvidiaSmiFailure("garbage-output", "nvidia-smi --query-gpu printed no parsable GPU row", {
        output: query.stdout,
      }),
    );
  }
  const gpus = parsed.rows;

  let migDevices: NvidiaMigDeviceInfo[] = [];
  const listedMig = new Map<string, NvidiaMigDeviceInfo[]>();
  if (gpus.some((gpu) => gpu.migEnabled === true)) {
    const list = await runNvidiaSmi(NVIDIA_SMI_ARGS.list, run);
    if (list.ok) {
      const listed = parseNvidiaSmiList(list.stdout);
      for (const gpu of listed.gpus) {
        listedMig.set(gpu.uuid, gpu.migDevices);
        migDevices.push(...gpu.migDevices);
      }
      for (const rejected of listed.rejected) {
        warnings.push(`-L line ${rejected.line} ignored`);
      }
    } else if (list.reason === "timeout" || list.reason === "aborted") {
      return fail(list);
    } else {
      warnings.push(`nvidia-smi -L failed (${list.reason}): MIG instances are not bookable`);
    }
  }
  migDevices = migDevices.filter((mig) => gpus.some((gpu) => gpu.uuid === mig.parentUuid));

  const wholeGpus = gpus.filter((gpu) => {
    if (gpu.migEnabled === true || (listedMig.get(gpu.uuid)?.length ?? 0) > 0) {
      if ((listedMig.get(gpu.uuid)?.length ?? 0) === 0) {
        warnings.push(`GPU ${gpu.index} (${gpu.uuid}) is in MIG mode without MIG instances: not bookable`);
      }
      return false;
    }
    if (gpu.computeMode === "Prohibited") {
      warnings.push(`GPU ${gpu.index} (${gpu.uuid}) has compute mode Prohibited: not bookable`);
      return false;
    }
    return true;
  });

  let topology: NvidiaTopology | undefined;
  if (options.topology !== false && wholeGpus.length >= 2) {
    const topo = await runNvidiaSmi(NVIDIA_SMI_ARGS.topology, run);
    if (topo.ok) {
      topology = parseNvidiaSmiTopology(topo.stdout) ?? undefined;
      if (topology === undefined) {
        warnings.push("nvidia-smi topo -m printed no matrix: no topology preference");
      }
    } else if (topo.reason === "timeout" || topo.reason === "aborted") {
      return fail(topo);
    } else {
      warnings.push(`nvidia-smi topo -m failed (${topo.reason}): no topology preference`);
    }
  }

  let computeApps: NvidiaComputeApp[] | undefined;
  if (options.computeApps === true) {
    const apps = await runNvidiaSmi(NVIDIA_SMI_ARGS.computeApps, run);
    if (apps.ok) {
      const parsedApps = parseComputeAppsCsv(apps.stdout);
      computeApps = parsedApps.rows;
      for (const rejected of parsedApps.rejected) {
        warnings.push(`--query-compute-apps line ${rejected.line} ignored: ${rejected.reason}`);
      }
    } else if (apps.reason === "timeout" || apps.reason === "aborted") {
      return fail(apps);
    } else {
      warnings.push(`nvidia-smi --query-compute-apps failed (${apps.reason})`);
    }
  }

  const numaOf = (index: number): number | undefined =>
    topology?.gpus.find((g) => g.index === index)?.numaNode ?? undefined;
  const devices: Device[] = [];
  for (const gpu of gpus) {
    const numaNode = numaOf(gpu.index);
    const base = {
      vendor: "nvidia" as const,
      paths: [],
      index: gpu.index,
      ...(gpu.pciBusId === null ? {} : { pciBusId: gpu.pciBusId }),
      ...(numaNode === undefined ? {} : { numaNode }),
    };
    if (wholeGpus.includes(gpu)) {
      devices.push({
        ...base,
        resource: NVIDIA_GPU_RESOURCE,
        id: gpu.uuid,
        ...(gpu.name === null ? {} : { name: gpu.name }),
        ...(gpu.memoryTotalMiB === null ? {} : { memoryMiB: gpu.memoryTotalMiB }),
      });
      continue;
    }
    if (gpu.computeMode === "Prohibited") {
      continue;
    }
    for (const mig of listedMig.get(gpu.uuid) ?? []) {
      devices.push({
        ...base,
        resource: migResourceName(mig.profile),
        id: mig.uuid,
        name: `${gpu.name ?? "GPU"} MIG ${mig.profile}`,
        parentId: gpu.uuid,
        migProfile: mig.profile,
        migDeviceIndex: mig.deviceIndex,
      });
    }
  }

  const result: NvidiaDiscoverySuccess = {
    ok: true,
    devices,
    gpus,
    migDevices,
    driverVersion: gpus.find((gpu) => gpu.driverVersion !== null)?.driverVersion ?? null,
    warnings,
  };
  if (topology !== undefined) {
    result.topology = topology;
  }
  if (computeApps !== undefined) {
    result.computeApps = computeApps;
  }
  logger.debug({ devices: devices.length, warnings: warnings.length }, "nvidia-smi discovery done");
  return result;
}
