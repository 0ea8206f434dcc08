import { describe, expect, it } from "vitest";
import { linkScore, parseNvidiaSmiTopology } from "./nvidia-smi-topology.js";
import { fixture } from "./testing/fake-nvidia-smi.js";

describe("parseNvidiaSmiTopology", () => {
  it("h100x1: ANSI header stripped, double TAB before GPU NUMA ID", () => {
    expect(parseNvidiaSmiTopology(fixture("h100x1.topo-m.txt"))).toEqual({
      columns: ["GPU0"],
      gpus: [{ index: 0, links: {}, cpuAffinity: "0-19", numaNode: 0, gpuNumaId: null }],
    });
  });

  it("h100x8 with and without ANSI escapes parse the same: all NV18, NUMA 0", () => {
    const plain = parseNvidiaSmiTopology(fixture("h100x8.topo-m.txt"));
    const ansi = parseNvidiaSmiTopology(fixture("h100x8.topo-m.ansi.txt"));
    expect(ansi).toEqual(plain);
    expect(plain?.gpus).toHaveLength(8);
    expect(plain?.gpus[3]?.links).toEqual(
      Object.fromEntries([0, 1, 2, 4, 5, 6, 7].map((i) => [`GPU${i}`, "NV18"])),
    );
    expect(plain?.gpus.every((gpu) => gpu.numaNode === 0 && gpu.cpuAffinity === "0-63")).toBe(true);
  });

  it("h100x8-baremetal: two NUMA nodes", () => {
    const topo = parseNvidiaSmiTopology(fixture("h100x8-baremetal.topo-m.txt"));
    expect(topo?.gpus.map((gpu) => gpu.numaNode)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(topo?.gpus[5]?.cpuAffinity).toBe("48-95,144-191");
  });

  it("rtx4090x8-nics: NIC columns kept as links, NIC rows skipped", () => {
    const topo = parseNvidiaSmiTopology(fixture("rtx4090x8-nics.topo-m.txt"));
    expect(topo?.columns).toEqual([...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `GPU${i}`), "NIC0", "NIC1"]);
    expect(topo?.gpus).toHaveLength(8);
    expect(topo?.gpus[6]?.links).toMatchObject({ GPU0: "SYS", NIC0: "PHB", NIC1: "PHB" });
    expect(topo?.gpus[6]?.numaNode).toBe(1);
  });

  it("t4x2: PHB between the two GPUs", () => {
    const topo = parseNvidiaSmiTopology(fixture("t4x2.topo-m.txt"));
    expect(topo?.gpus.map((gpu) => gpu.links)).toEqual([{ GPU1: "PHB" }, { GPU0: "PHB" }]);
  });

  it("p4x1-numa-na: NUMA Affinity N/A with doubled TABs (HAMi#99 crashed here)", () => {
    expect(parseNvidiaSmiTopology(fixture("p4x1-numa-na.topo-m.txt"))?.gpus).toEqual([
      { index: 0, links: {}, cpuAffinity: "0-7", numaNode: null, gpuNumaId: null },
    ]);
  });

  it("returns null for text without a matrix", () => {
    expect(parseNvidiaSmiTopology(fixture("no-driver.stdout.txt"))).toBeNull();
    expect(parseNvidiaSmiTopology("")).toBeNull();
  });
});

describe("linkScore", () => {
  it.each([
    ["NV18", 1800],
    ["NV12", 1200],
    ["PIX", 50],
    ["PXB", 40],
    ["PHB", 30],
    ["NODE", 20],
    ["SYS", 10],
    ["???", 0],
    [undefined, 0],
  ])("%s → %i", (link, score) => {
    expect(linkScore(link)).toBe(score);
  });
});
