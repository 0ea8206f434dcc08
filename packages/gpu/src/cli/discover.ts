#!/usr/bin/env node
/**
 * `ild-gpu-discover`: runs discovery on this machine and prints one JSON document. Used by
 * scripts/gpu-device-check.sh on real GPU machines. Options (argument vector only):
 *   --nvidia-smi <path>   executable to run (default: nvidia-smi on PATH)
 *   --timeout-ms <n>      deadline for the whole NVIDIA discovery (default 10000)
 *   --compute-apps        also query the processes on the GPUs
 *   --allocate <n>        book n nvidia.com/gpu in a throw-away book and print the Docker rendering
 *   --sys-root <dir>      root for the AMD /dev + /sys scan (default /)
 */
import { discoverAmdGpus } from "../amd-discovery.js";
import { createDeviceBook } from "../device-book.js";
import { toDockerDeviceOptions } from "../docker-rendering.js";
import { type DiscoverNvidiaGpusOptions, discoverNvidiaGpus } from "../nvidia-discovery.js";
import { toPingAccelerators } from "../ping-capacity.js";

function usage(message: string): never {
  console.error(`ild-gpu-discover: ${message}`);
  console.error(
    "usage: ild-gpu-discover [--nvidia-smi PATH] [--timeout-ms N] [--compute-apps] [--allocate N] [--sys-root DIR]",
  );
  process.exit(2);
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0) {
    usage(`${flag} needs a whole number`);
  }
  return n;
}

async function main(argv: string[]): Promise<number> {
  const nvidia: DiscoverNvidiaGpusOptions = {};
  let allocate = 0;
  let sysRoot = "/";
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case "--nvidia-smi":
        nvidia.nvidiaSmiPath = argv[++i] ?? usage("--nvidia-smi needs a path");
        break;
      case "--timeout-ms":
        nvidia.timeoutMs = positiveInt(flag, argv[++i]);
        break;
      case "--compute-apps":
        nvidia.computeApps = true;
        break;
      case "--allocate":
        allocate = positiveInt(flag, argv[++i]);
        break;
      case "--sys-root":
        sysRoot = argv[++i] ?? usage("--sys-root needs a directory");
        break;
      default:
        usage(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  const nvidiaResult = await discoverNvidiaGpus(nvidia);
  const amdResult = await discoverAmdGpus({ sysRoot });
  const devices = [...nvidiaResult.devices, ...amdResult.devices];
  const book = createDeviceBook({
    devices,
    ...(nvidiaResult.ok && nvidiaResult.topology ? { topology: nvidiaResult.topology } : {}),
  });
  const output: Record<string, unknown> = {
    nvidia: nvidiaResult,
    amd: amdResult,
    capacity: book.capacity(),
    accelerators: toPingAccelerators(book.capacity(), ["nvidia.com/gpu"]),
  };
  if (allocate > 0) {
    try {
      const allocation = book.allocate("gpu-device-check", [
        { container: "check", requests: { "nvidia.com/gpu": allocate } },
      ]);
      output.allocation = allocation;
      output.docker = toDockerDeviceOptions(allocation.containers.check ?? []);
    } catch (error) {
      output.allocationError =
        error instanceof Error ? { name: error.name, message: error.message } : String(error);
    }
  }
  console.log(JSON.stringify(output, null, 2));
  return nvidiaResult.ok || amdResult.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 3;
  },
);
