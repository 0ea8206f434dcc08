/** Pool logic against in-memory engines (FakeDockerClient): deterministic edge cases and scale. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DockerError } from "../docker/docker-errors.js";
import { DindSecurityProbeError, PoolClosedError, PoolExhaustedError } from "../errors.js";
import { labelKeys, poolLabels } from "../labels.js";
import type { DindPoolOptions, PoolEvent } from "../pool-types.js";
import { FakeDockerClient, type FakeDockerContainer } from "../testing/fake-docker-client.js";
import { createDindPool } from "./create-dind-pool.js";
import { hardenedCapabilities } from "./dind-security.js";

let socketRoot: string;

beforeEach(async () => {
  socketRoot = await mkdtemp(join(tmpdir(), "ildu-"));
});

afterEach(async () => {
  await rm(socketRoot, { recursive: true, force: true });
});

function setup(
  patch: Partial<DindPoolOptions> = {},
  hostOptions: ConstructorParameters<typeof FakeDockerClient>[0] = {},
  prepare: (host: FakeDockerClient) => void = () => {},
) {
  const host = new FakeDockerClient({ images: ["ild/dind:1", "ild/busybox:1"], ...hostOptions });
  prepare(host);
  const inners = new Map<string, FakeDockerClient>();
  const events: PoolEvent[] = [];
  const pool = createDindPool({
    docker: host,
    poolId: "unit",
    size: 2,
    image: "ild/dind:1",
    socketRoot,
    dnsServers: [],
    connectInner: (socketPath) => {
      const inner = new FakeDockerClient();
      inners.set(socketPath, inner);
      return inner;
    },
    ...patch,
  });
  pool.on((event) => events.push(event));
  const dinds = (): FakeDockerContainer[] =>
    [...host.containers.values()].filter((container) => container.labels[labelKeys.role] === "dind");
  return { host, inners, events, pool, dinds };
}

describe("createDindPool (in-memory engines)", () => {
  it("auto resolves to the hardened set, probed with the DIND's own settings, and removes the probe", async () => {
    const { host, pool, dinds } = setup({ size: 1 });
    expect((await pool.info).securityMode).toBe("hardened");
    await pool.whenWarm();
    const hostConfig = dinds()[0]?.body.HostConfig as Record<string, unknown>;
    expect(hostConfig).toMatchObject({ CapDrop: ["ALL"], CapAdd: [...hardenedCapabilities] });
    expect(hostConfig.Privileged).toBeUndefined();
    expect(hostConfig.DeviceCgroupRules).toBeUndefined();
    await pool.close();
    expect([...host.containers.values()]).toEqual([]);
  });

  it("never falls back to a weaker set: a refused probe fails the start and names the setting", async () => {
    const { host, pool } = setup({ size: 1, runtime: "sysbox-runc" });
    host.failNext(
      "createContainer",
      new DockerError("container.create", "unknown or invalid runtime name: sysbox-runc", {
        statusCode: 400,
      }),
    );
    const failure = await pool.info.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DindSecurityProbeError);
    expect((failure as DindSecurityProbeError).code).toBe("ILD_DIND_SECURITY_PROBE_FAILED");
    expect((failure as Error).message).toMatch(/runtime sysbox-runc.*Ild\.dind\.securityMode/s);
    await pool.close();
    expect([...host.containers.values()]).toEqual([]);
  });

  it("capabilities and privileged stay explicit opt-ins (no probe)", async () => {
    const { host, pool, dinds } = setup({ size: 1, securityMode: "capabilities" });
    expect((await pool.info).securityMode).toBe("capabilities");
    await pool.whenWarm();
    expect(dinds()[0]?.body.HostConfig).toMatchObject({ CapAdd: ["ALL"], CapDrop: ["SYS_RESOURCE"] });
    await pool.close();
    expect([...host.containers.values()]).toEqual([]);
  });

  it("a start that fails without an engine answer is no verdict: the pool start fails", async () => {
    const { pool, events } = setup({ size: 1 }, {}, (host) =>
      host.failNext("version", new Error("connect ECONNREFUSED")),
    );
    await expect(pool.info).rejects.toThrow(/ECONNREFUSED/);
    await expect(pool.whenWarm()).rejects.toThrow(/ECONNREFUSED/);
    await expect(pool.acquire({ podUid: "x" })).rejects.toThrow(/ECONNREFUSED/);
    expect(events).toEqual([]);
    await pool.close();
  });

  it("serves 5 concurrent acquires on a pool of 2 in FIFO order and refills to 2", async () => {
    const { pool, events, dinds } = setup({ securityMode: "capabilities" });
    await pool.whenWarm();
    const leases = await Promise.all([0, 1, 2, 3, 4].map((index) => pool.acquire({ podUid: `p${index}` })));
    const leasedOrder = events.flatMap((event) => (event.type === "dind-leased" ? [event.podUid] : []));
    expect(leasedOrder).toEqual(["p0", "p1", "p2", "p3", "p4"]);
    expect(new Set(leases.map((lease) => lease.containerId)).size).toBe(5);
    await pool.whenWarm();
    expect(pool.stats()).toMatchObject({ warm: 2, leased: 5, waiting: 0 });
    expect(dinds()).toHaveLength(7);
    await Promise.all(leases.map((lease) => lease.release()));
    expect(dinds()).toHaveLength(2);
    await pool.close();
    expect(dinds()).toHaveLength(0);
  });

  it("times out a waiter with PoolExhaustedError while builds hang", async () => {
    let started = 0;
    const { pool } = setup(
      { size: 1, acquireTimeoutMs: 30, securityMode: "capabilities" },
      {
        onStart: async () => {
          started++;
          if (started > 1) {
            await new Promise(() => {}); // the engine never finishes starting it
          }
        },
      },
    );
    await pool.whenWarm();
    await pool.acquire({ podUid: "first" });
    await expect(pool.acquire({ podUid: "second" })).rejects.toBeInstanceOf(PoolExhaustedError);
    expect(pool.stats().waiting).toBe(0);
    const closing = pool.close();
    await expect(pool.acquire({ podUid: "third" })).rejects.toBeInstanceOf(PoolClosedError);
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 50))]);
  });

  it("the same pod UID twice gets the same lease; a released one a new DIND", async () => {
    const { pool } = setup({ securityMode: "capabilities" });
    const [first, second] = await Promise.all([
      pool.acquire({ podUid: "same" }),
      pool.acquire({ podUid: "same" }),
    ]);
    expect(second).toBe(first);
    await first?.release();
    const third = await pool.acquire({ podUid: "same" });
    expect(third.containerId).not.toBe(first?.containerId);
    await third.release();
    await pool.close();
  });

  it("applies resources at acquire and records the lease in a marker volume", async () => {
    const { host, pool } = setup({ securityMode: "capabilities" });
    const lease = await pool.acquire({ podUid: "res", resources: { nanoCpus: 1e9, memoryBytes: 1024 } });
    const container = host.containers.get(lease.containerId);
    expect(container?.resources).toEqual({ NanoCpus: 1e9, Memory: 1024, MemorySwap: 1024 });
    const marker = host.volumes.get(`${lease.containerName}-lease`);
    expect(marker?.labels).toMatchObject({
      [labelKeys.poolId]: "unit",
      [labelKeys.leaseState]: "leased",
      [labelKeys.podUid]: "res",
      [labelKeys.dind]: lease.containerName,
    });
    await lease.release();
    expect(host.volumes.size).toBe(0);
    await pool.close();
  });

  it("never hands out a warm DIND whose engine stopped answering", async () => {
    const { pool, inners, dinds } = setup({ size: 1, securityMode: "capabilities" });
    await pool.whenWarm();
    const [dead] = dinds();
    for (const inner of inners.values()) {
      inner.failNext("ping", new Error("connect ENOENT"));
    }
    const lease = await pool.acquire({ podUid: "healthy" });
    expect(lease.containerId).not.toBe(dead?.id);
    expect(dinds().map((container) => container.id)).not.toContain(dead?.id);
    expect(pool.stats().failed).toBe(1);
    await lease.release();
    await pool.close();
  });

  it("recovers from a failed build: reports it, retries, becomes warm", async () => {
    const { host, pool, events } = setup({ size: 1, securityMode: "capabilities" });
    host.failNext("createContainer");
    await pool.whenWarm();
    expect(events.some((event) => event.type === "dind-failed")).toBe(true);
    expect(pool.stats()).toMatchObject({ warm: 1, failed: 1 });
    expect(host.networks.size).toBe(1); // the failed build's network was removed
    await pool.close();
  });

  it("reconcile adopts marked DINDs, removes the rest, never touches another pool", async () => {
    const first = setup({ size: 1, securityMode: "capabilities" });
    const lease = await first.pool.acquire({ podUid: "keep-me" });
    await first.pool.whenWarm();
    // simulate a crash: the process disappears without closing anything
    const host = first.host;
    const other = await host.createContainer("ild-other-00000000", {
      Image: "ild/busybox:1",
      Labels: poolLabels("other", "dind", { [labelKeys.leaseState]: "building" }),
    });
    await host.createNetwork({ Name: "ild-other-00000000", Labels: poolLabels("other", "network") });

    const second = createDindPool({
      docker: host,
      poolId: "unit",
      size: 0,
      image: "ild/dind:1",
      socketRoot,
      securityMode: "capabilities",
      dnsServers: [],
      connectInner: () => new FakeDockerClient(),
    });
    await second.info;
    const adopted = second.findLease("keep-me");
    expect(adopted).toMatchObject({ containerId: lease.containerId, adopted: true, ip: lease.ip });
    const ours = [...host.containers.values()].filter(
      (container) => container.labels[labelKeys.poolId] === "unit",
    );
    expect(ours.map((container) => container.id)).toEqual([lease.containerId]);
    expect(host.containers.has(other)).toBe(true);
    expect([...host.networks.values()].map((network) => network.name).sort()).toEqual(
      ["ild-other-00000000", lease.networkName].sort(),
    );
    await adopted?.release();
    await second.close();
  });

  it("handles 1,000 leases", async () => {
    const { pool, dinds, host } = setup({ size: 10, maxConcurrentBuilds: 10, securityMode: "capabilities" });
    const leases = await Promise.all(
      Array.from({ length: 1000 }, (_unused, index) => pool.acquire({ podUid: `pod-${index}` })),
    );
    expect(new Set(leases.map((lease) => lease.containerId)).size).toBe(1000);
    expect(pool.leases()).toHaveLength(1000);
    expect(pool.findLease("pod-999")).toBe(leases[999]);
    await Promise.all(leases.map((lease) => lease.release()));
    await pool.whenWarm();
    expect(dinds()).toHaveLength(10);
    expect(host.volumes.size).toBe(0);
    await pool.close();
    expect(dinds()).toHaveLength(0);
    expect(host.networks.size).toBe(0);
  });

  it("close() during a build leaves nothing, even where an abandoned create request still lands on the engine", async () => {
    // A real engine finishes a create whose HTTP request the client abandoned: the object appears after
    // the client gave up. Model that on createNetwork and createContainer, then close the pool while the
    // first DIND's network is being created.
    let networkStarted: () => void = () => {};
    const networkInFlight = new Promise<void>((resolve) => {
      networkStarted = resolve;
    });
    const { host, pool, dinds } = setup({ size: 1, securityMode: "capabilities" }, {}, (fake) => {
      for (const operation of ["createNetwork", "createContainer"] as const) {
        const original = fake[operation].bind(fake) as (...args: unknown[]) => Promise<string>;
        (fake as unknown as Record<string, unknown>)[operation] = (...args: unknown[]) => {
          const options = args.at(-1) as { signal?: AbortSignal } | undefined;
          if (operation === "createNetwork") {
            networkStarted();
          }
          // the engine's side of the request: it goes on whatever the client does
          const engineArgs = args.map((arg) =>
            arg === options && options !== undefined ? { ...options, signal: undefined } : arg,
          );
          const landed = new Promise<string>((resolve, reject) => {
            setTimeout(() => original(...engineArgs).then(resolve, reject), 30);
          });
          const abandoned = new Promise<string>((_, reject) => {
            options?.signal?.addEventListener("abort", () => reject(options.signal?.reason), { once: true });
          });
          return Promise.race([landed, abandoned]);
        };
      }
    });
    await networkInFlight;
    await pool.close();
    await new Promise((resolve) => setTimeout(resolve, 100)); // anything abandoned has landed by now
    expect(dinds()).toHaveLength(0);
    expect(
      [...host.networks.values()].filter((network) => network.labels[labelKeys.poolId] === "unit"),
    ).toEqual([]);
  });

  it("refuses a seed written by another storage driver than overlay2, and delivers images by streaming", async () => {
    const inners: FakeDockerClient[] = [];
    const { host, pool, dinds, events } = setup({
      size: 1,
      securityMode: "capabilities",
      preloadImages: ["ild/busybox:1"],
      // every inner engine, the seed builder's included, reports vfs (its data root on overlayfs)
      connectInner: () => {
        const inner = new FakeDockerClient({ storageDriver: "vfs" });
        inners.push(inner);
        return inner;
      },
    });
    await pool.whenWarm();
    const [dind] = dinds();
    expect(dind?.body.Env ?? []).not.toContain("ILD_SEED_DIR=/seed");
    expect(
      [...host.containers.values()].filter((item) => item.labels[labelKeys.role] === "seed-builder"),
    ).toEqual([]);
    // never a silent half-state: the warm DIND got the preloaded image streamed, and said so
    expect(events.filter((event) => event.type === "dind-preloaded")).toEqual([
      expect.objectContaining({ seeded: [], streamed: ["ild/busybox:1"] }),
    ]);
    const lease = await pool.acquire({ podUid: "vfs-pod" });
    expect(await lease.docker.inspectImage("ild/busybox:1")).toBeDefined();
    await lease.deliverImages(["ild/busybox:1"]);
    await lease.release();
    await pool.close();
  });
});
