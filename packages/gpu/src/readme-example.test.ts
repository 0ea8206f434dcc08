import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import {
  allocationsFromLabels,
  createDeviceBook,
  deviceLabels,
  discoverNvidiaGpus,
  genericDevicesFromConfig,
  toDindDevices,
  toDockerDeviceOptions,
  toPingAccelerators,
} from "./index.js";
import {
  createFakeNvidiaSmi,
  type FakeNvidiaSmi,
  fixture,
  withoutPowerDraw,
} from "./testing/fake-nvidia-smi.js";

let smi: FakeNvidiaSmi | undefined;
let dataRoot: string | undefined;
afterEach(() => {
  smi?.remove();
  if (dataRoot) {
    rmSync(dataRoot, { recursive: true, force: true });
  }
});

it("the README usage runs (nvidia-smi replaced by a fake answering with the h100x8 fixtures)", async () => {
  smi = createFakeNvidiaSmi({
    queryGpu: { stdout: withoutPowerDraw(fixture("h100x8.query-gpu.csv")) },
    topo: { stdout: fixture("h100x8-baremetal.topo-m.txt") },
  });
  dataRoot = mkdtempSync(join(tmpdir(), "ild-gpu-readme-"));
  const env = { GPUENABLED: "1", PATH: smi.dir };
  const podUid = "5f0c1d2e-0000-4000-8000-000000000001";
  const logged: string[] = [];
  const logger = { warn: (_bindings: object, message: string) => logged.push(message) };

  // --- README: Usage ---
  const nvidia = await discoverNvidiaGpus({ enabled: env.GPUENABLED !== "0", timeoutMs: 10_000, env });
  if (!nvidia.ok) {
    logger.warn({ reason: nvidia.reason }, nvidia.message); // capacity stays at zero
  }
  const book = createDeviceBook({
    devices: [...nvidia.devices, ...genericDevicesFromConfig({ "xilinx.com/fpga": ["/dev/dri/renderD128"] })],
    persistPath: join(dataRoot, "devices.json"),
    ...(nvidia.ok && nvidia.topology ? { topology: nvidia.topology } : {}),
  });
  const allocation = book.allocate(podUid, [
    { container: "train", requests: { "nvidia.com/gpu": 2 } },
    { container: "sidecar", requests: {} },
  ]);
  const dindDevices = toDindDevices(Object.values(allocation.containers).flat()); // the pod's DIND
  const train = toDockerDeviceOptions(allocation.containers.train ?? []); // HostConfig of the inner container
  const labels = { "io.ild.pod-uid": podUid, ...deviceLabels(allocation) }; // on the DIND
  const accelerators = toPingAccelerators(book.capacity()); // PingResponse.resources.accelerators

  // after a restart: rebuild from the labels of the listed DIND containers (labels win)
  const restarted = createDeviceBook({
    devices: nvidia.devices,
    persistPath: join(dataRoot, "devices.json"),
  });
  restarted.restore(allocationsFromLabels([{ Labels: labels }], "io.ild.pod-uid").allocations);

  book.release(podUid); // on delete; idempotent
  // --- end ---

  expect(logged).toEqual([]);
  expect(dindDevices.deviceRequests?.[0]?.DeviceIDs).toHaveLength(2);
  expect(train.DeviceRequests).toEqual(dindDevices.deviceRequests);
  expect(accelerators).toEqual([
    { resourceType: "nvidia.com/gpu", available: "6" },
    { resourceType: "xilinx.com/fpga", available: "1" },
  ]);
  expect(restarted.allocationOf(podUid)).toEqual(allocation);
  expect(book.capacity()[0]).toEqual({ resource: "nvidia.com/gpu", total: 8, free: 8 });
});
