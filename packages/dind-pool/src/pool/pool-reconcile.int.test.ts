/** Real-engine tests: crash of the owning process mid-build, re-adoption of a leased DIND after restart. */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { sleep } from "@ild/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "../docker/docker-client.js";
import { createDockerClient } from "../docker/dockerode-client.js";
import { labelKeys, poolFilter } from "../labels.js";
import { createDindPool } from "./create-dind-pool.js";
import {
  busybox,
  dindImage,
  leftovers,
  newSocketRoot,
  removePoolObjects,
  socketDirs,
  testLabel,
  uniquePoolId,
} from "./pool.test-helpers.js";

const crashPoolId = uniquePoolId("crash");
const otherPoolId = uniquePoolId("other");
const adoptPoolId = uniquePoolId("adopt");
const childScript = fileURLToPath(new URL("./test-children/build-pool.ts", import.meta.url));
const tsxLoader = createRequire(import.meta.url).resolve("tsx");

describe("reconcile on the real engine", () => {
  let host: DockerClient;
  let socketRoot: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    host = createDockerClient({ env: {} });
    socketRoot = await newSocketRoot();
  });

  afterAll(async () => {
    child?.kill("SIGKILL");
    for (const poolId of [crashPoolId, otherPoolId, adoptPoolId]) {
      await removePoolObjects(host, poolId, socketRoot);
    }
    await host.close();
  });

  it("cleans up after the owning process was killed mid-build, and never touches another pool", {
    timeout: 240_000,
  }, async () => {
    // another pool's DIND-labelled container and network: reconcile must leave them alone
    const decoyLabels = {
      ...testLabel,
      [labelKeys.managedBy]: "dind-pool",
      [labelKeys.poolId]: otherPoolId,
      [labelKeys.role]: "dind",
    };
    const decoyNetwork = await host.createNetwork({ Name: `ild-${otherPoolId}-decoy`, Labels: decoyLabels });
    const decoy = await host.createContainer(`ild-${otherPoolId}-decoy`, {
      Image: busybox,
      Cmd: ["true"],
      Labels: decoyLabels,
    });

    const running = spawn(
      process.execPath,
      ["--conditions=@ild/source", "--import", tsxLoader, childScript, socketRoot, crashPoolId],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    child = running;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    // wait until the child has created its first DIND container, then kill it mid-build (a child that
    // loads its TypeScript on a loaded 2-core machine can take a while to get there)
    let created = 0;
    for (let attempt = 0; attempt < 6000 && created === 0; attempt++) {
      created = (await host.listContainers({ label: poolFilter(crashPoolId, "dind"), all: true })).length;
      if (created === 0) {
        await sleep(25);
      }
    }
    running.kill("SIGKILL");
    await exited;
    child = undefined;
    const before = await leftovers(host, crashPoolId);
    expect(before.containers.length).toBeGreaterThan(0);
    expect(before.networks.length).toBeGreaterThan(0);
    expect((await socketDirs(socketRoot, crashPoolId)).length).toBeGreaterThan(0);

    const pool = createDindPool({
      docker: host,
      poolId: crashPoolId,
      size: 0,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      securityMode: "hardened",
      reconcileOnStart: false,
    });
    try {
      const report = await pool.reconcile();
      expect(report.adopted).toEqual([]);
      expect(report.removed.length).toBe(before.containers.length);
      expect(await leftovers(host, crashPoolId)).toEqual({ containers: [], networks: [], volumes: [] });
      expect(await socketDirs(socketRoot, crashPoolId)).toEqual([]);
    } finally {
      await pool.close();
    }
    // the other pool's objects survived
    expect((await host.inspectContainer(decoy)).id).toBe(decoy);
    expect(
      (await host.listNetworks({ label: poolFilter(otherPoolId) })).map((network) => network.id),
    ).toEqual([decoyNetwork]);
  });

  it("re-adopts a leased DIND after a restart (new pool object, same poolId)", async () => {
    const first = createDindPool({
      docker: host,
      poolId: adoptPoolId,
      size: 1,
      image: dindImage,
      labels: testLabel,
      socketRoot,
    });
    const lease = await first.acquire({
      podUid: "pod-survivor",
      labels: { "io.ild.test": "@ild/dind-pool" },
    });
    // the pod's state lives in the inner engine: a running inner container
    await lease.deliverImages([busybox]);
    const innerId = await lease.docker.createContainer("survivor", { Image: busybox, Cmd: ["sleep", "600"] });
    await lease.docker.startContainer(innerId);
    await first.close(); // the process "restarts": warm DINDs go, the leased one keeps running
    expect((await leftovers(host, adoptPoolId)).containers).toEqual([lease.containerName]);

    const second = createDindPool({
      docker: host,
      poolId: adoptPoolId,
      size: 0,
      image: dindImage,
      labels: testLabel,
      socketRoot,
    });
    try {
      await second.info; // start-up reconcile has run
      const adopted = second.findLease("pod-survivor");
      expect(adopted).toBeDefined();
      expect(adopted).toMatchObject({
        podUid: "pod-survivor",
        containerId: lease.containerId,
        containerName: lease.containerName,
        ip: lease.ip,
        socketPath: lease.socketPath,
        adopted: true,
      });
      expect(second.leases()).toHaveLength(1);
      const inner = (await adopted?.docker.inspectContainer("survivor"))?.state;
      expect(inner?.running).toBe(true);
      // a second reconcile changes nothing
      expect(await second.reconcile()).toEqual({ adopted: [], removed: [] });
      await adopted?.release();
      expect(second.findLease("pod-survivor")).toBeUndefined();
      expect(await leftovers(host, adoptPoolId)).toEqual({ containers: [], networks: [], volumes: [] });
    } finally {
      await second.close();
    }
  });
});
