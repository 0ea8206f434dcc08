import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { NVIDIA_SMI_ARGS } from "./nvidia-discovery.js";
import { createFakeNvidiaSmi, type FakeNvidiaSmi, fixture } from "./testing/fake-nvidia-smi.js";

const SCRIPT = fileURLToPath(new URL("../scripts/gpu-device-check.sh", import.meta.url));
const run = promisify(execFile);

let smi: FakeNvidiaSmi | undefined;
let out: string | undefined;
afterEach(() => {
  smi?.remove();
  if (out) {
    rmSync(out, { recursive: true, force: true });
  }
});

describe("scripts/gpu-device-check.sh", () => {
  it("captures every query discovery runs, with the same argument vectors, and says what it could not do", async () => {
    smi = createFakeNvidiaSmi({
      queryGpu: { stdout: fixture("real-h100-2026-11-23/query-gpu.csv") },
      list: { stdout: fixture("real-h100-2026-11-23/list.txt") },
      topo: { stdout: fixture("real-h100-2026-11-23/topo.txt") },
      computeApps: { stdout: "" },
    });
    out = mkdtempSync(join(tmpdir(), "ild-gpu-check-"));
    const dir = join(out, "capture");
    await run("bash", [SCRIPT, dir], {
      env: {
        ...process.env,
        PATH: `${smi.dir}:${process.env.PATH ?? ""}`,
        ILD_GPU_CLI: join(out, "missing.js"),
      },
    });
    const calls = smi.calls();
    for (const args of [
      NVIDIA_SMI_ARGS.queryGpu,
      NVIDIA_SMI_ARGS.list,
      NVIDIA_SMI_ARGS.topology,
      NVIDIA_SMI_ARGS.computeApps,
    ]) {
      expect(calls).toContainEqual([...args]);
    }
    expect(readFileSync(join(dir, "query-gpu.csv"), "utf8")).toBe(
      fixture("real-h100-2026-11-23/query-gpu.csv"),
    );
    expect(readFileSync(join(dir, "topo.txt"), "utf8")).toBe(fixture("real-h100-2026-11-23/topo.txt"));
    expect(readFileSync(join(dir, "query-gpu.csv.exit"), "utf8")).toBe("0\n");
    expect(readFileSync(join(dir, "version.txt.exit"), "utf8")).toBe("2\n");
    const summary = readFileSync(join(dir, "summary.txt"), "utf8");
    expect(summary).toContain("COULD NOT: run discovery through node");
    expect(summary).toContain("skipped: GPU container (no DOCKER_IMAGE argument)");
    expect(readFileSync(join(dir, "device-env.txt"), "utf8")).toContain("# uname -a");
  });

  it("without nvidia-smi it says so and still describes the machine", async () => {
    out = mkdtempSync(join(tmpdir(), "ild-gpu-check-"));
    await run("bash", [SCRIPT, out], {
      env: { ...process.env, NVIDIA_SMI: "/nonexistent/nvidia-smi", ILD_GPU_CLI: join(out, "missing.js") },
    });
    expect(readFileSync(join(out, "summary.txt"), "utf8")).toContain(
      "COULD NOT: run nvidia-smi (/nonexistent/nvidia-smi is not on PATH)",
    );
  });

  it("refuses to run without an output folder", async () => {
    await expect(run("bash", [SCRIPT])).rejects.toMatchObject({ code: 2 });
  });
});
