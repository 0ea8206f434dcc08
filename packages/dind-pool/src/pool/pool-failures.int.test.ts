/** Real-engine tests of failure paths and of DINDs built for one lease. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "../docker/docker-client.js";
import { createDockerClient } from "../docker/dockerode-client.js";
import { DindStartError } from "../errors.js";
import { labelKeys } from "../labels.js";
import type { PoolEvent } from "../pool-types.js";
import { createDindPool } from "./create-dind-pool.js";
import {
  dindImage,
  leftovers,
  newSocketRoot,
  removePoolObjects,
  socketDirs,
  testLabel,
  uniquePoolId,
} from "./pool.test-helpers.js";

const brokenPoolId = uniquePoolId("broken");
const slowPoolId = uniquePoolId("slow");
const devicePoolId = uniquePoolId("device");
const volumePoolId = uniquePoolId("volume");

describe("pool failure paths on the real engine", () => {
  let host: DockerClient;
  let socketRoot: string;

  beforeAll(async () => {
    host = createDockerClient({ env: {} });
    socketRoot = await newSocketRoot();
  });

  afterAll(async () => {
    for (const poolId of [brokenPoolId, slowPoolId, devicePoolId, volumePoolId]) {
      await removePoolObjects(host, poolId, socketRoot);
    }
    await host.close();
  });

  it("a DIND whose dockerd exits fails fast with its last log lines, and is removed", async () => {
    const events: PoolEvent[] = [];
    const pool = createDindPool({
      docker: host,
      poolId: brokenPoolId,
      size: 1,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      maxConcurrentBuilds: 1,
      innerDaemonArgs: ["--no-such-dockerd-flag"],
    });
    pool.on((event) => events.push(event));
    try {
      const error = await pool.whenWarm().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DindStartError);
      expect(error).toMatchObject({ code: "ILD_DIND_START_FAILED", phase: "ready" });
      const startError = error as DindStartError;
      expect(startError.logTail.join("\n")).toContain("no-such-dockerd-flag");
      expect(startError.message).toContain("exited");
      expect(events.filter((event) => event.type === "dind-failed").length).toBeGreaterThanOrEqual(3);
      expect(pool.stats().failed).toBeGreaterThanOrEqual(3);
    } finally {
      await pool.close();
    }
    expect(await leftovers(host, brokenPoolId)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(await socketDirs(socketRoot, brokenPoolId)).toEqual([]);
  });

  it("a DIND that is not ready by the deadline is a typed timeout error and is removed", async () => {
    const pool = createDindPool({
      docker: host,
      poolId: slowPoolId,
      size: 1,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      maxConcurrentBuilds: 1,
      readyTimeoutMs: 1, // no dockerd answers within 1 ms
    });
    try {
      const error = await pool.whenWarm().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DindStartError);
      expect((error as DindStartError).message).toContain("did not answer _ping within 1 ms");
    } finally {
      await pool.close();
    }
    expect(await leftovers(host, slowPoolId)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it("storage volume: the inner data root is a labelled volume, removed after the DIND (close waits for it)", async () => {
    const pool = createDindPool({
      docker: host,
      poolId: volumePoolId,
      size: 1,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      storage: { kind: "volume" },
    });
    try {
      const lease = await pool.acquire({ podUid: "pod-volume" });
      const volumes = (await leftovers(host, volumePoolId)).volumes
        .filter((name) => name.startsWith(lease.containerName))
        .sort();
      expect(volumes).toEqual([`${lease.containerName}-data`, `${lease.containerName}-lease`]);
      const mounts = (await host.inspectContainer(lease.containerId)).raw.Mounts as Array<
        Record<string, string>
      >;
      expect(mounts.find((mount) => mount.Destination === "/var/lib/docker")?.Name).toBe(
        `${lease.containerName}-data`,
      );
      expect(((await lease.docker.info()) as { Driver?: string }).Driver).toBe("overlay2");
      await lease.release();
      // the DIND goes at once; its data volume is removed in the background (close() waits for it)
      expect((await leftovers(host, volumePoolId)).containers).not.toContain(lease.containerName);
    } finally {
      await pool.close();
    }
    expect(await leftovers(host, volumePoolId)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it("a lease with devices gets a DIND built for it, labelled leased with its pod UID", async () => {
    const pool = createDindPool({
      docker: host,
      poolId: devicePoolId,
      size: 0,
      image: dindImage,
      labels: testLabel,
      socketRoot,
    });
    try {
      const lease = await pool.acquire({
        podUid: "pod-gpu",
        devices: { env: ["ILD_TEST_DEVICE=1"] },
        resources: { memoryBytes: 512 * 1024 * 1024 },
      });
      const inspected = await host.inspectContainer(lease.containerId);
      expect(inspected.labels[labelKeys.leaseState]).toBe("leased");
      expect(inspected.labels[labelKeys.podUid]).toBe("pod-gpu");
      expect((inspected.raw.Config as { Env: string[] }).Env).toContain("ILD_TEST_DEVICE=1");
      expect((inspected.raw.HostConfig as { Memory: number }).Memory).toBe(512 * 1024 * 1024);
      await lease.docker.ping();
      expect(pool.stats()).toMatchObject({ warm: 0, leased: 1 });
      await lease.release();
    } finally {
      await pool.close();
    }
    expect(await leftovers(host, devicePoolId)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
