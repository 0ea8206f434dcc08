/**
 * GPUs inside the pod's own DIND without the NVIDIA runtime, on the real engine, with FAKE device nodes
 * (mknod of harmless char devices 1:3 /dev/null and 1:5 /dev/zero named like nvidia nodes) and a fake
 * `nvidia-smi` shell script, fed through ild's own discovery (`findNvidiaDriverFiles` + `withNvidiaEdits`).
 * A pod with `nvidia.com/gpu: 1` sees exactly its booked node and the mounted script, read-only; the
 * second pod sees the other node; a container that booked nothing sees no node and no driver file.
 */

import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDeviceBook, type Device, findNvidiaDriverFiles, withNvidiaEdits } from "@ild/gpu";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineFixture, type EngineFixture } from "./test-support/engine-fixture.js";
import { podInput, shell } from "./test-support/pods.js";
import { asHandle, containerState, waitForLogs, waitForStatus } from "./test-support/runner-fixture.js";

let fixture: EngineFixture;
let gpuRoot: string;
let smi: string;

const GPUS = [
  { uuid: "GPU-11111111-fake-4000-8000-000000000000", bus: "0000:00:09.0", minor: 0, dev: [1, 3] },
  { uuid: "GPU-22222222-fake-4000-8000-000000000001", bus: "0000:00:0a.0", minor: 1, dev: [1, 5] },
] as const;

beforeAll(async () => {
  gpuRoot = await mkdtemp(path.join(tmpdir(), "ild-fake-gpu-"));
  const dev = path.join(gpuRoot, "dev");
  await mkdir(dev);
  // Char devices where the kernel lets us (root): Docker only maps device nodes into containers.
  const nodes: Array<[string, number, number]> = [
    ...GPUS.map((gpu): [string, number, number] => [`nvidia${gpu.minor}`, gpu.dev[0], gpu.dev[1]]),
    ["nvidiactl", 1, 7],
  ];
  for (const [name, major, minor] of nodes) {
    execFileSync("mknod", [path.join(dev, name), "c", String(major), String(minor)]);
  }
  for (const gpu of GPUS) {
    const info = path.join(gpuRoot, "proc/driver/nvidia/gpus", gpu.bus);
    await mkdir(info, { recursive: true });
    await writeFile(
      path.join(info, "information"),
      `Model: \t\t Fake\nBus Location: \t ${gpu.bus}\nDevice Minor: \t ${gpu.minor}\n`,
    );
  }
  await mkdir(path.join(gpuRoot, "bin"));
  await mkdir(path.join(gpuRoot, "lib"));
  smi = path.join(gpuRoot, "bin", "nvidia-smi");
  // Stands in for nvidia-smi -L: one line per NVIDIA GPU node the container can see.
  await writeFile(
    smi,
    '#!/bin/sh\nfor n in /dev/nvidia[0-9]*; do [ -c "$n" ] && echo "GPU $(basename $n | tr -d a-z): Fake (UUID: $NVIDIA_VISIBLE_DEVICES)"; done\n',
  );
  await chmod(smi, 0o755);
  const libcuda = path.join(gpuRoot, "lib", "libcuda.so.1");
  await writeFile(libcuda, "not a library\n");
  const files = await findNvidiaDriverFiles({
    execFile: async () => ({ stdout: `\tlibcuda.so.1 (libc6,x86-64) => ${libcuda}\n` }),
    procRoot: path.join(gpuRoot, "proc"),
    binDirs: [path.join(gpuRoot, "bin")],
  });
  const discovered: Device[] = GPUS.map((gpu, index) => ({
    resource: "nvidia.com/gpu",
    vendor: "nvidia",
    id: gpu.uuid,
    paths: [],
    index,
    pciBusId: `0000${gpu.bus}`,
  }));
  const devices = await withNvidiaEdits(discovered, { kind: "discovery", files, devRoot: dev });
  fixture = await createEngineFixture("dind-gpu", "dind", { devices: createDeviceBook({ devices }) });
}, 120_000);

afterAll(async () => {
  await fixture?.cleanup();
  await rm(gpuRoot, { recursive: true, force: true });
}, 120_000);

const report = () =>
  `echo "nodes=$(ls /dev | grep nvidia | tr '\\n' ' ')"; if [ -x ${smi} ]; then ${smi}; echo smi=yes; else echo smi=no; fi; ` +
  `if { echo > ${smi}; } 2>/dev/null; then echo smi-writable; else echo smi-readonly; fi; ` +
  `echo "caps=$NVIDIA_DRIVER_CAPABILITIES done"`;

/** The device nodes the container listed. */
const nodesOf = (text: string) =>
  (/^nodes=(.*)$/m.exec(text)?.[1] ?? "missing").trim().split(" ").filter(Boolean).sort();

describe("fake GPUs through a real DIND (no NVIDIA runtime)", () => {
  it("each pod's GPU container sees exactly its booked node and the driver files; a plain one sees none", async () => {
    const gpuPod = (name: string) =>
      podInput(name, {
        restartPolicy: "Never",
        containers: [
          { ...shell("cuda", report()), resources: { limits: { "nvidia.com/gpu": "1" } } },
          ...(name === "gpu-a" ? [shell("plain", report())] : []),
        ],
      });
    const a = asHandle(await fixture.runner.start(gpuPod("gpu-a")));
    const b = asHandle(await fixture.runner.start(gpuPod("gpu-b")));
    const logs: Record<string, string> = {};
    for (const [handle, container] of [
      [a, "cuda"],
      [a, "plain"],
      [b, "cuda"],
    ] as const) {
      logs[`${handle.podUid}/${container}`] = await waitForLogs(
        fixture.runner,
        handle.podUid,
        container,
        (text) => text.includes(" done"),
      );
    }
    const aCuda = logs[`${a.podUid}/cuda`] ?? "";
    const bCuda = logs[`${b.podUid}/cuda`] ?? "";
    const aPlain = logs[`${a.podUid}/plain`] ?? "";
    const [aGpu, bGpu] = [aCuda, bCuda].map((text) =>
      GPUS.find((gpu) => text.includes(`(UUID: ${gpu.uuid})`)),
    );
    expect(aGpu).toBeDefined();
    expect(bGpu).toBeDefined();
    expect(aGpu?.uuid).not.toBe(bGpu?.uuid);
    for (const [text, gpu] of [
      [aCuda, aGpu],
      [bCuda, bGpu],
    ] as const) {
      // its own node and the control node, nothing else; the script is there and read-only
      expect(nodesOf(text)).toEqual([`nvidia${gpu?.minor}`, "nvidiactl"]);
      expect(text).toContain(`GPU ${gpu?.minor}: Fake (UUID: ${gpu?.uuid})`);
      expect(text).toContain("smi=yes");
      expect(text).toContain("smi-readonly");
      expect(text).toContain("caps=compute,utility done");
    }
    expect(nodesOf(aPlain)).toEqual([]);
    expect(aPlain).toContain("smi=no");
    expect(aPlain).toContain("caps= done");
    for (const handle of [a, b]) {
      const done = await waitForStatus(
        fixture.runner,
        handle.podUid,
        (status) => containerState(status, "cuda")?.state?.terminated !== undefined,
      );
      expect(containerState(done, "cuda")?.state?.terminated?.exitCode).toBe(0);
      await fixture.runner.stop(handle, { gracePeriodSeconds: 0 });
    }
  }, 240_000);
});
