/**
 * The NVIDIA driver's files on this host, found without a CDI spec: the 64-bit user-space libraries
 * from `ldconfig -p`, the driver binaries, each GPU's device minor from /proc/driver/nvidia, and the MIG
 * capability minors from /proc/driver/nvidia-caps/mig-minors. Processes are spawned with an argv only.
 */
import { execFile } from "node:child_process";
import { access, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The driver's libraries a CUDA/NVML container needs (what nvidia-container-toolkit mounts for
 * compute,utility), as soname prefixes: `libcuda.so.1`, `libnvidia-gpucomp.so.590.48.01`, … match.
 */
export const NVIDIA_DRIVER_LIBRARIES = [
  "libcuda.so.",
  "libcudadebugger.so.",
  "libnvidia-ml.so.",
  "libnvidia-ptxjitcompiler.so.",
  "libnvidia-nvvm.so.",
  "libnvidia-gpucomp.so.",
  "libnvidia-cfg.so.",
  "libnvidia-allocator.so.",
  "libnvidia-opencl.so.",
  "libnvidia-pkcs11",
] as const;

/** Whether a soname is one of the driver libraries (never the unversioned `.so` development link). */
export function isNvidiaDriverLibrary(soname: string): boolean {
  return NVIDIA_DRIVER_LIBRARIES.some((prefix) => soname.startsWith(prefix)) && /\.so\.\d/.test(soname);
}

/** The driver's binaries mounted into GPU containers (utility capability). */
export const NVIDIA_DRIVER_BINARIES = [
  "nvidia-smi",
  "nvidia-debugdump",
  "nvidia-persistenced",
  "nvidia-cuda-mps-control",
  "nvidia-cuda-mps-server",
] as const;

export type ExecFileFn = (file: string, args: readonly string[]) => Promise<{ stdout: string }>;

export const defaultExecFile: ExecFileFn = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 10_000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout) => {
      if (error) {
        reject(error);
      } else {
        resolve({ stdout });
      }
    });
  });

/**
 * `ldconfig -p` → soname → path, 64-bit entries only (`(libc6,x86-64)`, `(libc6,AArch64)`, …); the first
 * entry of a name wins, as the loader picks it.
 */
export function parseLdconfigCache(stdout: string): Map<string, string> {
  const libraries = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const match = /^\s+(\S+) \(([^)]*)\)(?: OS ABI: [^=]*)? => (\/\S+)$/.exec(line);
    if (!match) {
      continue;
    }
    const [, name, flags, path] = match as unknown as [string, string, string, string];
    const is64 = /x86-64|AArch64|64bit|ppc64/i.test(flags);
    if (is64 && !libraries.has(name)) {
      libraries.set(name, path);
    }
  }
  return libraries;
}

/** `/proc/driver/nvidia/gpus/<bus>/information` text → its `Device Minor`, or undefined. */
export function parseGpuInformationMinor(text: string): number | undefined {
  const match = /^Device Minor:\s*(\d+)\s*$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** PCI bus ids as nvidia-smi prints them (`00000000:00:09.0`) and as /proc names them (`0000:00:09.0`) → one key. */
export function normalizeBusId(busId: string): string {
  const match = /^(?:[0-9a-fA-F]*?)([0-9a-fA-F]{1,4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/.exec(
    busId.trim(),
  );
  if (!match) {
    return busId.trim().toLowerCase();
  }
  const [, domain, bus, device, fn] = match as unknown as [string, string, string, string, string];
  return `${domain.padStart(4, "0")}:${bus}:${device}.${fn}`.toLowerCase();
}

/** `/proc/driver/nvidia-caps/mig-minors` → `gpu0/gi7/access` (and `config`, `monitor`) → minor. */
export function parseMigMinors(text: string): Map<string, number> {
  const minors = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\S+)\s+(\d+)\s*$/.exec(line);
    if (match) {
      minors.set(match[1] as string, Number(match[2]));
    }
  }
  return minors;
}

/** One MIG instance in nvidia-smi's default table ("MIG devices:" block): GPU index, GI, CI, `MIG Dev`. */
export interface MigInstanceIds {
  gpuIndex: number;
  gi: number;
  ci: number;
  migDevice: number;
}

/** Parses the "MIG devices:" block of plain `nvidia-smi` output (rows `|  0    2   0   0  | …`). */
export function parseMigDeviceTable(stdout: string): MigInstanceIds[] {
  const block = stdout.split("MIG devices:")[1]?.split("Processes:")[0] ?? "";
  const instances: MigInstanceIds[] = [];
  for (const line of block.split("\n")) {
    const match = /^\|\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\|/.exec(line);
    if (match) {
      instances.push({
        gpuIndex: Number(match[1]),
        gi: Number(match[2]),
        ci: Number(match[3]),
        migDevice: Number(match[4]),
      });
    }
  }
  return instances;
}

export interface NvidiaDriverFiles {
  /** soname → host path of the driver libraries found (subset of NVIDIA_DRIVER_LIBRARIES). */
  libraries: Map<string, string>;
  /** binary name → host path. */
  binaries: Map<string, string>;
  /** normalized PCI bus id → device minor (`/dev/nvidia<minor>`). */
  gpuMinors: Map<string, number>;
  /** mig-minors entries; empty when the host has no MIG support. */
  migMinors: Map<string, number>;
}

export interface FindNvidiaDriverFilesOptions {
  execFile?: ExecFileFn;
  /** Default `/proc`. */
  procRoot?: string;
  /** Folders searched for the binaries. Default `/usr/bin`, `/usr/local/bin`, `/bin`, `/usr/sbin`. */
  binDirs?: readonly string[];
  /** `ldconfig` to run. Default `/sbin/ldconfig`, then `ldconfig` from PATH. */
  ldconfig?: readonly string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Looks the driver's files up on this host. Never throws: what is not found is simply absent. */
export async function findNvidiaDriverFiles(
  options: FindNvidiaDriverFilesOptions = {},
): Promise<NvidiaDriverFiles> {
  const run = options.execFile ?? defaultExecFile;
  const procRoot = options.procRoot ?? "/proc";
  let cache = new Map<string, string>();
  for (const ldconfig of options.ldconfig ?? ["/sbin/ldconfig", "ldconfig"]) {
    try {
      cache = parseLdconfigCache((await run(ldconfig, ["-p"])).stdout);
      break;
    } catch {
      // try the next one
    }
  }
  const libraries = new Map<string, string>();
  for (const [name, path] of cache) {
    if (isNvidiaDriverLibrary(name)) {
      libraries.set(name, path);
    }
  }
  const binaries = new Map<string, string>();
  for (const name of NVIDIA_DRIVER_BINARIES) {
    for (const dir of options.binDirs ?? ["/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin"]) {
      const path = join(dir, name);
      if (await exists(path)) {
        binaries.set(name, path);
        break;
      }
    }
  }
  const gpuMinors = new Map<string, number>();
  const gpusDir = join(procRoot, "driver/nvidia/gpus");
  let buses: string[] = [];
  try {
    buses = await readdir(gpusDir);
  } catch {
    buses = [];
  }
  for (const bus of buses) {
    const text = await readOptional(join(gpusDir, bus, "information"));
    const minor = text === undefined ? undefined : parseGpuInformationMinor(text);
    if (minor !== undefined) {
      gpuMinors.set(normalizeBusId(bus), minor);
    }
  }
  const migText = await readOptional(join(procRoot, "driver/nvidia-caps/mig-minors"));
  return {
    libraries,
    binaries,
    gpuMinors,
    migMinors: migText === undefined ? new Map() : parseMigMinors(migText),
  };
}
