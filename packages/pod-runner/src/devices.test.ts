import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { removeTree } from "@ild/dind-pool";
import { createDeviceBook } from "@ild/gpu";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunner } from "./create-runner.js";
import type { RunnerOptions } from "./runner-types.js";
import { flush, ManualClock } from "./test-support/manual-clock.js";
import { MemoryDocker } from "./test-support/memory-docker.js";
import { podInput, shell } from "./test-support/pods.js";

let root: string;
let docker: MemoryDocker;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ild-runner-devices-"));
  docker = new MemoryDocker();
});

afterEach(async () => {
  await removeTree(root);
});

const widget = {
  resource: "example.com/widget",
  vendor: "generic" as const,
  id: "widget0",
  paths: ["/dev/widget0"],
};

function options(): RunnerOptions {
  return {
    docker,
    devices: createDeviceBook({ devices: [widget] }),
    dataRoot: path.join(root, "data"),
    runRoot: path.join(root, "run"),
    secretTmpfs: "off",
    podRootMounts: "off",
    clock: new ManualClock(),
    runnerId: "devices",
  };
}

const wants = (name: string) =>
  podInput(name, {
    containers: [{ ...shell("app", "sleep 1000"), resources: { limits: { "example.com/widget": "1" } } }],
  });

describe("devices", () => {
  it("books devices, hands them to the container, labels the sandbox, and releases them on stop", async () => {
    const runner = createRunner(options());
    const first = await runner.start(wants("first"));
    if ("dryRun" in first) {
      throw new Error("not a dry run");
    }
    const sandbox = docker.containers.get(first.jobId);
    expect(JSON.parse(sandbox?.labels["io.ild.devices"] ?? "{}")).toEqual({ app: ["widget0"] });
    await flush();
    const devices = (docker.byName("app")[0]?.body.HostConfig?.Devices ?? []) as Array<{
      PathOnHost: string;
    }>;
    expect(devices.map((device) => device.PathOnHost)).toEqual(["/dev/widget0"]);

    const second = wants("second");
    await expect(runner.start(second)).rejects.toThrow(/widget/);
    expect(docker.byName("app")).toHaveLength(1);

    await runner.stop(first, { gracePeriodSeconds: 0 });
    const again = await runner.start(second);
    expect("dryRun" in again).toBe(false);
    await runner.close();
  });

  it("restores the booking from the sandbox's labels after a restart", async () => {
    const first = createRunner(options());
    const handle = await first.start(wants("kept"));
    if ("dryRun" in handle) {
      throw new Error("not a dry run");
    }
    await first.close();
    const restarted = options();
    const runner = createRunner(restarted);
    await runner.recover();
    expect(
      restarted.devices?.allocationOf(handle.podUid)?.containers.app?.map((device) => device.id),
    ).toEqual(["widget0"]);
    await expect(runner.start(wants("other"))).rejects.toThrow(/widget/);
    await runner.close();
  });

  it("prunes at recovery the bookings of pods that are gone, and keeps those of pods that run", async () => {
    const book = createDeviceBook({
      devices: [widget, { ...widget, id: "widget1", paths: ["/dev/widget1"] }],
    });
    const first = createRunner({ ...options(), devices: book });
    const running = await first.start(wants("running"));
    if ("dryRun" in running) {
      throw new Error("not a dry run");
    }
    // a booking left by a pod whose containers and files vanished (a reboot, a crash mid-release)
    book.allocate("gone-pod", [{ container: "app", requests: { "example.com/widget": 1 } }]);
    expect(book.capacity()[0]?.free).toBe(0);
    await first.close();
    const second = createRunner({ ...options(), devices: book });
    await second.recover();
    expect(book.allocationOf("gone-pod")).toBeUndefined();
    expect(book.allocationOf(running.podUid)).toBeDefined();
    expect(book.capacity()[0]?.free).toBe(1);
    await second.stop(running.podUid, { gracePeriodSeconds: 0 });
    await second.close();
  });
});
