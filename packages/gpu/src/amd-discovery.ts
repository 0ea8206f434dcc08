import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Logger } from "@ild/common";
import { noopLogger } from "@ild/common";
import type { Device } from "./device-types.js";

export const AMD_GPU_RESOURCE = "amd.com/gpu";
const AMD_PCI_VENDOR = "0x1002";

export interface DiscoverAmdGpusOptions {
  /** Root under which `/dev` and `/sys` are read (tests point it at a fake tree). Default `/`. */
  sysRoot?: string;
  logger?: Logger;
}

export type AmdDiscoveryFailureReason = "disabled" | "no-kfd" | "no-devices" | "unreadable";

export type AmdDiscoveryResult =
  | { ok: true; devices: Device[]; warnings: string[] }
  | { ok: false; reason: AmdDiscoveryFailureReason; message: string; devices: Device[] };

async function readTrimmed(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    return undefined;
  }
}

async function gidOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).gid;
  } catch {
    return undefined;
  }
}

/**
 * Discovers AMD GPUs: `/dev/kfd` (the compute interface shared by all GPUs) plus one render node
 * `/dev/dri/renderD<n>` per GPU whose sysfs PCI vendor is 0x1002. Each device carries the host paths to
 * pass through and the numeric group ids owning them. Never throws.
 */
export async function discoverAmdGpus(
  options: DiscoverAmdGpusOptions & { enabled?: boolean } = {},
): Promise<AmdDiscoveryResult> {
  const logger = options.logger ?? noopLogger;
  if (options.enabled === false) {
    return { ok: false, reason: "disabled", message: "AMD GPU discovery is disabled", devices: [] };
  }
  const root = options.sysRoot ?? "/";
  const kfd = join(root, "dev/kfd");
  const kfdGid = await gidOf(kfd);
  if (kfdGid === undefined) {
    return {
      ok: false,
      reason: "no-kfd",
      message: `${kfd} does not exist: no AMD compute driver`,
      devices: [],
    };
  }
  let names: string[];
  try {
    names = (await readdir(join(root, "dev/dri"))).filter((name) => /^renderD\d+$/.test(name));
  } catch (error) {
    return {
      ok: false,
      reason: "unreadable",
      message: `cannot list ${join(root, "dev/dri")}: ${String(error)}`,
      devices: [],
    };
  }
  names.sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)));
  const warnings: string[] = [];
  const devices: Device[] = [];
  for (const name of names) {
    const sysDevice = join(root, "sys/class/drm", name, "device");
    const vendor = (await readTrimmed(join(sysDevice, "vendor")))?.toLowerCase();
    if (vendor === undefined) {
      warnings.push(`${name}: no sysfs vendor file, skipped`);
      continue;
    }
    if (vendor !== AMD_PCI_VENDOR) {
      continue;
    }
    let pciBusId: string | undefined;
    try {
      const resolved = basename(await realpath(sysDevice));
      if (/^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i.test(resolved)) {
        pciBusId = resolved;
      }
    } catch {
      // no PCI address: the render node path is the id
    }
    const numa = Number(await readTrimmed(join(sysDevice, "numa_node")));
    const productName = await readTrimmed(join(sysDevice, "product_name"));
    const renderPath = `/dev/dri/${name}`;
    const renderGid = await gidOf(join(root, "dev/dri", name));
    const groupIds = [...new Set([kfdGid, renderGid].filter((g): g is number => g !== undefined && g !== 0))];
    devices.push({
      resource: AMD_GPU_RESOURCE,
      vendor: "amd",
      id: pciBusId ?? renderPath,
      paths: ["/dev/kfd", renderPath],
      index: devices.length,
      ...(pciBusId === undefined ? {} : { pciBusId }),
      ...(Number.isInteger(numa) && numa >= 0 ? { numaNode: numa } : {}),
      ...(productName ? { name: productName } : {}),
      ...(groupIds.length > 0 ? { groupIds } : {}),
    });
  }
  if (devices.length === 0) {
    return {
      ok: false,
      reason: "no-devices",
      message: "no AMD render node found under /dev/dri",
      devices: [],
    };
  }
  logger.debug({ devices: devices.length }, "AMD GPU discovery done");
  return { ok: true, devices, warnings };
}
