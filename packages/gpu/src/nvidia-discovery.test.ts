import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { discoverNvidiaGpus, NVIDIA_SMI_ARGS } from "./nvidia-discovery.js";
import { classifyNvidiaSmiExit, runNvidiaSmi } from "./nvidia-smi-exec.js";
import {
  createFakeNvidiaSmi,
  type FakeNvidiaSmi,
  type FakeNvidiaSmiSpec,
  FIXTURE_DIR,
  fixture,
  withoutPowerDraw,
} from "./testing/fake-nvidia-smi.js";

const fakes: FakeNvidiaSmi[] = [];
afterEach(() => {
  for (const fake of fakes.splice(0)) {
    fake.remove();
  }
});

function fake(spec: FakeNvidiaSmiSpec): FakeNvidiaSmi {
  const created = createFakeNvidiaSmi(spec);
  fakes.push(created);
  return created;
}

/** PATH holds only the fake's folder: `nvidia-smi` is found by name, as in production. */
function onPath(smi: FakeNvidiaSmi): NodeJS.ProcessEnv {
  return { PATH: smi.dir };
}

const errors = JSON.parse(readFileSync(join(FIXTURE_DIR, "errors.json"), "utf8")) as Record<
  string,
  { exitCode: number | null }
>;

describe("discoverNvidiaGpus through a fake nvidia-smi on PATH", () => {
  it("h100x8: eight whole GPUs keyed by UUID, NUMA from topo -m, exact argument vectors", async () => {
    const smi = fake({
      queryGpu: { stdout: withoutPowerDraw(fixture("h100x8.query-gpu.csv")) },
      topo: { stdout: fixture("h100x8-baremetal.topo-m.txt") },
    });
    const result = await discoverNvidiaGpus({ env: onPath(smi) });
    if (!result.ok) {
      throw new Error(result.message);
    }
    expect(result.devices).toHaveLength(8);
    expect(result.devices[0]).toEqual({
      resource: "nvidia.com/gpu",
      vendor: "nvidia",
      id: "GPU-c7a0294c-c2c2-5476-438c-fb468eaa223b",
      paths: [],
      index: 0,
      pciBusId: "00000000:0D:00.0",
      numaNode: 0,
      name: "NVIDIA H100 80GB HBM3",
      memoryMiB: 81559,
    });
    expect(result.devices.map((device) => device.numaNode)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(result.driverVersion).toBe("550.144.03");
    expect(result.topology?.gpus).toHaveLength(8);
    expect(result.warnings).toEqual([]);
    // no -L (no MIG), no compute-apps (not asked)
    expect(smi.calls()).toEqual([
      [
        "--query-gpu=index,uuid,name,pci.bus_id,memory.total,memory.used,memory.free,utilization.gpu,temperature.gpu,driver_version,compute_mode,mig.mode.current",
        "--format=csv,noheader,nounits",
      ],
      ["topo", "-m"],
    ]);
  });

  it("h100x1 through nvidiaSmiPath: one GPU, no topo call for a single GPU, compute apps when asked", async () => {
    const smi = fake({
      queryGpu: { stdout: withoutPowerDraw(fixture("h100x1.query-gpu.csv")) },
      computeApps: { stdout: fixture("h100x1.query-compute-apps.csv") },
    });
    const result = await discoverNvidiaGpus({ nvidiaSmiPath: smi.path, env: {}, computeApps: true });
    expect(result.ok && result.devices.map((device) => device.id)).toEqual([
      "GPU-00000000-0000-0000-0000-000000000000",
    ]);
    expect(result.ok && result.computeApps).toEqual([]);
    expect(smi.calls().map((call) => call[0])).toEqual([
      NVIDIA_SMI_ARGS.queryGpu[0],
      "--query-compute-apps=pid,gpu_uuid,used_memory",
    ]);
  });

  it("a100-mig: the GPU in MIG mode is not a whole GPU; its seven instances are nvidia.com/mig-1g.10gb", async () => {
    const smi = fake({
      queryGpu: { stdout: withoutPowerDraw(fixture("a100-mig.query-gpu.csv")) },
      list: { stdout: fixture("a100-mig.L.txt") },
      computeApps: { stdout: fixture("a100-mig.query-compute-apps.csv") },
    });
    const result = await discoverNvidiaGpus({ env: onPath(smi), computeApps: true });
    if (!result.ok) {
      throw new Error(result.message);
    }
    expect(result.devices.filter((device) => device.resource === "nvidia.com/gpu")).toEqual([]);
    expect(result.devices).toHaveLength(7);
    expect(result.devices[0]).toMatchObject({
      resource: "nvidia.com/mig-1g.10gb",
      id: "MIG-feb88891-0321-5fef-9c87-d4af3b54259e",
      parentId: "GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16",
      migProfile: "1g.10gb",
    });
    expect(result.computeApps?.map((app) => app.gpuUuid)).toEqual([
      "GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16",
      "GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16",
    ]);
  });

  it("a100x4-partial-mig: MIG instances of GPU 0 plus three whole GPUs", async () => {
    const gpu0 = withoutPowerDraw(fixture("a100x4-partial-mig.gpu0.query-gpu.csv")).trim();
    const others = fixture("a100x4-partial-mig.L.txt")
      .split("\n")
      .filter((line) => /^GPU [123]:/.test(line))
      .map((line, i) => {
        const uuid = /UUID: (GPU-[^)]+)/.exec(line)?.[1] ?? "";
        return gpu0
          .replace("0, GPU-513536b6-7d19-9063-b049-1e69664bb298", `${i + 1}, ${uuid}`)
          .replace("Enabled", "Disabled");
      });
    const smi = fake({
      queryGpu: { stdout: `${[gpu0, ...others].join("\n")}\n` },
      list: { stdout: fixture("a100x4-partial-mig.L.txt") },
      topo: { stdout: "garbage" },
    });
    const result = await discoverNvidiaGpus({ env: onPath(smi) });
    if (!result.ok) {
      throw new Error(result.message);
    }
    expect(result.devices.map((device) => device.resource)).toEqual([
      ...Array(4).fill("nvidia.com/mig-1g.20gb"),
      "nvidia.com/gpu",
      "nvidia.com/gpu",
      "nvidia.com/gpu",
    ]);
    expect(result.warnings).toEqual(["nvidia-smi topo -m printed no matrix: no topology preference"]);
  });

  it("h100-mig: mixed profiles become one resource each", async () => {
    const smi = fake({
      queryGpu: { stdout: withoutPowerDraw(fixture("h100-mig.query-gpu.csv")) },
      list: { stdout: fixture("h100-mig.L.txt") },
    });
    const result = await discoverNvidiaGpus({ env: onPath(smi) });
    expect(result.ok && result.devices.map((device) => device.resource)).toEqual([
      "nvidia.com/mig-3g.40gb",
      "nvidia.com/mig-2g.20gb",
      "nvidia.com/mig-1g.10gb",
      "nvidia.com/mig-1g.10gb",
    ]);
  });

  it("a MIG GPU whose -L fails is not bookable, with a warning", async () => {
    const smi = fake({
      queryGpu: { stdout: withoutPowerDraw(fixture("h100-mig.query-gpu.csv")) },
      list: { stdout: fixture("nvml-unknown-error.stdout.txt"), exitCode: 255 },
    });
    const result = await discoverNvidiaGpus({ env: onPath(smi) });
    expect(result.ok && result.devices).toEqual([]);
    expect(result.ok && result.warnings.join("\n")).toContain("-L failed (command-failed)");
  });

  it("t4x2: PHB topology, NUMA 0", async () => {
    const smi = fake({
      queryGpu: { stdout: withoutPowerDraw(fixture("t4x2.query-gpu.csv")) },
      topo: { stdout: fixture("t4x2.topo-m.txt") },
    });
    const result = await discoverNvidiaGpus({ env: onPath(smi) });
    expect(result.ok && result.devices.map((device) => [device.index, device.numaNode])).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });

  it("a GPU in compute mode Prohibited is left out", async () => {
    const smi = fake({
      queryGpu: {
        stdout: withoutPowerDraw(fixture("t4x2.query-gpu.csv")).replace(
          /Default(?=, \[N\/A\]\n$)/,
          "Prohibited",
        ),
      },
      topo: { stdout: fixture("t4x2.topo-m.txt") },
    });
    const result = await discoverNvidiaGpus({ env: onPath(smi), topology: false });
    expect(result.ok && result.devices.map((device) => device.index)).toEqual([0]);
    expect(smi.calls()).toHaveLength(1);
  });

  describe("every error fixture is a typed failure with no devices", () => {
    it.each([
      ["no-driver.stdout.txt", "no-driver", false],
      ["no-devices.stdout.txt", "no-devices", false],
      ["version-mismatch.stdout.txt", "driver-library-mismatch", true],
      ["nvml-unknown-error.stdout.txt", "command-failed", false],
      ["no-supported-gpus.stdout.txt", "no-devices", false],
      ["invalid-field.stdout.txt", "command-failed", false],
    ] as const)("%s → %s", async (file, reason, transient) => {
      const exitCode = errors[file]?.exitCode ?? -1;
      const smi = fake({ queryGpu: { stdout: fixture(file), exitCode } });
      const result = await discoverNvidiaGpus({ env: onPath(smi) });
      expect(result).toMatchObject({ ok: false, reason, exitCode, transient, devices: [] });
      expect(result.ok ? "" : result.message).toContain(`exit ${exitCode}`);
      expect(result.ok ? "" : result.output).toBe(fixture(file).trim());
    });
  });

  it("not installed (ENOENT, errors.json 'not-installed')", async () => {
    expect(errors["not-installed"]?.exitCode).toBeNull();
    const smi = fake({});
    const result = await discoverNvidiaGpus({ env: { PATH: join(smi.dir, "empty") } });
    expect(result).toMatchObject({ ok: false, reason: "not-installed", devices: [] });
    const byPath = await discoverNvidiaGpus({ nvidiaSmiPath: join(smi.dir, "missing-nvidia-smi") });
    expect(byPath).toMatchObject({ ok: false, reason: "not-installed" });
  });

  it("not executable → permission-denied", async () => {
    const smi = fake({ queryGpu: { stdout: "" } });
    chmodSync(smi.path, 0o644);
    expect(await discoverNvidiaGpus({ nvidiaSmiPath: smi.path })).toMatchObject({
      ok: false,
      reason: "permission-denied",
    });
  });

  it("a hanging nvidia-smi hits the deadline → timeout (transient)", async () => {
    const smi = fake({ queryGpu: { hang: true } });
    const result = await discoverNvidiaGpus({ env: onPath(smi), timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, reason: "timeout", transient: true, devices: [] });
  });

  it("the deadline covers the whole discovery: a hanging topo -m is a timeout too", async () => {
    const smi = fake({
      queryGpu: { stdout: withoutPowerDraw(fixture("t4x2.query-gpu.csv")) },
      topo: { hang: true },
    });
    const result = await discoverNvidiaGpus({ env: onPath(smi), timeoutMs: 500 });
    expect(result).toMatchObject({ ok: false, reason: "timeout" });
  });

  it("the caller's signal → aborted, also when already aborted", async () => {
    const smi = fake({ queryGpu: { hang: true } });
    const controller = new AbortController();
    const pending = discoverNvidiaGpus({ env: onPath(smi), signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toMatchObject({ ok: false, reason: "aborted", transient: false });
    expect(await discoverNvidiaGpus({ env: onPath(smi), signal: AbortSignal.abort() })).toMatchObject({
      reason: "aborted",
    });
  });

  it.each([
    ["random text", "hello world\nthis is not csv\n"],
    ["the default table", fixture("h100x1.nvidia-smi.idle.txt")],
    ["the default MIG table", fixture("h100-mig.nvidia-smi.load.txt")],
    ["XML", fixture("t4x1.q.xml")],
    ["the version banner", fixture("h100x1.version.txt")],
    ["13-field rows for a 12-field query", fixture("h100x8.query-gpu.csv")],
  ])("garbage on exit 0 (%s) → garbage-output", async (_what, stdout) => {
    const smi = fake({ queryGpu: { stdout } });
    expect(await discoverNvidiaGpus({ env: onPath(smi) })).toMatchObject({
      ok: false,
      reason: "garbage-output",
      devices: [],
    });
  });

  it("empty answer on exit 0 → no-devices", async () => {
    const smi = fake({ queryGpu: { stdout: "" } });
    expect(await discoverNvidiaGpus({ env: onPath(smi) })).toMatchObject({ ok: false, reason: "no-devices" });
  });

  it("exit 14 (infoROM warning) with data is still a success, with a warning", async () => {
    const smi = fake({
      queryGpu: {
        stdout: `WARNING: infoROM is corrupted at gpu 0000:0B:00.0\n${withoutPowerDraw(fixture("h100x1.query-gpu.csv"))}`,
        exitCode: 14,
      },
    });
    const result = await discoverNvidiaGpus({ env: onPath(smi) });
    expect(result.ok && result.devices).toHaveLength(1);
    expect(result.ok && result.warnings).toEqual([
      "nvidia-smi --query-gpu exited 14 but printed data",
      "--query-gpu line 1 ignored: expected 12 fields, got 1",
    ]);
  });

  it.each([
    [15, "gpu-lost"],
    [4, "permission-denied"],
    [12, "no-driver"],
    [3, "command-failed"],
  ] as const)("exit %i → %s", async (exitCode, reason) => {
    const smi = fake({ queryGpu: { stdout: "Unable to determine the device handle\n", exitCode } });
    expect(await discoverNvidiaGpus({ env: onPath(smi) })).toMatchObject({ ok: false, reason, exitCode });
  });

  it("enabled: false runs nothing → disabled", async () => {
    const smi = fake({ queryGpu: { stdout: withoutPowerDraw(fixture("h100x1.query-gpu.csv")) } });
    expect(await discoverNvidiaGpus({ env: onPath(smi), enabled: false })).toMatchObject({
      ok: false,
      reason: "disabled",
      devices: [],
    });
    expect(smi.calls()).toEqual([]);
  });

  it("an argument that looks like a shell command is passed verbatim, never interpreted", async () => {
    const smi = fake({});
    const marker = join(smi.dir, "pwned");
    const result = await runNvidiaSmi([`-L; touch ${marker}`, `$(touch ${marker})`], {
      nvidiaSmiPath: smi.path,
    });
    expect(result).toMatchObject({ ok: false, exitCode: 2 });
    expect(smi.calls()).toEqual([[`-L; touch ${marker}`, `$(touch ${marker})`]]);
    expect(() => readFileSync(marker)).toThrow(/ENOENT/);
  });
});

describe("classifyNvidiaSmiExit", () => {
  it("falls back on the text when the exit code is unusual", () => {
    expect(classifyNvidiaSmiExit(255, fixture("no-driver.stdout.txt")).reason).toBe("no-driver");
    expect(classifyNvidiaSmiExit(255, fixture("version-mismatch.stdout.txt")).reason).toBe(
      "driver-library-mismatch",
    );
    expect(classifyNvidiaSmiExit(1, "", "No devices were found").reason).toBe("no-devices");
  });
});
