import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CdiSpecError } from "./cdi-errors.js";
import { cdiDeviceEdits, parseCdiSpec, readCdiSpecs } from "./cdi-spec.js";

const CDI_DIR = fileURLToPath(new URL("../test/fixtures/cdi/", import.meta.url));
const h100Text = readFileSync(join(CDI_DIR, "h100x1.nvidia.yaml"), "utf8");
const a100Text = readFileSync(join(CDI_DIR, "a100-mig.nvidia.json"), "utf8");

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) {
    rmSync(root, { recursive: true, force: true });
  }
});

function specError(text: string): CdiSpecError {
  try {
    parseCdiSpec(text, "/etc/cdi/bad.yaml");
  } catch (error) {
    if (error instanceof CdiSpecError) {
      return error;
    }
    throw error;
  }
  throw new Error("no error");
}

describe("parseCdiSpec", () => {
  it("H100 (YAML, nvidia-ctk layout): devices by index and UUID, common nodes, driver mounts, hooks", () => {
    const spec = parseCdiSpec(h100Text, "h100x1.nvidia.yaml");
    expect(spec.kind).toBe("nvidia.com/gpu");
    expect(spec.cdiVersion).toBe("0.5.0");
    expect(spec.devices.map((device) => device.name)).toEqual([
      "0",
      "GPU-00000000-0000-0000-0000-000000000000",
      "all",
    ]);
    const edits = cdiDeviceEdits(spec, "GPU-00000000-0000-0000-0000-000000000000");
    expect(edits?.deviceNodes.map((node) => node.path)).toEqual([
      "/dev/nvidia-modeset",
      "/dev/nvidia-uvm",
      "/dev/nvidia-uvm-tools",
      "/dev/nvidiactl",
      "/dev/nvidia0",
    ]);
    expect(edits?.mounts).toContainEqual({
      hostPath: "/usr/lib/x86_64-linux-gnu/libcuda.so.590.48.01",
      containerPath: "/usr/lib/x86_64-linux-gnu/libcuda.so.590.48.01",
      options: ["ro", "nosuid", "nodev", "rbind", "rprivate"],
    });
    expect(edits?.mounts.map((mount) => mount.containerPath)).toContain("/usr/bin/nvidia-smi");
    expect(edits?.hooks.map((hook) => hook.args?.[1])).toEqual(["create-symlinks", "update-ldcache"]);
    expect(edits?.env).toEqual(["NVIDIA_VISIBLE_DEVICES=void"]);
    expect(cdiDeviceEdits(spec, "1")).toBeUndefined();
  });

  it("A100 MIG (JSON): each MIG device is the parent node plus its GI and CI access caps", () => {
    const spec = parseCdiSpec(a100Text, "a100-mig.nvidia.json");
    const first = cdiDeviceEdits(spec, "0:0");
    expect(first?.deviceNodes.slice(-3).map((node) => node.path)).toEqual([
      "/dev/nvidia0",
      "/dev/nvidia-caps/nvidia-cap66",
      "/dev/nvidia-caps/nvidia-cap67",
    ]);
    expect(cdiDeviceEdits(spec, "MIG-feb88891-0321-5fef-9c87-d4af3b54259e")).toEqual(first);
    const last = cdiDeviceEdits(spec, "0:6");
    expect(last?.deviceNodes.map((node) => node.path)).toContain("/dev/nvidia-caps/nvidia-cap121");
    expect(last?.deviceNodes.map((node) => node.path)).not.toContain("/dev/nvidia-caps/nvidia-cap66");
  });

  it("refuses bad specs naming the file and the field", () => {
    expect(specError("cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices: []\n").message).toBe(
      "/etc/cdi/bad.yaml: devices: must name at least one device",
    );
    expect(specError("kind: nvidia.com/gpu\ndevices: [{name: '0'}]\n").field).toBe("cdiVersion");
    expect(specError("cdiVersion: 0.5.0\nkind: gpu\ndevices: [{name: '0'}]\n").field).toBe("kind");
    const relative = specError(
      "cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices:\n- name: '0'\n  containerEdits:\n    deviceNodes:\n    - path: dev/nvidia0\n",
    );
    expect(relative.field).toBe("devices[0].containerEdits.deviceNodes[0].path");
    expect(relative.code).toBe("ILD_CDI_SPEC_INVALID");
    expect(
      specError(
        "cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices: [{name: '0'}]\ncontainerEdits: {mounts: [{hostPath: /a}]}\n",
      ).field,
    ).toBe("containerEdits.mounts[0].containerPath");
    expect(
      specError("cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices: [{name: '0'}, {name: '0'}]\n").field,
    ).toBe("devices[1].name");
    expect(specError("{not: [yaml").field).toBe("(document)");
  });
});

describe("readCdiSpecs", () => {
  it("reads *.yaml and *.json of every folder, skips missing folders and other kinds", async () => {
    const root = mkdtempSync(join(tmpdir(), "ild-cdi-"));
    roots.push(root);
    mkdirSync(join(root, "etc"));
    mkdirSync(join(root, "run"));
    copyFileSync(join(CDI_DIR, "h100x1.nvidia.yaml"), join(root, "etc", "nvidia.yaml"));
    copyFileSync(join(CDI_DIR, "a100-mig.nvidia.json"), join(root, "run", "nvidia.json"));
    writeFileSync(join(root, "run", "notes.txt"), "not a spec");
    writeFileSync(
      join(root, "run", "amd.yaml"),
      "cdiVersion: 0.6.0\nkind: amd.com/gpu\ndevices: [{name: '0', containerEdits: {deviceNodes: [{path: /dev/kfd}]}}]\n",
    );
    const specs = await readCdiSpecs({ dirs: [join(root, "etc"), join(root, "run"), join(root, "absent")] });
    expect(specs.map((spec) => spec.file)).toEqual([
      join(root, "etc", "nvidia.yaml"),
      join(root, "run", "nvidia.json"),
    ]);
    const every = await readCdiSpecs({ dirs: [join(root, "run")], kind: undefined });
    expect(every.map((spec) => spec.kind)).toEqual(["amd.com/gpu", "nvidia.com/gpu"]);
    writeFileSync(join(root, "run", "broken.yaml"), "cdiVersion: 0.5.0\nkind: nvidia.com/gpu\n");
    await expect(readCdiSpecs({ dirs: [join(root, "run")] })).rejects.toThrow(
      `${join(root, "run", "broken.yaml")}: devices: must name at least one device`,
    );
  });
});
