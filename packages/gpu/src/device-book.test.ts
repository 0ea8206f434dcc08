import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IldError } from "@ild/common";
import { afterEach, describe, expect, it } from "vitest";
import { createDeviceBook } from "./device-book.js";
import { allocationsFromLabels, deviceLabels } from "./device-labels.js";
import type { Device } from "./device-types.js";
import {
  DeviceAllocationConflictError,
  DeviceBookPersistError,
  DeviceConfigError,
  DeviceRequestError,
  DeviceUnavailableError,
} from "./errors.js";
import { genericDevicesFromConfig } from "./generic-devices.js";
import { NVIDIA_QUERY_GPU_FIELDS, parseQueryGpuCsv } from "./nvidia-smi-csv.js";
import { parseNvidiaSmiList } from "./nvidia-smi-list.js";
import { parseNvidiaSmiTopology } from "./nvidia-smi-topology.js";
import { fixture } from "./testing/fake-nvidia-smi.js";

const GPU = "nvidia.com/gpu";

function h100x8(topologyFile = "h100x8-baremetal.topo-m.txt") {
  const topology = parseNvidiaSmiTopology(fixture(topologyFile)) ?? undefined;
  const rows = parseQueryGpuCsv(fixture("h100x8.query-gpu.csv"), [
    ...NVIDIA_QUERY_GPU_FIELDS,
    "power.draw",
  ]).rows;
  const devices: Device[] = rows.map((row) => ({
    resource: GPU,
    vendor: "nvidia",
    id: row.uuid,
    paths: [],
    index: row.index,
    numaNode: topology?.gpus.find((gpu) => gpu.index === row.index)?.numaNode ?? 0,
  }));
  return { devices, topology, uuids: rows.map((row) => row.uuid) };
}

function migDevices(): Device[] {
  const gpu = parseNvidiaSmiList(fixture("a100-mig.L.txt")).gpus[0];
  return (gpu?.migDevices ?? []).map((mig) => ({
    resource: `nvidia.com/mig-${mig.profile}`,
    vendor: "nvidia",
    id: mig.uuid,
    paths: [],
    index: 0,
    parentId: mig.parentUuid,
  }));
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ild-gpu-book-"));
  dirs.push(dir);
  return dir;
}

const one = (container: string, requests: Record<string, number>) => [{ container, requests }];

describe("allocate", () => {
  it("books distinct devices per container, all-or-nothing, and reports capacity", () => {
    const { devices, topology } = h100x8();
    const book = createDeviceBook({ devices, topology });
    const allocation = book.allocate("pod-a", [
      { container: "main", requests: { [GPU]: 2 } },
      { container: "sidecar", requests: { [GPU]: 1 } },
      { container: "no-gpu", requests: {} },
    ]);
    const ids = Object.values(allocation.containers)
      .flat()
      .map((device) => device.id);
    expect(new Set(ids).size).toBe(3);
    expect(Object.keys(allocation.containers)).toEqual(["main", "sidecar"]);
    expect(book.capacity()).toEqual([{ resource: GPU, total: 8, free: 5 }]);
    expect(book.allocationOf("pod-a")).toEqual(allocation);
  });

  it("fails atomically: a later container's shortage books nothing for the earlier ones", () => {
    const { devices } = h100x8();
    const book = createDeviceBook({ devices });
    book.allocate("pod-a", one("c", { [GPU]: 6 }));
    let error: unknown;
    try {
      book.allocate("pod-b", [
        { container: "first", requests: { [GPU]: 1 } },
        { container: "second", requests: { [GPU]: 2 } },
      ]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DeviceUnavailableError);
    expect(IldError.hasCode(error, "ILD_DEVICE_UNAVAILABLE")).toBe(true);
    const unavailable = error as DeviceUnavailableError;
    expect(unavailable.requested).toEqual({ [GPU]: 3 });
    expect(unavailable.free).toEqual({ [GPU]: 2 });
    expect(unavailable.message).toBe("pod pod-b: not enough devices (nvidia.com/gpu: asked 3, free 2 of 8)");
    expect(book.allocationOf("pod-b")).toBeUndefined();
    expect(book.capacity()[0]?.free).toBe(2);
  });

  it("an unknown resource is unavailable (total 0)", () => {
    const book = createDeviceBook({ devices: h100x8().devices });
    expect(() => book.allocate("pod", one("c", { "amd.com/gpu": 1 }))).toThrow(
      "amd.com/gpu: asked 1, free 0 of 0",
    );
  });

  it.each([
    [0.5, 'requests[0].requests["nvidia.com/gpu"]: must be a whole number, got 0.5'],
    [-1, 'requests[0].requests["nvidia.com/gpu"]: must not be negative, got -1'],
    [Number.NaN, 'requests[0].requests["nvidia.com/gpu"]: must be a whole number, got null'],
    ["2", 'requests[0].requests["nvidia.com/gpu"]: must be a whole number, got "2"'],
  ])("rejects count %j with DeviceRequestError naming the field", (count, message) => {
    const book = createDeviceBook({ devices: h100x8().devices });
    const call = () => book.allocate("pod", one("c", { [GPU]: count as number }));
    expect(call).toThrow(DeviceRequestError);
    expect(call).toThrow(message);
    expect(book.capacity()[0]?.free).toBe(8);
  });

  it("rejects an empty pod UID and a container listed twice", () => {
    const book = createDeviceBook({ devices: h100x8().devices });
    expect(() => book.allocate("", one("c", { [GPU]: 1 }))).toThrow("podUid: must be a non-empty string");
    expect(() =>
      book.allocate("p", [
        { container: "c", requests: { [GPU]: 1 } },
        { container: "c", requests: { [GPU]: 1 } },
      ]),
    ).toThrow("requests[1].container: container c is listed twice");
  });

  it("is idempotent per pod: the same request returns the same devices; a different one conflicts", () => {
    const book = createDeviceBook({ devices: h100x8().devices });
    const first = book.allocate("pod", one("c", { [GPU]: 2 }));
    expect(book.allocate("pod", one("c", { [GPU]: 2 }))).toEqual(first);
    expect(book.capacity()[0]?.free).toBe(6);
    expect(() => book.allocate("pod", one("c", { [GPU]: 3 }))).toThrow(DeviceAllocationConflictError);
  });

  it("a pod asking for nothing holds nothing", () => {
    const book = createDeviceBook({ devices: h100x8().devices });
    expect(book.allocate("pod", one("c", { [GPU]: 0 }))).toEqual({ podUid: "pod", containers: {} });
    expect(book.allocationOf("pod")).toBeUndefined();
  });
});

describe("topology preference", () => {
  it("2-NUMA H100 box: a 4-GPU request stays on one NUMA node", () => {
    const { devices, topology, uuids } = h100x8();
    const book = createDeviceBook({ devices, topology });
    const four = book.allocate("p4", one("c", { [GPU]: 4 })).containers.c?.map((device) => device.id);
    expect(four).toEqual(uuids.slice(0, 4));
  });

  it("best fit: a single GPU goes to the NUMA node with fewer free GPUs, keeping a 4-set whole", () => {
    const { devices, topology, uuids } = h100x8();
    const book = createDeviceBook({ devices, topology });
    book.allocate("a", one("c", { [GPU]: 1 })); // NUMA 0 (tie → lowest)
    const b = book.allocate("b", one("c", { [GPU]: 1 })).containers.c?.[0]?.id;
    expect(b).toBe(uuids[1]); // NUMA 0 has 3 free, NUMA 1 has 4 → the smaller group
    const c = book.allocate("c", one("c", { [GPU]: 4 })).containers.c?.map((device) => device.id);
    expect(c).toEqual(uuids.slice(4, 8));
  });

  it("PCIe box: prefers the pair behind one switch (PIX) over cross-socket (SYS)", () => {
    const devices: Device[] = [0, 1, 2, 3].map((index) => ({
      resource: GPU,
      vendor: "nvidia",
      id: `GPU-${index}`,
      paths: [],
      index,
    }));
    const topology = parseNvidiaSmiTopology(
      [
        "\tGPU0\tGPU1\tGPU2\tGPU3\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID",
        "GPU0\t X \tSYS\tSYS\tSYS\t0-7\t0\t\tN/A",
        "GPU1\tSYS\t X \tSYS\tPIX\t0-7\t0\t\tN/A",
        "GPU2\tSYS\tSYS\t X \tSYS\t0-7\t0\t\tN/A",
        "GPU3\tSYS\tPIX\tSYS\t X \t0-7\t0\t\tN/A",
        "",
      ].join("\n"),
    );
    expect(topology).not.toBeNull();
    const book = createDeviceBook({ devices, topology: topology ?? undefined });
    expect(book.allocate("p", one("c", { [GPU]: 2 })).containers.c?.map((device) => device.id)).toEqual([
      "GPU-1",
      "GPU-3",
    ]);
  });
});

describe("MIG", () => {
  it("MIG profiles book MIG instances; the parent GPU and its instances exclude each other", () => {
    const parent: Device = {
      resource: GPU,
      vendor: "nvidia",
      id: "GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16",
      paths: [],
      index: 0,
    };
    const book = createDeviceBook({ devices: [parent, ...migDevices()] });
    expect(book.capacity()).toEqual([
      { resource: GPU, total: 1, free: 1 },
      { resource: "nvidia.com/mig-1g.10gb", total: 7, free: 7 },
    ]);
    const mig = book.allocate("mig-pod", one("c", { "nvidia.com/mig-1g.10gb": 2 }));
    expect(mig.containers.c?.map((device) => device.id)).toEqual([
      "MIG-feb88891-0321-5fef-9c87-d4af3b54259e",
      "MIG-a25704ba-3a06-5299-a795-fd7cf4d13973",
    ]);
    expect(() => book.allocate("whole", one("c", { [GPU]: 1 }))).toThrow(DeviceUnavailableError);
    book.release("mig-pod");
    book.allocate("whole", one("c", { [GPU]: 1 }));
    expect(book.capacity()).toEqual([
      { resource: GPU, total: 1, free: 0 },
      { resource: "nvidia.com/mig-1g.10gb", total: 7, free: 0 },
    ]);
    expect(() => book.allocate("mig-2", one("c", { "nvidia.com/mig-1g.10gb": 1 }))).toThrow(
      "nvidia.com/mig-1g.10gb: asked 1, free 0 of 7",
    );
  });
});

describe("release", () => {
  it("is idempotent and frees the devices", () => {
    const book = createDeviceBook({ devices: h100x8().devices });
    book.allocate("pod", one("c", { [GPU]: 8 }));
    book.release("pod");
    book.release("pod");
    book.release("never-seen");
    expect(book.capacity()[0]?.free).toBe(8);
    expect(book.allocations()).toEqual([]);
  });
});

describe("concurrency", () => {
  it("100 concurrent allocations and releases on 8 GPUs never double-book", async () => {
    const { devices, topology } = h100x8();
    const book = createDeviceBook({ devices, topology });
    const ledger = new Map<string, string>(); // device id → pod
    let granted = 0;
    let refused = 0;
    const pause = () => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 4)));
    const checkInvariant = () => {
      const seen = new Set<string>();
      for (const allocation of book.allocations()) {
        for (const device of Object.values(allocation.containers).flat()) {
          expect(seen.has(device.id)).toBe(false);
          seen.add(device.id);
        }
      }
      expect(book.capacity()[0]?.free).toBe(8 - seen.size);
    };
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const podUid = `pod-${i}`;
        await pause();
        try {
          const allocation = book.allocate(podUid, [
            { container: "a", requests: { [GPU]: 1 + (i % 2) } },
            { container: "b", requests: { [GPU]: i % 3 === 0 ? 1 : 0 } },
          ]);
          granted += 1;
          for (const device of Object.values(allocation.containers).flat()) {
            expect(ledger.get(device.id)).toBeUndefined();
            ledger.set(device.id, podUid);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(DeviceUnavailableError);
          expect(book.allocationOf(podUid)).toBeUndefined();
          refused += 1;
          return;
        }
        checkInvariant();
        await pause();
        if (Math.random() < 0.7) {
          for (const [id, holder] of [...ledger]) {
            if (holder === podUid) {
              ledger.delete(id);
            }
          }
          book.release(podUid);
          checkInvariant();
        }
      }),
    );
    expect(granted + refused).toBe(100);
    expect(granted).toBeGreaterThanOrEqual(4);
    checkInvariant();
    expect(
      new Set(
        book.allocations().flatMap((a) =>
          Object.values(a.containers)
            .flat()
            .map((d) => d.id),
        ),
      ),
    ).toEqual(new Set(ledger.keys()));
  });
});

describe("concurrency without releases", () => {
  it("100 concurrent single-GPU requests on 8 GPUs: exactly 8 granted, 8 distinct GPUs, 92 refused", async () => {
    const { devices, uuids } = h100x8();
    const book = createDeviceBook({ devices });
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 5)));
        try {
          return book.allocate(`pod-${i}`, one("c", { [GPU]: 1 })).containers.c?.[0]?.id;
        } catch (error) {
          expect(error).toBeInstanceOf(DeviceUnavailableError);
          return undefined;
        }
      }),
    );
    const granted = outcomes.filter((id): id is string => id !== undefined);
    expect(granted).toHaveLength(8);
    expect(new Set(granted)).toEqual(new Set(uuids));
    expect(book.capacity()).toEqual([{ resource: GPU, total: 8, free: 0 }]);
  });

  it("mixed resources are atomic too: GPUs free but FPGA short books nothing", () => {
    const devices = [
      ...h100x8().devices,
      ...genericDevicesFromConfig({ "xilinx.com/fpga": ["/dev/dri/renderD128"] }),
    ];
    const book = createDeviceBook({ devices });
    expect(() =>
      book.allocate("pod", [
        { container: "gpu", requests: { [GPU]: 4 } },
        { container: "fpga", requests: { "xilinx.com/fpga": 2 } },
      ]),
    ).toThrow("xilinx.com/fpga: asked 2, free 1 of 1");
    expect(book.capacity()).toEqual([
      { resource: GPU, total: 8, free: 8 },
      { resource: "xilinx.com/fpga", total: 1, free: 1 },
    ]);
  });
});

describe("labels: release and rebuild round trip", () => {
  it("a new book restored from the labels holds exactly the same devices", () => {
    const { devices, topology } = h100x8();
    const book = createDeviceBook({ devices, topology });
    const a = book.allocate("pod-a", [
      { container: "main", requests: { [GPU]: 2 } },
      { container: "side", requests: { [GPU]: 1 } },
    ]);
    book.allocate("pod-b", one("main", { [GPU]: 3 }));
    book.allocate("pod-c", one("main", { [GPU]: 1 }));
    book.release("pod-c");
    // what the runner would list from the host engine (DIND containers)
    const listed = book.allocations().map((allocation) => ({
      Labels: { "io.ild.pod-uid": allocation.podUid, ...deviceLabels(allocation) },
    }));
    listed.push({ Labels: { "io.ild.pod-uid": "no-devices" } } as (typeof listed)[number]);
    const { allocations, invalid } = allocationsFromLabels(listed, "io.ild.pod-uid");
    expect(invalid).toEqual([]);
    const rebuilt = createDeviceBook({ devices, topology });
    const report = rebuilt.restore(allocations);
    expect(report.restoredPods.sort()).toEqual(["pod-a", "pod-b"]);
    expect(rebuilt.allocationOf("pod-a")).toEqual(a);
    expect(rebuilt.capacity()).toEqual(book.capacity());
    expect(rebuilt.capacity()[0]?.free).toBe(2);
    // the restored book keeps not double-booking
    expect(() => rebuilt.allocate("pod-d", one("c", { [GPU]: 3 }))).toThrow(DeviceUnavailableError);
    expect(
      rebuilt.allocate("pod-a", [
        { container: "main", requests: { [GPU]: 2 } },
        { container: "side", requests: { [GPU]: 1 } },
      ]),
    ).toEqual(a);
  });

  it("labels win over a persisted booking; two labels on one device: the first keeps it", () => {
    const { devices, uuids } = h100x8();
    const dir = tempDir();
    const persistPath = join(dir, "devices.json");
    const before = createDeviceBook({ devices, persistPath });
    before.allocate("stale", one("c", { [GPU]: 2 })); // uuids 0 and 1
    const after = createDeviceBook({ devices, persistPath });
    expect(after.holdersOf(uuids[0] ?? "")).toEqual(["stale"]);
    const report = after.restore([
      { podUid: "live", containers: { main: [uuids[1] ?? ""] } },
      { podUid: "dup", containers: { main: [uuids[1] ?? "", uuids[5] ?? ""] } },
      { podUid: "gone-gpu", containers: { main: ["GPU-ffffffff-0000-0000-0000-000000000000"] } },
    ]);
    expect(report.overridden).toEqual([{ podUid: "stale", deviceId: uuids[1], takenBy: "live" }]);
    expect(report.labelConflicts).toEqual([{ podUid: "dup", deviceId: uuids[1], heldBy: "live" }]);
    expect(report.unknownDevices).toEqual([
      { podUid: "gone-gpu", deviceId: "GPU-ffffffff-0000-0000-0000-000000000000" },
    ]);
    expect(after.holdersOf(uuids[0] ?? "")).toEqual(["stale"]);
    expect(after.holdersOf(uuids[1] ?? "")).toEqual(["live"]);
    expect(after.allocationOf("dup")?.containers.main?.map((d) => d.id)).toEqual([uuids[5]]);
    expect(after.allocationOf("gone-gpu")?.containers.main).toEqual([
      { resource: GPU, vendor: "nvidia", id: "GPU-ffffffff-0000-0000-0000-000000000000", paths: [] },
    ]);
    expect(after.capacity()[0]?.free).toBe(5);
    // replace mode: pods without labels are dropped
    const replaced = after.restore([{ podUid: "live", containers: { main: [uuids[1] ?? ""] } }], {
      mode: "replace",
    });
    expect(replaced.droppedPods.sort()).toEqual(["dup", "gone-gpu", "stale"]);
    expect(after.capacity()[0]?.free).toBe(7);
    // and that was persisted
    expect(
      createDeviceBook({ devices, persistPath })
        .allocations()
        .map((a) => a.podUid),
    ).toEqual(["live"]);
  });

  it("malformed labels are reported, not thrown", () => {
    const { allocations, invalid } = allocationsFromLabels(
      [
        { Labels: { "io.ild.pod-uid": "p1", "io.ild.devices": "{not json" } },
        { Labels: { "io.ild.pod-uid": "p2", "io.ild.devices": '{"c":[1]}' } },
        { Labels: null },
      ],
      "io.ild.pod-uid",
    );
    expect(allocations).toEqual([]);
    expect(invalid.map((entry) => entry.podUid)).toEqual(["p1", "p2"]);
  });
});

describe("persistence", () => {
  it("round trip: a new book on the same file holds the same bookings; the file is replaced atomically", () => {
    const { devices } = h100x8();
    const dir = tempDir();
    const persistPath = join(dir, "state", "devices.json");
    const book = createDeviceBook({ devices, persistPath });
    const a = book.allocate("pod-a", one("c", { [GPU]: 3 }));
    book.allocate("pod-b", one("c", { [GPU]: 1 }));
    book.release("pod-b");
    const reloaded = createDeviceBook({ devices, persistPath });
    expect(reloaded.allocations()).toEqual([a]);
    expect(JSON.parse(readFileSync(persistPath, "utf8"))).toEqual({
      version: 1,
      allocations: { "pod-a": { c: a.containers.c?.map((d) => d.id) } },
    });
    expect(readdirSync(join(dir, "state"))).toEqual(["devices.json"]);
  });

  it("a torn temp file left by a crash mid-write is ignored and removed; the last complete state loads", () => {
    const { devices } = h100x8();
    const dir = tempDir();
    const persistPath = join(dir, "devices.json");
    const book = createDeviceBook({ devices, persistPath });
    const a = book.allocate("pod-a", one("c", { [GPU]: 2 }));
    const complete = readFileSync(persistPath, "utf8");
    writeFileSync(join(dir, "devices.json.tmp-999-1"), complete.slice(0, Math.floor(complete.length / 2)));
    const reloaded = createDeviceBook({ devices, persistPath });
    expect(reloaded.allocations()).toEqual([a]);
    expect(readdirSync(dir)).toEqual(["devices.json"]);
  });

  it("a corrupt state file starts an empty book (labels are the authority)", () => {
    const dir = tempDir();
    const persistPath = join(dir, "devices.json");
    writeFileSync(persistPath, '{"version":1,"allocations":{"p":{"c":["GPU-');
    expect(createDeviceBook({ devices: h100x8().devices, persistPath }).allocations()).toEqual([]);
  });

  it("when the state cannot be written, allocate throws and books nothing", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "not-a-dir"), "");
    const book = createDeviceBook({
      devices: h100x8().devices,
      persistPath: join(dir, "not-a-dir", "devices.json"),
    });
    expect(() => book.allocate("pod", one("c", { [GPU]: 1 }))).toThrow(DeviceBookPersistError);
    expect(book.allocationOf("pod")).toBeUndefined();
    expect(book.capacity()[0]?.free).toBe(8);
  });
});

describe("generic devices and sharing", () => {
  it("FPGAs from config are booked like GPUs, per container, and released", () => {
    const devices = genericDevicesFromConfig({
      "xilinx.com/fpga": ["/dev/dri/renderD128", "/dev/dri/renderD129"],
    });
    const book = createDeviceBook({ devices });
    const allocation = book.allocate("pod", [
      { container: "a", requests: { "xilinx.com/fpga": 1 } },
      { container: "b", requests: { "xilinx.com/fpga": 1 } },
    ]);
    // each container gets its own device: the reference plugin's accumulating --device args are gone
    expect(allocation.containers.a?.map((d) => d.paths)).toEqual([["/dev/dri/renderD128"]]);
    expect(allocation.containers.b?.map((d) => d.paths)).toEqual([["/dev/dri/renderD129"]]);
    expect(() => book.allocate("other", one("c", { "xilinx.com/fpga": 1 }))).toThrow(DeviceUnavailableError);
    book.release("pod");
    expect(book.capacity()).toEqual([{ resource: "xilinx.com/fpga", total: 2, free: 2 }]);
  });

  it("shared (no bookkeeping) devices go to several pods, least used first, distinct within a container", () => {
    const devices = genericDevicesFromConfig(
      { "xilinx.com/fpga": ["/dev/dri/renderD128", "/dev/dri/renderD129"] },
      { shared: ["xilinx.com/fpga"] },
    );
    const book = createDeviceBook({ devices });
    expect(book.allocate("p1", one("c", { "xilinx.com/fpga": 1 })).containers.c?.[0]?.id).toBe(
      "/dev/dri/renderD128",
    );
    expect(book.allocate("p2", one("c", { "xilinx.com/fpga": 1 })).containers.c?.[0]?.id).toBe(
      "/dev/dri/renderD129",
    );
    expect(book.allocate("p3", one("c", { "xilinx.com/fpga": 2 })).containers.c?.map((d) => d.id)).toEqual([
      "/dev/dri/renderD128",
      "/dev/dri/renderD129",
    ]);
    expect(book.holdersOf("/dev/dri/renderD128").sort()).toEqual(["p1", "p3"]);
    expect(() => book.allocate("p4", one("c", { "xilinx.com/fpga": 3 }))).toThrow(DeviceUnavailableError);
    expect(book.capacity()).toEqual([{ resource: "xilinx.com/fpga", total: 2, free: 2 }]);
  });

  it("a device list with a duplicate id is a config error", () => {
    const { devices } = h100x8();
    expect(() => createDeviceBook({ devices: [...devices, devices[0] as Device] })).toThrow(
      DeviceConfigError,
    );
    expect(() => createDeviceBook({ devices: [...devices, devices[0] as Device] })).toThrow("devices[8].id");
  });
});
