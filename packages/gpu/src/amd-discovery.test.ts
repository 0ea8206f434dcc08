import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { discoverAmdGpus } from "./amd-discovery.js";
import { toDockerDevices } from "./docker-rendering.js";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) {
    rmSync(root, { recursive: true, force: true });
  }
});

/** A fake `/` with /dev/kfd, render nodes and their sysfs PCI devices. */
function fakeRoot(
  nodes: Array<{ render: number; vendor?: string; pci: string; numa?: string }>,
  kfd = true,
): string {
  const root = mkdtempSync(join(tmpdir(), "ild-gpu-sysfs-"));
  roots.push(root);
  mkdirSync(join(root, "dev/dri"), { recursive: true });
  if (kfd) {
    writeFileSync(join(root, "dev/kfd"), "");
  }
  for (const node of nodes) {
    const name = `renderD${node.render}`;
    writeFileSync(join(root, "dev/dri", name), "");
    writeFileSync(join(root, "dev/dri", `card${node.render - 128}`), "");
    const pciDir = join(root, "sys/devices/pci0000:00", node.pci);
    mkdirSync(pciDir, { recursive: true });
    if (node.vendor !== undefined) {
      writeFileSync(join(pciDir, "vendor"), `${node.vendor}\n`);
    }
    writeFileSync(join(pciDir, "numa_node"), `${node.numa ?? "-1"}\n`);
    mkdirSync(join(root, "sys/class/drm", name), { recursive: true });
    symlinkSync(pciDir, join(root, "sys/class/drm", name, "device"));
  }
  return root;
}

describe("discoverAmdGpus on a fake sysfs tree", () => {
  it("finds AMD render nodes (vendor 0x1002), skips others, keys by PCI address", async () => {
    const root = fakeRoot([
      { render: 129, vendor: "0x1002", pci: "0000:c3:00.0", numa: "1" },
      { render: 128, vendor: "0x1002", pci: "0000:03:00.0", numa: "0" },
      { render: 130, vendor: "0x8086", pci: "0000:00:02.0" },
    ]);
    const result = await discoverAmdGpus({ sysRoot: root });
    if (!result.ok) {
      throw new Error(result.message);
    }
    expect(result.devices.map(({ groupIds: _ignored, ...device }) => device)).toEqual([
      {
        resource: "amd.com/gpu",
        vendor: "amd",
        id: "0000:03:00.0",
        paths: ["/dev/kfd", "/dev/dri/renderD128"],
        index: 0,
        pciBusId: "0000:03:00.0",
        numaNode: 0,
      },
      {
        resource: "amd.com/gpu",
        vendor: "amd",
        id: "0000:c3:00.0",
        paths: ["/dev/kfd", "/dev/dri/renderD129"],
        index: 1,
        pciBusId: "0000:c3:00.0",
        numaNode: 1,
      },
    ]);
    // Docker gets /dev/kfd once plus each render node
    expect(toDockerDevices(result.devices).map((mapping) => mapping.PathOnHost)).toEqual([
      "/dev/kfd",
      "/dev/dri/renderD128",
      "/dev/dri/renderD129",
    ]);
  });

  it("a render node without a sysfs vendor file is skipped with a warning", async () => {
    const root = fakeRoot([
      { render: 128, vendor: "0x1002", pci: "0000:03:00.0" },
      { render: 129, pci: "0000:04:00.0" },
    ]);
    const result = await discoverAmdGpus({ sysRoot: root });
    expect(result.ok && result.devices.map((device) => device.paths[1])).toEqual(["/dev/dri/renderD128"]);
    expect(result.ok && result.warnings).toEqual(["renderD129: no sysfs vendor file, skipped"]);
  });

  it("no /dev/kfd → no-kfd; only non-AMD nodes → no-devices; both with zero devices", async () => {
    expect(
      await discoverAmdGpus({
        sysRoot: fakeRoot([{ render: 128, vendor: "0x1002", pci: "0000:03:00.0" }], false),
      }),
    ).toMatchObject({ ok: false, reason: "no-kfd", devices: [] });
    expect(
      await discoverAmdGpus({ sysRoot: fakeRoot([{ render: 128, vendor: "0x10de", pci: "0000:03:00.0" }]) }),
    ).toMatchObject({ ok: false, reason: "no-devices", devices: [] });
    expect(await discoverAmdGpus({ sysRoot: fakeRoot([]), enabled: false })).toMatchObject({
      ok: false,
      reason: "disabled",
    });
  });

  it("this machine's real root is handled without throwing", async () => {
    const result = await discoverAmdGpus();
    expect(typeof result.ok).toBe("boolean");
    expect(Array.isArray(result.devices)).toBe(true);
  });
});
