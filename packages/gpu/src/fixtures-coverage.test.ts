import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURE_DIR } from "./testing/fake-nvidia-smi.js";

/** Every fixture file copied from shared/fixtures/nvidia-smi is exercised by a named test file. */
const USED_BY: Record<string, string> = {
  "a100-mig-legacy.L.txt": "nvidia-smi-list",
  "a100-mig.L.txt": "nvidia-smi-list, nvidia-discovery, device-book",
  "a100-mig.query-compute-apps.csv": "nvidia-smi-csv, nvidia-discovery",
  "a100-mig.query-gpu.csv": "nvidia-smi-csv, nvidia-discovery",
  "a100x4-partial-mig.L.txt": "nvidia-smi-list, nvidia-discovery",
  "a100x4-partial-mig.gpu0.query-gpu.csv": "nvidia-smi-csv, nvidia-discovery",
  "a100x4-partial-mig.q.xml": "nvidia-smi-list (UUID cross-check)",
  "errors.json": "nvidia-discovery (exit codes)",
  "h100-mig.L.txt": "nvidia-smi-list, nvidia-discovery",
  "h100-mig.nvidia-smi.load.txt": "nvidia-discovery (garbage-output)",
  "h100-mig.nvlink-s.txt": "nvidia-smi-list",
  "h100-mig.query-compute-apps.csv": "nvidia-smi-csv",
  "h100-mig.query-compute-apps.full.load.csv": "nvidia-smi-csv",
  "h100-mig.query-gpu.csv": "nvidia-smi-csv, nvidia-discovery",
  "h100-mig.query-gpu.full.csv": "nvidia-smi-csv",
  "h100-mig.query-gpu.header.csv": "nvidia-smi-csv",
  "h100x1.L.txt": "nvidia-smi-list",
  "h100x1.help-query-compute-apps.txt": "nvidia-smi-csv",
  "h100x1.help-query-gpu.txt": "nvidia-smi-csv",
  "h100x1.nvidia-smi.idle.txt": "nvidia-discovery (garbage-output)",
  "h100x1.query-compute-apps.csv": "nvidia-smi-csv, nvidia-discovery",
  "h100x1.query-compute-apps.full.idle.csv": "nvidia-smi-csv",
  "h100x1.query-gpu.csv": "nvidia-smi-csv, nvidia-discovery",
  "h100x1.query-gpu.full.args.txt": "nvidia-smi-csv",
  "h100x1.query-gpu.full.csv": "nvidia-smi-csv",
  "h100x1.query-gpu.header.csv": "nvidia-smi-csv",
  "h100x1.topo-m.txt": "nvidia-smi-topology",
  "h100x1.version.txt": "nvidia-discovery (garbage-output)",
  "h100x8-baremetal.topo-m.txt": "nvidia-smi-topology, nvidia-discovery, device-book",
  "h100x8.L.txt": "nvidia-smi-list",
  "h100x8.query-compute-apps.busy.csv": "nvidia-smi-csv",
  "h100x8.query-compute-apps.csv": "nvidia-smi-csv",
  "h100x8.query-gpu.busy.csv": "nvidia-smi-csv",
  "h100x8.query-gpu.csv": "nvidia-smi-csv, nvidia-discovery, device-book",
  "h100x8.topo-m.ansi.txt": "nvidia-smi-topology",
  "h100x8.topo-m.txt": "nvidia-smi-topology",
  "invalid-field.stdout.txt": "nvidia-discovery",
  "no-devices.stdout.txt": "nvidia-discovery",
  "no-driver.stdout.txt": "nvidia-discovery, nvidia-smi-topology",
  "no-supported-gpus.stdout.txt": "nvidia-discovery",
  "not-supported-new.query-gpu.csv": "nvidia-smi-csv",
  "not-supported-old.query-gpu.csv": "nvidia-smi-csv",
  "nvml-unknown-error.stdout.txt": "nvidia-discovery",
  "p4x1-numa-na.topo-m.txt": "nvidia-smi-topology",
  "rtx4090x8-nics.topo-m.txt": "nvidia-smi-topology",
  "t4x1.q.xml": "nvidia-smi-list, nvidia-discovery (garbage-output)",
  "t4x2.L.txt": "nvidia-smi-list",
  "t4x2.query-compute-apps.csv": "nvidia-smi-csv",
  "t4x2.query-gpu.csv": "nvidia-smi-csv, nvidia-discovery",
  "t4x2.topo-m.txt": "nvidia-smi-topology, nvidia-discovery",
  "titanx8-legacy.query-gpu.csv": "nvidia-smi-csv",
  "version-mismatch.stdout.txt": "nvidia-discovery",
  "windows-wddm.query-compute-apps.full.load.csv": "nvidia-smi-csv",
  // captured on a real H100 (driver 580.159.04) with discovery's exact queries
  "real-h100-2026-11-23/compute-apps.csv": "real-h100",
  "real-h100-2026-11-23/device-env.txt": "real-h100",
  "real-h100-2026-11-23/list.txt": "real-h100",
  "real-h100-2026-11-23/nvidia-smi.txt": "real-h100 (garbage-output)",
  "real-h100-2026-11-23/query-gpu-header.csv": "real-h100",
  "real-h100-2026-11-23/query-gpu.csv": "real-h100",
  "real-h100-2026-11-23/topo.txt": "real-h100",
  // made by scripts/gpu-device-check.sh on a real H100, node carried there
  "real-h100-2026-11-23-ild/compute-apps.csv": "real-h100",
  "real-h100-2026-11-23-ild/compute-apps.csv.exit": "real-h100",
  "real-h100-2026-11-23-ild/device-env.txt": "real-h100",
  "real-h100-2026-11-23-ild/discover.json": "real-h100",
  "real-h100-2026-11-23-ild/list.txt": "real-h100",
  "real-h100-2026-11-23-ild/list.txt.exit": "real-h100",
  "real-h100-2026-11-23-ild/nvidia-smi.txt": "real-h100",
  "real-h100-2026-11-23-ild/nvidia-smi.txt.exit": "real-h100",
  "real-h100-2026-11-23-ild/q.xml": "real-h100",
  "real-h100-2026-11-23-ild/q.xml.exit": "real-h100",
  "real-h100-2026-11-23-ild/query-gpu-header.csv": "real-h100",
  "real-h100-2026-11-23-ild/query-gpu-header.csv.exit": "real-h100",
  "real-h100-2026-11-23-ild/query-gpu.csv": "real-h100",
  "real-h100-2026-11-23-ild/query-gpu.csv.exit": "real-h100",
  "real-h100-2026-11-23-ild/summary.txt": "real-h100",
  "real-h100-2026-11-23-ild/topo.txt": "real-h100",
  "real-h100-2026-11-23-ild/topo.txt.exit": "real-h100",
  "real-h100-2026-11-23-ild/version.txt": "real-h100",
  "real-h100-2026-11-23-ild/version.txt.exit": "real-h100",
};

describe("fixture coverage", () => {
  it("every copied nvidia-smi fixture is listed with the tests that use it", () => {
    const files = readdirSync(FIXTURE_DIR, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name !== "README.md")
      .map((entry) => relative(FIXTURE_DIR, join(entry.parentPath, entry.name)))
      .sort();
    expect(files).toEqual(Object.keys(USED_BY).sort());
  });
});
