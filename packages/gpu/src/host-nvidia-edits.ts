/**
 * Start-up step: gives the discovered NVIDIA devices their container edits from this host — the CDI
 * spec when one exists (`/etc/cdi`, `/var/run/cdi`), else discovery (ldconfig, /proc, nvidia-smi's
 * MIG table). A failure is returned (and logged by the caller), never thrown: the devices then keep no
 * edits and render as DeviceRequests, which only a host engine with the NVIDIA runtime can serve.
 */
import { IldError } from "@ild/common";
import { CDI_SPEC_DIRS, readCdiSpecs } from "./cdi-spec.js";
import type { Device } from "./device-types.js";
import {
  type FindNvidiaDriverFilesOptions,
  findNvidiaDriverFiles,
  parseMigDeviceTable,
} from "./nvidia-driver-files.js";
import { type NvidiaEditsOptions, withNvidiaEdits } from "./nvidia-edits.js";
import { type RunNvidiaSmiOptions, runNvidiaSmi } from "./nvidia-smi-exec.js";

export interface HostNvidiaEditsOptions extends NvidiaEditsOptions {
  cdiDirs?: readonly string[];
  driverFiles?: FindNvidiaDriverFilesOptions;
  nvidiaSmi?: RunNvidiaSmiOptions;
  /** Host folder of the device nodes (tests); default `/dev`. */
  devRoot?: string;
}

export type HostNvidiaEditsResult =
  | { ok: true; source: "cdi" | "discovery" | "none"; devices: Device[]; detail: string }
  | { ok: false; devices: Device[]; code: string; message: string };

export async function hostNvidiaEdits(
  devices: readonly Device[],
  options: HostNvidiaEditsOptions = {},
): Promise<HostNvidiaEditsResult> {
  if (!devices.some((device) => device.vendor === "nvidia")) {
    return { ok: true, source: "none", devices: [...devices], detail: "no NVIDIA device" };
  }
  try {
    const specs = await readCdiSpecs({ dirs: options.cdiDirs ?? CDI_SPEC_DIRS });
    if (specs.length > 0) {
      return {
        ok: true,
        source: "cdi",
        devices: await withNvidiaEdits(devices, { kind: "cdi", specs }, options),
        detail: specs.map((spec) => spec.file).join(", "),
      };
    }
    const files = await findNvidiaDriverFiles(options.driverFiles);
    const needsMig = devices.some((device) => device.vendor === "nvidia" && device.parentId !== undefined);
    let migInstances: ReturnType<typeof parseMigDeviceTable> = [];
    if (needsMig) {
      const table = await runNvidiaSmi([], options.nvidiaSmi);
      migInstances = table.ok ? parseMigDeviceTable(table.stdout) : [];
    }
    return {
      ok: true,
      source: "discovery",
      devices: await withNvidiaEdits(
        devices,
        { kind: "discovery", files, migInstances, ...(options.devRoot ? { devRoot: options.devRoot } : {}) },
        options,
      ),
      detail: `${files.libraries.size} driver libraries, ${files.binaries.size} binaries`,
    };
  } catch (error) {
    if (IldError.isInstance(error)) {
      return { ok: false, devices: [...devices], code: error.code, message: error.message };
    }
    throw error;
  }
}
