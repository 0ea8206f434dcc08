/**
 * Crash tests of the REAL sidecar process: kill -9 while pods run and while a create is in flight,
 * restart on the same data root, and check that every pod is reported, repeats are idempotent and
 * nothing leaks (containers, networks, volumes, files, device bookings).
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelledObjects, removeLabelled } from "./test-support/docker-leaks.js";
import { closeClients, interlinkLike, logRequest } from "./test-support/interlink-like.js";
import { BUSYBOX, makePod, retrieved } from "./test-support/pods.js";
import { type SidecarProcess, startSidecarProcess } from "./test-support/sidecar-process.js";
import { waitFor, waitRunning } from "./test-support/wait.js";

const started: SidecarProcess[] = [];
const DEVICE = "ild.test/dev";

async function freeDevices(client: ReturnType<typeof interlinkLike>): Promise<string | undefined> {
  const metrics = (await client.raw("GET", "/metrics")).body;
  return /ild_devices\{resource="ild\.test\/dev",state="free"\} (\d+)/.exec(metrics)?.[1];
}

afterAll(async () => {
  await closeClients();
  for (const sidecar of started) {
    await sidecar.stop("SIGKILL");
  }
  // Every instance and folder, also when a test failed half-way (restarts share their first's folders).
  for (const sidecar of started) {
    await removeLabelled(sidecar.instance);
    await sidecar.cleanup();
  }
}, 150_000);

async function start(reuse?: SidecarProcess): Promise<SidecarProcess> {
  const sidecar = await startSidecarProcess({
    ild: {
      engine: { default: "dind" },
      dind: { poolSize: 1, preloadImages: [BUSYBOX] },
      // Two bookable devices (generic, like FPGAs) so device bookings can be checked across a crash.
      gpu: { devices: { [DEVICE]: ["/dev/null", "/dev/zero"] } },
    },
    testLabel: "apps-sidecar-crash",
    ...(reuse === undefined ? {} : { reuse }),
  });
  started.push(sidecar);
  return sidecar;
}

describe("kill -9 and restart", () => {
  it("keeps running pods, reports them after a restart, finishes or redoes an interrupted create, leaks nothing", async () => {
    const first = await start();
    const client = interlinkLike({ port: first.port as number });
    const survivor = makePod("survivor", {
      restartPolicy: "Always",
      containers: [
        {
          name: "main",
          image: BUSYBOX,
          command: ["sh", "-c", "echo alive; sleep 3600"],
          resources: { limits: { [DEVICE]: "1" } },
        },
      ],
    });
    const created = await client.create(retrieved(survivor));
    expect(created.status).toBe(200);
    const jobId = JSON.parse(created.body).PodJID as string;
    await waitRunning(client, survivor, "main");
    expect(await freeDevices(client)).toBe("1");

    // A create in flight when the process dies.
    const interrupted = makePod("interrupted", {
      containers: [{ name: "main", image: BUSYBOX, command: ["sh", "-c", "echo second; sleep 3600"] }],
    });
    const inFlight = client.create(retrieved(interrupted)).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    await inFlight;

    const second = await start(first);
    const again = interlinkLike({ port: second.port as number });
    await second.waitForLine((line) => String(line.msg ?? "").startsWith("reconcile:"), 120_000);

    // Its device booking survived the crash (restored from labels), nothing else was booked.
    expect(await freeDevices(again)).toBe("1");

    // The survivor kept running and is reported with the same job id.
    const [status] = await again.status([survivor]);
    expect(status?.JID).toBe(jobId);
    expect(status?.containers?.[0]?.state?.running).toBeDefined();
    expect((await again.logs(logRequest(survivor, "main"))).body).toBe("alive\n");

    // A repeated create of a running pod is idempotent: same job, nothing new.
    const repeat = await again.create(retrieved(survivor));
    expect(repeat.status).toBe(200);
    expect(JSON.parse(repeat.body).PodJID).toBe(jobId);

    // The interrupted create is either recovered or redone by interLink's repeat.
    const redo = await again.create(retrieved(interrupted));
    expect(redo.status).toBe(200);
    await waitRunning(again, interrupted, "main");
    expect((await again.logs(logRequest(interrupted, "main"))).body).toBe("second\n");

    // Delete everything, stop gracefully: nothing of this instance is left.
    expect((await again.delete(survivor)).status).toBe(200);
    expect((await again.delete(interrupted)).status).toBe(200);
    expect(await freeDevices(again)).toBe("2");
    expect(await second.stop("SIGTERM")).toBe(0);
    await waitFor(
      "the pool's warm DINDs to be removed",
      async () => {
        const objects = await labelledObjects(first.instance);
        return objects.containers.length + objects.networks.length + objects.volumes.length === 0
          ? objects
          : undefined;
      },
      30_000,
    );
    const podDirs = existsSync(join(first.dataRoot, "pods"))
      ? await readdir(join(first.dataRoot, "pods"))
      : [];
    expect(podDirs).toEqual([]);
    const runPods = existsSync(join(first.runRoot, "pods")) ? await readdir(join(first.runRoot, "pods")) : [];
    expect(runPods).toEqual([]);
    const bookFile = join(first.dataRoot, "device-book.json");
    if (existsSync(bookFile)) {
      expect(await readFile(bookFile, "utf8")).not.toContain(survivor.metadata?.uid as string);
    }
  }, 180_000);

  it("a socket left by kill -9 is removed at the next start (it is a socket and nobody answers)", async () => {
    const sidecar = await startSidecarProcess({
      socket: true,
      ild: { engine: { default: "host", allowPodOverride: false } },
      testLabel: "apps-sidecar-crash",
    });
    started.push(sidecar);
    sidecar.child.kill("SIGKILL");
    await sidecar.exited;
    expect(existsSync(sidecar.socketPath as string)).toBe(true);
    const restarted = await startSidecarProcess({
      socket: true,
      reuse: sidecar,
      ild: { engine: { default: "host", allowPodOverride: false } },
      testLabel: "apps-sidecar-crash",
    });
    started.push(restarted);
    const client = interlinkLike({ socketPath: restarted.socketPath as string });
    expect((await client.ping()).status).toBe(200);
    expect(await restarted.stop("SIGTERM")).toBe(0);
  }, 150_000);
});
