import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parseCdiSpec } from "./cdi-spec.js";
import type { Device } from "./device-types.js";
import { discoverNvidiaGpus } from "./nvidia-discovery.js";
import {
  findNvidiaDriverFiles,
  parseLdconfigCache,
  parseMigDeviceTable,
  parseMigMinors,
} from "./nvidia-driver-files.js";
import { withNvidiaEdits } from "./nvidia-edits.js";
import {
  createFakeNvidiaSmi,
  type FakeNvidiaSmi,
  fixture,
  withoutPowerDraw,
} from "./testing/fake-nvidia-smi.js";

const FIXTURES = fileURLToPath(new URL("../test/fixtures/", import.meta.url));
const text = (path: string) => readFileSync(join(FIXTURES, path), "utf8");
const ldconfig = (file: string) => async (_cmd: string, args: readonly string[]) => {
  expect(args).toEqual(["-p"]);
  return { stdout: text(`driver/${file}`) };
};

const fakes: FakeNvidiaSmi[] = [];
afterEach(() => {
  for (const fake of fakes.splice(0)) {
    fake.remove();
  }
});

async function discovered(queryGpu: string, list?: string): Promise<Device[]> {
  const smi = createFakeNvidiaSmi({
    queryGpu: { stdout: withoutPowerDraw(fixture(queryGpu)) },
    ...(list ? { list: { stdout: fixture(list) } } : {}),
  });
  fakes.push(smi);
  const result = await discoverNvidiaGpus({ env: { PATH: smi.dir } });
  if (!result.ok) {
    throw new Error(result.message);
  }
  return result.devices;
}

/** Every path the edits may name "exists", except those listed. */
const existsExcept =
  (...missing: string[]) =>
  async (path: string) =>
    !missing.includes(path);

describe("driver files without a spec", () => {
  it("ldconfig -p: the 64-bit driver libraries only, never the i386 copies or the .so dev links", async () => {
    const cache = parseLdconfigCache(text("driver/h100x1.ldconfig-p.txt"));
    expect(cache.get("libcuda.so.1")).toBe("/usr/lib/x86_64-linux-gnu/libcuda.so.1");
    expect(cache.get("libc.so.6")).toBe("/lib/x86_64-linux-gnu/libc.so.6");
    const files = await findNvidiaDriverFiles({
      execFile: ldconfig("h100x1.ldconfig-p.txt"),
      procRoot: join(FIXTURES, "proc/h100x1"),
      binDirs: [],
    });
    expect([...files.libraries.keys()].sort()).toEqual([
      "libcuda.so.1",
      "libcudadebugger.so.1",
      "libnvidia-allocator.so.1",
      "libnvidia-cfg.so.1",
      "libnvidia-gpucomp.so.590.48.01",
      "libnvidia-ml.so.1",
      "libnvidia-nvvm.so.4",
      "libnvidia-opencl.so.1",
      "libnvidia-pkcs11-openssl3.so.590.48.01",
      "libnvidia-ptxjitcompiler.so.1",
    ]);
    expect([...files.gpuMinors]).toEqual([["0000:00:09.0", 0]]);
    expect(files.migMinors.size).toBe(0);
  });

  it("MIG: mig-minors and the MIG devices table give each instance's caps", () => {
    const minors = parseMigMinors(text("proc/a100-mig/driver/nvidia-caps/mig-minors"));
    expect(minors.get("config")).toBe(1);
    expect(minors.get("gpu0/gi7/access")).toBe(66);
    expect(minors.get("gpu0/gi7/ci0/access")).toBe(67);
    expect(parseMigDeviceTable(text("driver/a100-mig.mig-devices.txt"))[0]).toEqual({
      gpuIndex: 0,
      gi: 7,
      ci: 0,
      migDevice: 0,
    });
    expect(parseMigDeviceTable(fixture("h100-mig.nvidia-smi.load.txt")).map((row) => row.gi)).toEqual([
      2, 3, 9, 10,
    ]);
  });
});

describe("withNvidiaEdits", () => {
  it("discovery, H100: its node, the control nodes, the driver files read-only, the capabilities", async () => {
    const devices = await discovered("h100x1.query-gpu.csv");
    const files = await findNvidiaDriverFiles({
      execFile: ldconfig("h100x1.ldconfig-p.txt"),
      procRoot: join(FIXTURES, "proc/h100x1"),
      binDirs: [],
    });
    files.binaries.set("nvidia-smi", "/usr/bin/nvidia-smi");
    const [gpu] = await withNvidiaEdits(
      devices,
      { kind: "discovery", files },
      { exists: existsExcept("/dev/nvidia-modeset") },
    );
    expect(gpu?.edits?.deviceNodes).toEqual([
      { path: "/dev/nvidia0" },
      { path: "/dev/nvidiactl" },
      { path: "/dev/nvidia-uvm" },
      { path: "/dev/nvidia-uvm-tools" },
    ]);
    expect(gpu?.edits?.mounts).toContainEqual({
      hostPath: "/usr/bin/nvidia-smi",
      containerPath: "/usr/bin/nvidia-smi",
      options: ["ro", "nosuid", "nodev", "bind"],
    });
    expect(gpu?.edits?.env).toEqual(["NVIDIA_DRIVER_CAPABILITIES=compute,utility"]);
  });

  it("discovery, A100 MIG: parent node + GI/CI caps of that instance only; devRoot maps host paths", async () => {
    const devices = await discovered("a100-mig.query-gpu.csv", "a100-mig.L.txt");
    expect(devices).toHaveLength(7);
    const files = await findNvidiaDriverFiles({
      execFile: ldconfig("a100-mig.ldconfig-p.txt"),
      procRoot: join(FIXTURES, "proc/a100-mig"),
      binDirs: [],
    });
    const withEdits = await withNvidiaEdits(
      devices,
      {
        kind: "discovery",
        files,
        migInstances: parseMigDeviceTable(text("driver/a100-mig.mig-devices.txt")),
        devRoot: "/host/dev",
      },
      { exists: existsExcept() },
    );
    expect(withEdits[1]?.id).toBe("MIG-a25704ba-3a06-5299-a795-fd7cf4d13973");
    expect(withEdits[1]?.edits?.deviceNodes.slice(0, 3)).toEqual([
      { path: "/dev/nvidia0", hostPath: "/host/dev/nvidia0" },
      { path: "/dev/nvidia-caps/nvidia-cap75", hostPath: "/host/dev/nvidia-caps/nvidia-cap75" },
      { path: "/dev/nvidia-caps/nvidia-cap76", hostPath: "/host/dev/nvidia-caps/nvidia-cap76" },
    ]);
  });

  it("CDI: finds the device by UUID or index name; MIG by <gpu>:<device>", async () => {
    const devices = await discovered("a100-mig.query-gpu.csv", "a100-mig.L.txt");
    const spec = parseCdiSpec(text("cdi/a100-mig.nvidia.json"), "/etc/cdi/nvidia.json");
    const byIndexOnly = {
      ...spec,
      devices: spec.devices.filter((device) => !device.name.startsWith("MIG-")),
    };
    const [first] = await withNvidiaEdits(
      devices,
      { kind: "cdi", specs: [byIndexOnly] },
      { exists: existsExcept() },
    );
    expect(first?.edits?.deviceNodes.map((node) => node.path)).toContain("/dev/nvidia-caps/nvidia-cap67");
    expect(first?.edits?.hooks).toHaveLength(2);
  });

  it("refuses: a spec node missing on the host, a device no spec names, no driver libraries", async () => {
    const devices = await discovered("h100x1.query-gpu.csv");
    const spec = parseCdiSpec(text("cdi/h100x1.nvidia.yaml"), "/etc/cdi/nvidia.yaml");
    await expect(
      withNvidiaEdits(devices, { kind: "cdi", specs: [spec] }, { exists: existsExcept("/dev/nvidia-uvm") }),
    ).rejects.toMatchObject({
      code: "ILD_DEVICE_FILE_MISSING",
      message:
        "device GPU-00000000-0000-0000-0000-000000000000: CDI spec /etc/cdi/nvidia.yaml (nvidia.com/gpu=GPU-00000000-0000-0000-0000-000000000000) names /dev/nvidia-uvm, which does not exist on this host",
    });
    const other = { ...spec, devices: spec.devices.filter((device) => device.name === "all") };
    await expect(withNvidiaEdits(devices, { kind: "cdi", specs: [other] })).rejects.toMatchObject({
      code: "ILD_DEVICE_EDITS_MISSING",
    });
    const none = await findNvidiaDriverFiles({ execFile: ldconfig("no-driver.ldconfig-p.txt"), binDirs: [] });
    await expect(withNvidiaEdits(devices, { kind: "discovery", files: none })).rejects.toMatchObject({
      code: "ILD_NVIDIA_DRIVER_MISSING",
    });
    const files = await findNvidiaDriverFiles({
      execFile: ldconfig("h100x1.ldconfig-p.txt"),
      procRoot: join(FIXTURES, "proc/h100x1"),
      binDirs: [],
    });
    await expect(
      withNvidiaEdits(devices, { kind: "discovery", files }, { exists: existsExcept("/dev/nvidiactl") }),
    ).rejects.toThrow("names /dev/nvidiactl, which does not exist");
  });
});
