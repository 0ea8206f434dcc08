import { afterEach, describe, expect, it } from "vitest";
import { createDeviceBook } from "./device-book.js";
import { discoverDevices } from "./discover-devices.js";
import { DeviceConfigError } from "./errors.js";
import {
  createFakeNvidiaSmi,
  type FakeNvidiaSmi,
  fixture,
  withoutPowerDraw,
} from "./testing/fake-nvidia-smi.js";

let smi: FakeNvidiaSmi | undefined;
afterEach(() => smi?.remove());

describe("discoverDevices", () => {
  it("merges NVIDIA GPUs (with topology), AMD results and generic devices into one bookable list", async () => {
    smi = createFakeNvidiaSmi({
      queryGpu: { stdout: withoutPowerDraw(fixture("t4x2.query-gpu.csv")) },
      topo: { stdout: fixture("t4x2.topo-m.txt") },
    });
    const found = await discoverDevices({
      nvidia: { env: { PATH: smi.dir } },
      amd: { sysRoot: smi.dir },
      generic: { "xilinx.com/fpga": ["/dev/dri/renderD128"] },
    });
    expect(found.devices.map((device) => device.resource)).toEqual([
      "nvidia.com/gpu",
      "nvidia.com/gpu",
      "xilinx.com/fpga",
    ]);
    expect(found.topology?.gpus).toHaveLength(2);
    expect(found.nvidia?.ok).toBe(true);
    expect(found.amd).toMatchObject({ ok: false, reason: "no-kfd" });
    expect(createDeviceBook(found).capacity()).toEqual([
      { resource: "nvidia.com/gpu", total: 2, free: 2 },
      { resource: "xilinx.com/fpga", total: 1, free: 1 },
    ]);
  });

  it("nvidia: false runs nothing; a failed discovery contributes no devices", async () => {
    smi = createFakeNvidiaSmi({ queryGpu: { stdout: fixture("no-driver.stdout.txt"), exitCode: 9 } });
    expect(await discoverDevices({ nvidia: false })).toEqual({ devices: [] });
    expect(smi.calls()).toEqual([]);
    const failed = await discoverDevices({ nvidia: { env: { PATH: smi.dir } } });
    expect(failed.devices).toEqual([]);
    expect(failed.nvidia).toMatchObject({ ok: false, reason: "no-driver" });
  });

  it("a bad generic config throws DeviceConfigError", async () => {
    await expect(discoverDevices({ nvidia: false, generic: { fpga: ["/dev/x"] } })).rejects.toBeInstanceOf(
      DeviceConfigError,
    );
  });
});
