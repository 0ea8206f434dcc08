import { afterEach, describe, expect, it } from "vitest";
import { createDeviceBook } from "./device-book.js";
import { toDockerDeviceRequests } from "./docker-rendering.js";
import { discoverNvidiaGpus } from "./nvidia-discovery.js";
import { parseComputeAppsCsv, parseNvidiaSmiCsvWithHeader, parseQueryGpuCsv } from "./nvidia-smi-csv.js";
import { parseNvidiaSmiList } from "./nvidia-smi-list.js";
import { parseNvidiaSmiTopology } from "./nvidia-smi-topology.js";
import { createFakeNvidiaSmi, type FakeNvidiaSmi, fixture } from "./testing/fake-nvidia-smi.js";

/** Real output of discovery's exact queries on one H100 (driver 580.159.04), captured 2026-11-23. */
const real = (name: string) => fixture(`real-h100-2026-11-23/${name}`);
const UUID = "GPU-1d70f75a-727a-5dca-d9c2-6aa27311e525";

let smi: FakeNvidiaSmi | undefined;
afterEach(() => smi?.remove());

describe("real H100 capture", () => {
  it("every capture parses and agrees on the GPU", () => {
    const { rows, rejected } = parseQueryGpuCsv(real("query-gpu.csv"));
    expect(rejected).toEqual([]);
    expect(rows).toEqual([
      expect.objectContaining({
        index: 0,
        uuid: UUID,
        name: "NVIDIA H100 80GB HBM3",
        pciBusId: "00000000:00:06.0",
        memoryTotalMiB: 81559,
        driverVersion: "580.159.04",
        migEnabled: false,
      }),
    ]);
    const header = parseNvidiaSmiCsvWithHeader(real("query-gpu-header.csv")).rows[0];
    expect(header).toMatchObject({ uuid: UUID, "memory.total": "81559 MiB", "mig.mode.current": "Disabled" });
    expect(parseNvidiaSmiList(real("list.txt")).gpus.map((gpu) => gpu.uuid)).toEqual([UUID]);
    expect(parseNvidiaSmiTopology(real("topo.txt"))?.gpus).toEqual([
      { index: 0, links: {}, cpuAffinity: "0-15", numaNode: 0, gpuNumaId: null },
    ]);
    expect(parseComputeAppsCsv(real("compute-apps.csv")).rows).toEqual([]);
    // the capture machine had no node and no CDI specs: recorded, not guessed
    expect(real("device-env.txt")).toContain("/dev/nvidiactl");
  });

  it("replayed through a fake nvidia-smi: discovery, booking and the DeviceRequest for that GPU", async () => {
    smi = createFakeNvidiaSmi({
      queryGpu: { stdout: real("query-gpu.csv") },
      list: { stdout: real("list.txt") },
      topo: { stdout: real("topo.txt") },
      computeApps: { stdout: real("compute-apps.csv") },
    });
    const result = await discoverNvidiaGpus({ env: { PATH: smi.dir }, computeApps: true });
    if (!result.ok) {
      throw new Error(result.message);
    }
    expect(result.driverVersion).toBe("580.159.04");
    const book = createDeviceBook({ devices: result.devices });
    const allocation = book.allocate("pod", [{ container: "cuda", requests: { "nvidia.com/gpu": 1 } }]);
    expect(toDockerDeviceRequests(allocation.containers.cuda ?? [])).toEqual([
      { Driver: "nvidia", DeviceIDs: [UUID], Capabilities: [["gpu"]] },
    ]);
    expect(book.capacity()).toEqual([{ resource: "nvidia.com/gpu", total: 1, free: 0 }]);
  });

  it("the real default table is not CSV → garbage-output", async () => {
    smi = createFakeNvidiaSmi({ queryGpu: { stdout: real("nvidia-smi.txt") } });
    expect(await discoverNvidiaGpus({ env: { PATH: smi.dir } })).toMatchObject({
      ok: false,
      reason: "garbage-output",
    });
  });
});

describe("real H100 capture made by scripts/gpu-device-check.sh, with node", () => {
  const cap = (name: string) => fixture(`real-h100-2026-11-23-ild/${name}`);
  const recorded = JSON.parse(cap("discover.json")) as {
    nvidia: { ok: boolean; devices: unknown[]; driverVersion: string };
    capacity: unknown;
    docker: { DeviceRequests: unknown };
  };

  it("the recorded real discovery found the GPU, booked it and rendered its DeviceRequest", () => {
    expect(recorded.nvidia.ok).toBe(true);
    expect(recorded.nvidia.driverVersion).toBe("580.159.04");
    expect(recorded.capacity).toEqual([{ resource: "nvidia.com/gpu", total: 1, free: 1 }]);
    expect(recorded.docker.DeviceRequests).toEqual([
      { Driver: "nvidia", DeviceIDs: ["GPU-1aa777ac-1920-c8a4-c9ee-324ac8d910c5"], Capabilities: [["gpu"]] },
    ]);
    for (const name of [
      "query-gpu.csv",
      "query-gpu-header.csv",
      "list.txt",
      "topo.txt",
      "compute-apps.csv",
      "q.xml",
    ]) {
      expect(cap(`${name}.exit`)).toBe("0\n");
    }
    expect(cap("summary.txt")).toContain("skipped: GPU container");
    expect(cap("device-env.txt")).toContain("docker: absent");
    expect(cap("version.txt")).toContain("DRIVER version      : 580.159.04");
    expect(cap("q.xml")).toContain("<uuid>GPU-1aa777ac-1920-c8a4-c9ee-324ac8d910c5</uuid>");
    expect(parseNvidiaSmiCsvWithHeader(cap("query-gpu-header.csv")).rows[0]?.uuid).toBe(
      "GPU-1aa777ac-1920-c8a4-c9ee-324ac8d910c5",
    );
  });

  it("replaying the captured outputs here gives exactly the devices the real run reported", async () => {
    smi = createFakeNvidiaSmi({
      queryGpu: { stdout: cap("query-gpu.csv") },
      list: { stdout: cap("list.txt") },
      topo: { stdout: cap("topo.txt") },
      computeApps: { stdout: cap("compute-apps.csv") },
    });
    const result = await discoverNvidiaGpus({ env: { PATH: smi.dir }, computeApps: true });
    expect(result.ok && result.devices).toEqual(recorded.nvidia.devices);
    expect(parseNvidiaSmiList(cap("list.txt")).gpus).toHaveLength(1);
    expect(parseNvidiaSmiTopology(cap("topo.txt"))?.gpus[0]?.numaNode).toBe(0);
  });

  it("the real default table is not CSV → garbage-output", async () => {
    smi = createFakeNvidiaSmi({ queryGpu: { stdout: cap("nvidia-smi.txt") } });
    expect(await discoverNvidiaGpus({ env: { PATH: smi.dir } })).toMatchObject({ reason: "garbage-output" });
  });
});
