/** Real-engine tests: background warming, acquire + delivered image, FIFO waiters, exhaustion, cleanup. */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "../docker/docker-client.js";
import { createDockerClient } from "../docker/dockerode-client.js";
import { PoolExhaustedError } from "../errors.js";
import type { DindLease, DindPool, PoolEvent } from "../pool-types.js";
import { createDindPool } from "./create-dind-pool.js";
import {
  busybox,
  dindImage,
  dockerCli,
  leftovers,
  newSocketRoot,
  removePoolObjects,
  runInner,
  socketDirs,
  testLabel,
  uniquePoolId,
} from "./pool.test-helpers.js";

const poolId = uniquePoolId("warm");
const exhaustedPoolId = uniquePoolId("exh");
const deliveredTag = `ild-test/delivered-${randomBytes(3).toString("hex")}:1`;

describe("dind pool on the real engine", () => {
  let host: DockerClient;
  let socketRoot: string;
  let sharedDir: string;
  let pool: DindPool | undefined;
  const events: PoolEvent[] = [];

  beforeAll(async () => {
    host = createDockerClient({ env: {} });
    socketRoot = await newSocketRoot();
    sharedDir = await mkdtemp("/tmp/ildp-shared-");
    await dockerCli(["tag", busybox, deliveredTag]);
  });

  afterAll(async () => {
    await pool?.close();
    for (const lease of pool?.leases() ?? []) {
      await lease.release();
    }
    await removePoolObjects(host, poolId, socketRoot);
    await removePoolObjects(host, exhaustedPoolId, socketRoot);
    await host.removeImage(deliveredTag);
    await rm(sharedDir, { recursive: true, force: true });
    await host.close();
  });

  it("warms a pool of 2 in the background", async () => {
    pool = createDindPool({
      docker: host,
      poolId,
      size: 2,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      preloadImages: [busybox],
      sharedPaths: [{ path: sharedDir }],
    });
    pool.on((event) => events.push(event));
    // createDindPool returned at once: nothing is warm yet, the caller can serve
    expect(pool.stats()).toMatchObject({ size: 2, warm: 0, leased: 0 });
    await pool.whenWarm();
    expect(pool.stats()).toMatchObject({ size: 2, warm: 2, leased: 0, waiting: 0, failed: 0 });
    expect(events.filter((event) => event.type === "dind-ready")).toHaveLength(2);
    expect(events.some((event) => event.type === "pool-warm")).toBe(true);
    const info = await pool.info;
    expect(info.endpoint).toBe("unix:///var/run/docker.sock");
    expect(info.securityMode).toBe("hardened"); // auto never picks --privileged
    expect((await leftovers(host, poolId)).containers).toHaveLength(2);
    // the caller's extra labels are on everything the pool created
    const labelled = [`io.ild.test=@ild/dind-pool`, `io.ild.pool-id=${poolId}`];
    expect(await host.listContainers({ label: labelled })).toHaveLength(2);
    expect(await host.listNetworks({ label: labelled })).toHaveLength(2);
  });

  it("acquire returns a lease whose inner engine runs a container from a delivered image", async () => {
    const current = pool as DindPool;
    const lease = await current.acquire({
      podUid: "pod-run",
      resources: { nanoCpus: 500_000_000, memoryBytes: 256 * 1024 * 1024 },
    });
    expect(lease.podUid).toBe("pod-run");
    expect(current.findLease("pod-run")).toBe(lease);
    expect(lease.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const inspected = await host.inspectContainer(lease.containerId);
    expect(inspected.networks[lease.networkName ?? ""]?.ipAddress).toBe(lease.ip);
    const hostConfig = inspected.raw.HostConfig as Record<string, unknown>;
    expect(hostConfig.NanoCpus).toBe(500_000_000);
    expect(hostConfig.Memory).toBe(256 * 1024 * 1024);
    // the seeded image is there at once, the other one is delivered (save → load, no registry)
    expect(await lease.docker.inspectImage(busybox)).toBeDefined();
    expect(await lease.docker.inspectImage(deliveredTag)).toBeUndefined();
    await lease.deliverImages([deliveredTag]);
    const run = await runInner(lease.docker, deliveredTag, ["echo", "hello from the inner engine"]);
    expect(run).toEqual({ exitCode: 0, output: "hello from the inner engine\n" });
    // sharedPaths are visible to the inner engine at the same path
    await writeFile(join(sharedDir, "note.txt"), "shared\n");
    const shared = await runInner(lease.docker, busybox, ["cat", `${sharedDir}/note.txt`], {
      Binds: [`${sharedDir}:${sharedDir}:ro`],
    });
    expect(shared.output).toBe("shared\n");
    // a second delivery comes from the host tar cache
    await lease.docker.removeImage(deliveredTag);
    await lease.deliverImages([deliveredTag]);
    expect(await lease.docker.inspectImage(deliveredTag)).toBeDefined();

    const socketDir = join(socketRoot, poolId, lease.containerName.slice(-8));
    await lease.release();
    await lease.release();
    expect(current.findLease("pod-run")).toBeUndefined();
    await expect(host.inspectContainer(lease.containerId)).rejects.toMatchObject({
      code: "ILD_DOCKER_NOT_FOUND",
    });
    const left = await leftovers(host, poolId);
    expect(left.networks).not.toContain(lease.networkName);
    expect(left.volumes).toEqual([]);
    await expect(stat(socketDir)).rejects.toMatchObject({ code: "ENOENT" });
    expect(events.some((event) => event.type === "dind-released" && event.podUid === "pod-run")).toBe(true);
  });

  it("5 concurrent acquires on a pool of 2 all succeed, served in FIFO order", async () => {
    const current = pool as DindPool;
    await current.whenWarm();
    const readyOrder: string[] = [];
    const unsubscribe = current.on((event) => {
      if (event.type === "dind-ready") {
        readyOrder.push(event.containerId);
      }
    });
    const leases: DindLease[] = await Promise.all(
      [0, 1, 2, 3, 4].map((index) => current.acquire({ podUid: `fifo-${index}` })),
    );
    unsubscribe();
    expect(new Set(leases.map((lease) => lease.containerId)).size).toBe(5);
    expect(leases.map((lease) => lease.podUid)).toEqual(["fifo-0", "fifo-1", "fifo-2", "fifo-3", "fifo-4"]);
    // the first two took the warm DINDs; the waiters got new DINDs in the order they became ready
    expect(readyOrder.slice(0, 3)).toEqual(leases.slice(2).map((lease) => lease.containerId));
    for (const lease of leases) {
      await lease.docker.ping();
    }
    expect(current.stats().leased).toBe(5);
    await Promise.all(leases.map((lease) => lease.release()));
    expect(current.stats().leased).toBe(0);
  });

  it("an exhausted pool times out with PoolExhaustedError", async () => {
    const small = createDindPool({
      docker: host,
      poolId: exhaustedPoolId,
      size: 1,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      maxConcurrentBuilds: 1,
      acquireTimeoutMs: 50, // far below a DIND's boot time
    });
    try {
      await small.whenWarm();
      const first = await small.acquire({ podUid: "only" });
      const error = await small.acquire({ podUid: "too-many" }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PoolExhaustedError);
      expect(error).toMatchObject({ code: "ILD_POOL_EXHAUSTED", poolId: exhaustedPoolId, poolSize: 1 });
      expect(small.stats().waiting).toBe(0);
      await first.release();
    } finally {
      await small.close();
    }
    expect(await leftovers(host, exhaustedPoolId)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it("release and close leave no container, network or volume behind", async () => {
    const current = pool as DindPool;
    await current.close();
    await current.close();
    expect(await leftovers(host, poolId)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(await socketDirs(socketRoot, poolId)).toEqual([]);
    await expect(current.acquire({ podUid: "after-close" })).rejects.toMatchObject({
      code: "ILD_POOL_CLOSED",
    });
  });
});
