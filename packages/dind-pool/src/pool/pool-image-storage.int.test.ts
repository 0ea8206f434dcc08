/**
 * Real-engine tests of where images live: DINDs on their own data volume (removed with the DIND,
 * also after a crash), the seed store and image cache on disk outside the socket root, and the
 * preload check after boot (seed served, or streamed when the seed did not bring the images).
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "@ild/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "../docker/docker-client.js";
import { createDockerClient } from "../docker/dockerode-client.js";
import { labelKeys, poolFilter } from "../labels.js";
import type { DindPoolOptions, PoolEvent } from "../pool-types.js";
import { createDindPool } from "./create-dind-pool.js";
import {
  busybox,
  dindImage,
  dockerCli,
  leftovers,
  newSocketRoot,
  removePoolObjects,
  runInner,
  testLabel,
  uniquePoolId,
} from "./pool.test-helpers.js";

const volumePoolId = uniquePoolId("volume");
const seedPoolId = uniquePoolId("seedcheck");

/** Records the log lines (message and bindings) of everything below it. */
function recordingLogger(lines: Array<{ level: string; msg: string; bindings: object }>): Logger {
  const make = (): Logger => ({
    debug: (bindings, msg) => lines.push({ level: "debug", msg, bindings }),
    info: (bindings, msg) => lines.push({ level: "info", msg, bindings }),
    warn: (bindings, msg) => lines.push({ level: "warn", msg, bindings }),
    error: (bindings, msg) => lines.push({ level: "error", msg, bindings }),
    child: () => make(),
  });
  return make();
}

describe("image storage on the real engine", () => {
  let host: DockerClient;
  let socketRoot: string;
  let storeRoot: string;

  beforeAll(async () => {
    host = createDockerClient({ env: {} });
    socketRoot = await newSocketRoot();
    storeRoot = await mkdtemp(join(tmpdir(), "ild-store-"));
  });

  afterAll(async () => {
    for (const poolId of [volumePoolId, seedPoolId]) {
      await removePoolObjects(host, poolId, socketRoot);
    }
    await rm(storeRoot, { recursive: true, force: true });
    await host.close();
  });

  function options(poolId: string, patch: Partial<DindPoolOptions>): DindPoolOptions {
    return {
      docker: host,
      poolId,
      size: 1,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      storeRoot,
      securityMode: "hardened",
      storage: { kind: "volume" },
      preloadImages: [busybox],
      ...patch,
    };
  }

  it("a DIND on its own labelled volume, seeded from the disk store; the volume goes with the DIND, also after a crash", async () => {
    const events: PoolEvent[] = [];
    const crashed = createDindPool(options(volumePoolId, {}));
    crashed.on((event) => events.push(event));
    await crashed.whenWarm();
    // the seed store is on disk under storeRoot, nothing of it under the socket root
    const store = await readdir(join(storeRoot, volumePoolId));
    expect(store.filter((entry) => entry.startsWith("seed-"))).toHaveLength(1);
    expect((await readdir(join(socketRoot, volumePoolId))).some((entry) => entry.startsWith("seed-"))).toBe(
      false,
    );
    expect(events.find((event) => event.type === "dind-preloaded")).toMatchObject({
      seeded: [busybox],
      streamed: [],
    });
    const volumes = await host.listVolumes({ label: poolFilter(volumePoolId, "data") });
    expect(volumes).toHaveLength(1);
    const [dind] = await host.listContainers({ label: poolFilter(volumePoolId, "dind"), all: true });
    expect(volumes[0]?.labels[labelKeys.dind]).toBe(dind?.names[0]);
    const mounts = JSON.parse(
      await dockerCli(["inspect", "--format", "{{json .Mounts}}", dind?.id as string]),
    );
    expect(
      mounts.find((mount: { Destination: string }) => mount.Destination === "/var/lib/docker"),
    ).toMatchObject({
      Type: "volume",
      Name: volumes[0]?.name,
    });

    // the process "crashes" (never closes its pool): the next one reconciles everything away
    const next = createDindPool(options(volumePoolId, { size: 0 }));
    await next.whenWarm();
    expect(await leftovers(host, volumePoolId)).toEqual({ containers: [], networks: [], volumes: [] });

    // the legitimate use: a leased DIND on a volume runs the seeded image; release + close leave nothing
    const pool = createDindPool(options(volumePoolId, {}));
    const lease = await pool.acquire({ podUid: "volume-pod" });
    expect(await runInner(lease.docker, busybox, ["echo", "on a volume"])).toEqual({
      exitCode: 0,
      output: "on a volume\n",
    });
    await lease.release();
    await pool.close();
    await next.close();
    expect(await leftovers(host, volumePoolId)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it("a DIND whose seed did not bring the preloaded images gets them streamed, and says so", async () => {
    const first = createDindPool(options(seedPoolId, { size: 0, storage: { kind: "tmpfs" } }));
    await first.whenWarm();
    await first.close();
    const [seed] = (await readdir(join(storeRoot, seedPoolId))).filter((entry) => entry.startsWith("seed-"));
    expect(seed).toBeDefined();
    // a damaged seed (its tag list gone): the inner engine boots from it but knows no image by name
    await rm(join(storeRoot, seedPoolId, seed as string, "image", "overlay2", "repositories.json"));

    const lines: Array<{ level: string; msg: string; bindings: object }> = [];
    const events: PoolEvent[] = [];
    const pool = createDindPool(
      options(seedPoolId, { storage: { kind: "tmpfs" }, logger: recordingLogger(lines) }),
    );
    pool.on((event) => events.push(event));
    await pool.whenWarm();
    expect(events.find((event) => event.type === "dind-preloaded")).toMatchObject({
      seeded: [],
      streamed: [busybox],
    });
    const line = lines.find((entry) => entry.msg.includes("preloaded image(s)"));
    expect(line?.level).toBe("warn");
    expect(line?.msg).toMatch(
      new RegExp(
        `^DIND ild-${seedPoolId}-[0-9a-f]{8}: preloaded image\\(s\\) ild/busybox:1 streamed from the host engine \\(not in the DIND's engine after boot although seeded from .*seed-[0-9a-f]+; via docker save\\) in \\d+ ms$`,
      ),
    );
    const lease = await pool.acquire({ podUid: "streamed-pod" });
    expect(await runInner(lease.docker, busybox, ["echo", "streamed"])).toEqual({
      exitCode: 0,
      output: "streamed\n",
    });
    // the stream went through the cache on disk: the next DIND loads the file
    expect(
      (await readdir(join(storeRoot, seedPoolId, "images"))).filter((name) => name.endsWith(".tar")),
    ).toHaveLength(1);
    await lease.release();
    await pool.close();
    expect(await leftovers(host, seedPoolId)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
