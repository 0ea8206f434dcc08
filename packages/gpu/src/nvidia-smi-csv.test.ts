import { describe, expect, it } from "vitest";
import {
  NVIDIA_QUERY_GPU_FIELDS,
  normalizeNvidiaSmiValue,
  parseComputeAppsCsv,
  parseNvidiaSmiCsvWithHeader,
  parseQueryGpuCsv,
  splitNvidiaSmiCsvLine,
} from "./nvidia-smi-csv.js";
import { fixture } from "./testing/fake-nvidia-smi.js";

/** The fixtures' standard query: discovery's fields plus power.draw. */
const FIXTURE_FIELDS = [...NVIDIA_QUERY_GPU_FIELDS, "power.draw"];

describe("normalizeNvidiaSmiValue", () => {
  it.each([
    ["[N/A]", null],
    ["N/A", null],
    ["[Not Supported]", null],
    ["[Requested functionality has been deprecated]", null],
    ["", null],
    ["  ", null],
    [" 81559 ", "81559"],
    ["Default", "Default"],
  ])("%j → %j", (input, expected) => {
    expect(normalizeNvidiaSmiValue(input)).toBe(expected);
  });
});

describe("parseQueryGpuCsv on the standard-query fixtures", () => {
  it("h100x1: one idle H100, MIG disabled", () => {
    const { rows, rejected } = parseQueryGpuCsv(fixture("h100x1.query-gpu.csv"), FIXTURE_FIELDS);
    expect(rejected).toEqual([]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      index: 0,
      uuid: "GPU-00000000-0000-0000-0000-000000000000",
      name: "NVIDIA H100 80GB HBM3",
      pciBusId: "00000000:00:09.0",
      memoryTotalMiB: 81559,
      memoryUsedMiB: 0,
      memoryFreeMiB: 81081,
      utilizationGpuPercent: 0,
      temperatureGpuC: 41,
      driverVersion: "590.48.01",
      computeMode: "Default",
      migEnabled: false,
    });
    expect(rows[0]?.raw["power.draw"]).toBe("69.85");
  });

  it.each([
    ["h100-mig.query-gpu.csv", "GPU-00000000-0000-0000-0000-000000000000", 81559],
    ["a100-mig.query-gpu.csv", "GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16", 81920],
    ["a100x4-partial-mig.gpu0.query-gpu.csv", "GPU-513536b6-7d19-9063-b049-1e69664bb298", 81920],
  ])("%s: MIG enabled, utilization [N/A] → null", (file, uuid, memory) => {
    const { rows, rejected } = parseQueryGpuCsv(fixture(file), FIXTURE_FIELDS);
    expect(rejected).toEqual([]);
    expect(rows).toEqual([
      expect.objectContaining({
        index: 0,
        uuid,
        memoryTotalMiB: memory,
        migEnabled: true,
        utilizationGpuPercent: null,
      }),
    ]);
  });

  it("h100x8 idle and busy: 8 GPUs in index order, busy ones show their memory", () => {
    const idle = parseQueryGpuCsv(fixture("h100x8.query-gpu.csv"), FIXTURE_FIELDS);
    const busy = parseQueryGpuCsv(fixture("h100x8.query-gpu.busy.csv"), FIXTURE_FIELDS);
    expect(idle.rows.map((row) => row.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(busy.rows.map((row) => row.uuid)).toEqual(idle.rows.map((row) => row.uuid));
    expect(busy.rows[2]).toMatchObject({ memoryUsedMiB: 72790, utilizationGpuPercent: 100 });
    expect(idle.rows[7]).toMatchObject({ pciBusId: "00000000:14:00.0", driverVersion: "550.144.03" });
  });

  it("t4x2: a GPU that cannot do MIG has migEnabled null", () => {
    const { rows } = parseQueryGpuCsv(fixture("t4x2.query-gpu.csv"), FIXTURE_FIELDS);
    expect(rows.map((row) => [row.name, row.migEnabled, row.memoryUsedMiB])).toEqual([
      ["Tesla T4", null, 2795],
      ["Tesla T4", null, 5587],
    ]);
  });

  it("titanx8-legacy: another field list, old names without the NVIDIA prefix", () => {
    const fields = [
      "index",
      "uuid",
      "name",
      "temperature.gpu",
      "utilization.gpu",
      "memory.used",
      "memory.total",
    ];
    const { rows, rejected } = parseQueryGpuCsv(fixture("titanx8-legacy.query-gpu.csv"), fields);
    expect(rejected).toEqual([]);
    expect(rows).toHaveLength(8);
    expect(rows[1]).toMatchObject({
      name: "GeForce GTX TITAN X",
      temperatureGpuC: 54,
      utilizationGpuPercent: 86,
      memoryUsedMiB: 10032,
      memoryTotalMiB: 12206,
      migEnabled: null,
    });
  });

  it("the standard fixtures parse with discovery's 12-field list only after the 13th field is dropped", () => {
    const { rows, rejected } = parseQueryGpuCsv(fixture("h100x8.query-gpu.csv"));
    expect(rows).toEqual([]);
    expect(rejected).toHaveLength(8);
    expect(rejected[0]?.reason).toBe("expected 12 fields, got 13");
  });

  it("rejects rows whose index or uuid is not plausible, keeps the good ones", () => {
    const good =
      "3, GPU-53812c38-f053-fa77-e7d0-bc49d38d0e4a, Tesla T4, 00000000:00:1B.0, 15360, 0, 15000, 0, 30, 535.54.03, Default, [N/A]";
    const text = [
      "WARNING: infoROM is corrupted at gpu 0000:0B:00.0",
      good,
      good.replace("3, GPU-", "x, GPU-"),
      good.replace("GPU-53812c38", "53812c38"),
      "",
    ].join("\n");
    const { rows, rejected } = parseQueryGpuCsv(text);
    expect(rows.map((row) => row.index)).toEqual([3]);
    expect(rejected.map((r) => r.line)).toEqual([1, 3, 4]);
  });
});

describe("null tokens from old and new drivers", () => {
  it("not-supported-old ([Not Supported]) and not-supported-new ([N/A]) normalise to the same cells", () => {
    const cells = (file: string) => splitNvidiaSmiCsvLine(fixture(file).trim()).map(normalizeNvidiaSmiValue);
    expect(cells("not-supported-old.query-gpu.csv")).toEqual(["2004", "2004", "0", "44", null, "0", "0"]);
    expect(cells("not-supported-new.query-gpu.csv")).toEqual(cells("not-supported-old.query-gpu.csv"));
  });
});

describe("parseNvidiaSmiCsvWithHeader", () => {
  it("h100x1.query-gpu.header.csv: unit suffixes leave the names, units stay in values", () => {
    const { rows } = parseNvidiaSmiCsvWithHeader(fixture("h100x1.query-gpu.header.csv"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      "memory.total": "81559 MiB",
      "utilization.gpu": "0 %",
      "temperature.gpu": "41",
    });
    expect(Object.keys(rows[0] ?? {})).toEqual(FIXTURE_FIELDS);
  });

  it("h100-mig.query-gpu.header.csv: MIG utilization is null", () => {
    const { rows } = parseNvidiaSmiCsvWithHeader(fixture("h100-mig.query-gpu.header.csv"));
    expect(rows[0]).toMatchObject({ "utilization.gpu": null, "mig.mode.current": "Enabled" });
  });

  it("the full 212-field captures: every null form becomes null, the field count matches the args", () => {
    const args = fixture("h100x1.query-gpu.full.args.txt").trim().replace("--query-gpu=", "").split(",");
    for (const file of ["h100x1.query-gpu.full.csv", "h100-mig.query-gpu.full.csv"]) {
      const { rows, rejected } = parseNvidiaSmiCsvWithHeader(fixture(file));
      expect(rejected).toEqual([]);
      const row = rows[0] ?? {};
      expect(Object.keys(row)).toHaveLength(args.length);
      expect(row.count).toBe("1");
      expect(row.uuid).toBe("GPU-00000000-0000-0000-0000-000000000000");
      expect(row["platform.chassis_serial_number"]).toBeNull(); // empty field
      expect(row.display_mode).toBeNull(); // [Requested functionality has been deprecated]
      expect(
        Object.entries(row)
          .filter(([name]) => name.startsWith("fabric."))
          .some(([, v]) => v === null),
      ).toBe(true);
    }
    const mig = parseNvidiaSmiCsvWithHeader(fixture("h100-mig.query-gpu.full.csv")).rows[0] ?? {};
    expect(mig["utilization.gpu"]).toBeNull();
    expect(mig["mig.mode.current"]).toBe("Enabled");
  });

  it("the standard fields are all valid for driver 590 (help-query-gpu)", () => {
    const help = fixture("h100x1.help-query-gpu.txt");
    for (const field of NVIDIA_QUERY_GPU_FIELDS) {
      expect(help).toMatch(new RegExp(`^"${field.replace(/\./g, "\\.")}"`, "m"));
    }
    const appsHelp = fixture("h100x1.help-query-compute-apps.txt");
    for (const field of ["pid", "gpu_uuid", "used_memory"]) {
      expect(appsHelp).toContain(`"${field}"`);
    }
  });

  it("compute apps with header: idle is header only, MIG load reports the parent GPU", () => {
    expect(parseNvidiaSmiCsvWithHeader(fixture("h100x1.query-compute-apps.full.idle.csv")).rows).toEqual([]);
    const load = parseNvidiaSmiCsvWithHeader(fixture("h100-mig.query-compute-apps.full.load.csv")).rows;
    expect(load.map((row) => [row.pid, row.process_name, row.used_gpu_memory])).toEqual([
      ["21180", "/root/tools/memhog", "2296 MiB"],
      ["21181", "/root/tools/memhog", "1272 MiB"],
      ["21198", "./gpu_burn", "7484 MiB"],
    ]);
    expect(new Set(load.map((row) => row.gpu_uuid))).toEqual(
      new Set(["GPU-00000000-0000-0000-0000-000000000000"]),
    );
  });

  it("windows-wddm: [N/A] memory, process names with spaces and backslashes stay whole", () => {
    const { rows, rejected } = parseNvidiaSmiCsvWithHeader(
      fixture("windows-wddm.query-compute-apps.full.load.csv"),
    );
    expect(rejected).toEqual([]);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((row) => row.used_gpu_memory === null && row.gpu_serial === null)).toBe(true);
    expect(rows.map((row) => row.process_name)).toContain("C:\\Program Files\\NZXT CAM\\NZXT CAM.exe");
  });
});

describe("parseComputeAppsCsv", () => {
  it.each([
    ["h100x1.query-compute-apps.csv", 0],
    ["h100x8.query-compute-apps.csv", 0],
    ["h100x8.query-compute-apps.busy.csv", 2],
    ["a100-mig.query-compute-apps.csv", 2],
    ["h100-mig.query-compute-apps.csv", 3],
    ["t4x2.query-compute-apps.csv", 2],
  ])("%s → %i processes", (file, count) => {
    const { rows, rejected } = parseComputeAppsCsv(fixture(file));
    expect(rejected).toEqual([]);
    expect(rows).toHaveLength(count);
  });

  it("keeps pid, parent GPU UUID and memory", () => {
    expect(parseComputeAppsCsv(fixture("a100-mig.query-compute-apps.csv")).rows[0]).toEqual({
      pid: 30512,
      gpuUuid: "GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16",
      usedMemoryMiB: 4012,
    });
  });

  it("rejects lines that are not pid, uuid, memory", () => {
    const { rows, rejected } = parseComputeAppsCsv("abc, GPU-1, 3\n12, GPU-ab, [N/A]\n1, 2\n");
    expect(rows).toEqual([{ pid: 12, gpuUuid: "GPU-ab", usedMemoryMiB: null }]);
    expect(rejected).toHaveLength(2);
  });
});
