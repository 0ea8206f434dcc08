import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Device } from "./device-types.js";
import { hostNvidiaEdits } from "./host-nvidia-edits.js";

const FIXTURES = fileURLToPath(new URL("../test/fixtures/", import.meta.url));
const h100: Device = {
  resource: "nvidia.com/gpu",
  vendor: "nvidia",
  id: "GPU-00000000-0000-0000-0000-000000000000",
  paths: [],
  index: 0,
  pciBusId: "00000000:00:09.0",
};
const exists = async () => true;

describe("hostNvidiaEdits", () => {
  it("prefers the CDI spec when a folder holds one", async () => {
    const result = await hostNvidiaEdits([h100], { cdiDirs: [join(FIXTURES, "cdi")], exists });
    expect(result.ok && result.source).toBe("cdi");
    expect(result.devices[0]?.edits?.deviceNodes.map((node) => node.path)).toContain("/dev/nvidia0");
  });

  it("without a spec: discovery; without a driver: a refusal the caller logs, devices kept without edits", async () => {
    const found = await hostNvidiaEdits([h100], {
      cdiDirs: [join(FIXTURES, "absent")],
      driverFiles: {
        execFile: async () => ({
          stdout: "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n",
        }),
        procRoot: join(FIXTURES, "proc/h100x1"),
        binDirs: [],
      },
      exists,
    });
    expect(found.ok && found.source).toBe("discovery");
    expect(found.devices[0]?.edits?.mounts.map((mount) => mount.hostPath)).toEqual([
      "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
    ]);
    const refused = await hostNvidiaEdits([h100], {
      cdiDirs: [],
      driverFiles: { execFile: async () => ({ stdout: "" }), binDirs: [] },
    });
    expect(refused).toMatchObject({ ok: false, code: "ILD_NVIDIA_DRIVER_MISSING" });
    expect(refused.devices[0]?.edits).toBeUndefined();
  });
});
