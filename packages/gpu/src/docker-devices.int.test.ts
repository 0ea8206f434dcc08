import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { createDeviceBook } from "./device-book.js";
import { allocationsFromLabels, deviceLabels } from "./device-labels.js";
import type { Device } from "./device-types.js";
import { toDockerDeviceOptions } from "./docker-rendering.js";
import { genericDevicesFromConfig } from "./generic-devices.js";

/**
 * Real engine (the shared one at /var/run/docker.sock): the rendered Engine API bodies are sent as they
 * are, over plain HTTP on the socket (this package does not use dockerode). Everything is labelled
 * io.ild.test=@ild/gpu and removed in afterAll.
 */
const SOCKET = process.env.DOCKER_HOST?.startsWith("unix://")
  ? process.env.DOCKER_HOST.slice("unix://".length)
  : "/var/run/docker.sock";
const TEST_LABEL = { "io.ild.test": "@ild/gpu", "io.ild.test-run": randomUUID() };
const created: string[] = [];

function api(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: SOCKET, method, path: `/v1.41${path}`, headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function createContainer(config: Record<string, unknown>): Promise<string> {
  const res = await api("POST", `/containers/create?name=ild-gpu-test-${randomUUID().slice(0, 8)}`, config);
  expect(res.status, res.text).toBe(201);
  const id = (JSON.parse(res.text) as { Id: string }).Id;
  created.push(id);
  return id;
}

afterAll(async () => {
  for (const id of created) {
    await api("DELETE", `/containers/${id}?force=1`);
  }
});

describe("rendered device options on the real Docker engine", () => {
  it("a booked generic device reaches the container, an unbooked one does not; labels rebuild the book", async () => {
    const devices = genericDevicesFromConfig({
      "example.com/tun": ["/dev/net/tun"],
      "example.com/fuse": ["/dev/fuse"],
    });
    const book = createDeviceBook({ devices });
    const podUid = randomUUID();
    const allocation = book.allocate(podUid, [{ container: "main", requests: { "example.com/tun": 1 } }]);
    const options = toDockerDeviceOptions(allocation.containers.main ?? []);
    const id = await createContainer({
      Image: "ild/busybox:1",
      Cmd: ["sh", "-c", "ls -l /dev/net/tun /dev/fuse 2>&1; true"],
      Tty: true,
      Env: options.Env,
      Labels: { ...TEST_LABEL, "io.ild.pod-uid": podUid, ...deviceLabels(allocation) },
      HostConfig: {
        Devices: options.Devices,
        GroupAdd: options.GroupAdd,
        DeviceRequests: options.DeviceRequests,
      },
    });
    expect((await api("POST", `/containers/${id}/start`)).status).toBe(204);
    const waited = await api("POST", `/containers/${id}/wait`);
    expect(JSON.parse(waited.text)).toMatchObject({ StatusCode: 0 });
    const logs = (await api("GET", `/containers/${id}/logs?stdout=1&stderr=1`)).text;
    expect(logs).toMatch(/^crw.* \/dev\/net\/tun\s*$/m);
    expect(logs).toMatch(/\/dev\/fuse: No such file or directory/);

    const filters = encodeURIComponent(
      JSON.stringify({ label: [`io.ild.test-run=${TEST_LABEL["io.ild.test-run"]}`] }),
    );
    const listed = JSON.parse((await api("GET", `/containers/json?all=1&filters=${filters}`)).text) as Array<{
      Labels: Record<string, string>;
    }>;
    const { allocations, invalid } = allocationsFromLabels(listed, "io.ild.pod-uid");
    expect(invalid).toEqual([]);
    const rebuilt = createDeviceBook({ devices });
    rebuilt.restore(allocations, { mode: "replace" });
    expect(rebuilt.allocationOf(podUid)).toEqual(allocation);
    expect(rebuilt.capacity()).toEqual(book.capacity());
  });

  it("an NVIDIA DeviceRequest on an engine without the NVIDIA toolkit is refused at start, never ignored", async () => {
    const gpu: Device = {
      resource: "nvidia.com/gpu",
      vendor: "nvidia",
      id: "GPU-1aa777ac-1920-c8a4-c9ee-324ac8d910c5",
      paths: [],
    };
    const options = toDockerDeviceOptions([gpu]);
    const id = await createContainer({
      Image: "ild/busybox:1",
      Cmd: ["true"],
      Env: options.Env,
      Labels: TEST_LABEL,
      HostConfig: { DeviceRequests: options.DeviceRequests },
    });
    const inspect = JSON.parse((await api("GET", `/containers/${id}/json`)).text) as {
      HostConfig: { DeviceRequests: unknown };
    };
    expect(inspect.HostConfig.DeviceRequests).toEqual([
      { Driver: "nvidia", Count: 0, DeviceIDs: [gpu.id], Capabilities: [["gpu"]], Options: null },
    ]);
    const start = await api("POST", `/containers/${id}/start`);
    expect(start.status).toBe(500);
    expect(start.text).toContain('could not select device driver \\"nvidia\\" with capabilities: [[gpu]]');
  });
});
