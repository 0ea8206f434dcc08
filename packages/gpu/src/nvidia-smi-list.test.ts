import { describe, expect, it } from "vitest";
import { parseNvidiaSmiList } from "./nvidia-smi-list.js";
import { fixture } from "./testing/fake-nvidia-smi.js";

describe("parseNvidiaSmiList", () => {
  it("h100x1: one GPU, no MIG lines", () => {
    expect(parseNvidiaSmiList(fixture("h100x1.L.txt"))).toEqual({
      gpus: [
        {
          index: 0,
          name: "NVIDIA H100 80GB HBM3",
          uuid: "GPU-00000000-0000-0000-0000-000000000000",
          migDevices: [],
        },
      ],
      rejected: [],
    });
  });

  it.each([
    ["h100x8.L.txt", 8],
    ["t4x2.L.txt", 2],
  ])("%s: %i GPUs in index order", (file, count) => {
    const { gpus, rejected } = parseNvidiaSmiList(fixture(file));
    expect(rejected).toEqual([]);
    expect(gpus.map((gpu) => gpu.index)).toEqual([...Array(count).keys()]);
    expect(gpus.every((gpu) => /^GPU-[0-9a-f-]{36}$/.test(gpu.uuid) && gpu.migDevices.length === 0)).toBe(
      true,
    );
  });

  it("a100-mig: seven 1g.10gb instances under GPU 0", () => {
    const { gpus } = parseNvidiaSmiList(fixture("a100-mig.L.txt"));
    expect(gpus).toHaveLength(1);
    expect(gpus[0]?.migDevices.map((mig) => [mig.profile, mig.deviceIndex])).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => ["1g.10gb", i]),
    );
    expect(gpus[0]?.migDevices[0]).toEqual({
      profile: "1g.10gb",
      deviceIndex: 0,
      uuid: "MIG-feb88891-0321-5fef-9c87-d4af3b54259e",
      parentUuid: "GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16",
      parentIndex: 0,
    });
  });

  it("h100-mig: mixed profiles", () => {
    const { gpus } = parseNvidiaSmiList(fixture("h100-mig.L.txt"));
    expect(gpus[0]?.migDevices.map((mig) => mig.profile)).toEqual([
      "3g.40gb",
      "2g.20gb",
      "1g.10gb",
      "1g.10gb",
    ]);
  });

  it("a100x4-partial-mig: MIG lines belong to GPU 0 only; the -q -x of GPU 0 has the same UUID", () => {
    const { gpus } = parseNvidiaSmiList(fixture("a100x4-partial-mig.L.txt"));
    expect(gpus.map((gpu) => gpu.migDevices.length)).toEqual([4, 0, 0, 0]);
    const xml = fixture("a100x4-partial-mig.q.xml");
    expect(xml).toContain(`<uuid>${gpus[0]?.uuid}</uuid>`);
    expect(xml.match(/<mig_device>/g)).toHaveLength(4);
  });

  it("a100-mig-legacy: R460 names without prefix, MIG-GPU-<uuid>/<gi>/<ci> ids", () => {
    const { gpus, rejected } = parseNvidiaSmiList(fixture("a100-mig-legacy.L.txt"));
    expect(rejected).toEqual([]);
    expect(gpus[0]?.name).toBe("A100-SXM4-40GB");
    expect(gpus[0]?.migDevices.map((mig) => mig.uuid)).toContain(
      "MIG-GPU-5c89852c-d268-c3f3-1b07-005d5ae1dc3f/11/0",
    );
    expect(gpus[0]?.migDevices).toHaveLength(7);
  });

  it("lines of other forms are rejected, not guessed (nvlink -s in MIG mode, XML)", () => {
    const nvlink = parseNvidiaSmiList(fixture("h100-mig.nvlink-s.txt"));
    expect(nvlink.gpus).toHaveLength(1);
    expect(nvlink.rejected.map((r) => r.text)).toEqual([
      "Nvlink queries are not supported for Devices in MIG mode",
    ]);
    const xml = parseNvidiaSmiList(fixture("t4x1.q.xml"));
    expect(xml.gpus).toEqual([]);
    expect(xml.rejected.length).toBeGreaterThan(10);
  });
});
