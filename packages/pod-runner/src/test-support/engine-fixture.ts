import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Logger, noopLogger } from "@ild/common";
import {
  createDindPool,
  createDockerClient,
  type DindPool,
  type DindPoolOptions,
  type DockerClient,
  removeTree,
} from "@ild/dind-pool";
import { createRunner } from "../create-runner.js";
import { ensureTmpfs } from "../files/ensure-tmpfs.js";
import { poolPodPaths } from "../files/pod-mounts.js";
import type { EngineKind, Runner, RunnerOptions } from "../runner-types.js";

/** One runner on one engine for a test file, with what the shared suites need to look behind it. */
export interface EngineFixture {
  engine: EngineKind;
  runner: Runner;
  /** The host engine. */
  docker: DockerClient;
  options: RunnerOptions;
  root: string;
  /** A host folder pod containers can bind-mount (hostPath), on both engines. */
  hostDir: string;
  /** The engine a pod's containers live in (host, or the pod's DIND). */
  podDocker(podUid: string): DockerClient;
  /** Messages the runner logged at error level (recover() logs a pod it could not take back). */
  errors: string[];
  /** What a restarted process builds: a new runner (dind: and a new pool object on the same pool id). */
  restart(): Promise<Runner>;
  /** Containers (host) or leases (dind) of the pod still there. */
  leftovers(podUid: string): Promise<number>;
  cleanup(): Promise<void>;
}

export async function createEngineFixture(
  file: string,
  engine: EngineKind,
  extra: Partial<RunnerOptions> = {},
  poolExtra: Partial<DindPoolOptions> = {},
): Promise<EngineFixture> {
  const root = await mkdtemp(path.join(tmpdir(), "ildr-"));
  const docker = createDockerClient({});
  const id = randomBytes(3).toString("hex");
  const dataRoot = path.join(root, "data");
  const runRoot = path.join(root, "run");
  const hostDir = path.join(dataRoot, "host");
  await mkdir(hostDir, { recursive: true });
  const pools: DindPool[] = [];
  const newPool = (): DindPool => {
    const created = createDindPool({
      docker,
      poolId: `t-runner-${file}-${id}`,
      size: 1,
      image: "ild/dind:1",
      socketRoot: path.join(root, "s"),
      securityMode: "hardened",
      podPaths: poolPodPaths(dataRoot, runRoot),
      ...poolExtra,
    });
    pools.push(created);
    return created;
  };
  let pool: DindPool | undefined;
  if (engine === "dind") {
    await ensureTmpfs(runRoot, noopLogger);
    pool = newPool();
  }
  const runners: Runner[] = [];
  const errors: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (bindings, message) => errors.push(`${message} ${JSON.stringify(bindings)}`),
    child: () => logger,
  };
  const options: RunnerOptions = {
    docker,
    logger,
    ...(pool ? { pool } : {}),
    dataRoot,
    runRoot,
    runnerId: `test-${file}-${id}`,
    labels: { "io.ild.test": "pod-runner" },
    engine,
    backoff: { initialMs: 500, maxMs: 2000 },
    hookConfig: { hostPathAllowList: [hostDir] },
    ...extra,
  };
  const makeRunner = (): Runner => {
    const created = createRunner(options);
    runners.push(created);
    return created;
  };
  const fixture: EngineFixture = {
    engine,
    errors,
    runner: makeRunner(),
    docker,
    options,
    root,
    hostDir,
    podDocker(podUid) {
      if (pool === undefined) {
        return docker;
      }
      const lease = pool.findLease(podUid);
      if (lease === undefined) {
        throw new Error(`no lease for pod ${podUid}`);
      }
      return lease.docker;
    },
    async restart() {
      if (engine === "dind") {
        // a dead process's pool object is gone too: its warm DINDs go, its leases stay for the next one
        await pool?.close();
        pool = newPool();
        options.pool = pool;
      }
      fixture.runner = makeRunner();
      return fixture.runner;
    },
    async leftovers(podUid) {
      const host = await docker.listContainers({ all: true, label: [`io.ild.pod-uid=${podUid}`] });
      return host.length + (pool?.findLease(podUid) ? 1 : 0);
    },
    async cleanup() {
      for (const pod of fixture.runner.list()) {
        await fixture.runner.stop(pod.podUid, { gracePeriodSeconds: 0 }).catch(() => {});
      }
      for (const runner of runners) {
        await runner.close();
      }
      for (const lease of pool?.leases() ?? []) {
        await lease.release();
      }
      for (const item of pools) {
        await item.close();
      }
      for (const label of [
        [`io.ild.runner-id=${options.runnerId}`],
        [`io.ild.pool-id=t-runner-${file}-${id}`],
      ]) {
        for (const container of await docker.listContainers({ all: true, label })) {
          await docker.removeContainer(container.id);
        }
        for (const network of await docker.listNetworks({ label })) {
          await docker.removeNetwork(network.id);
        }
        for (const volume of await docker.listVolumes({ label })) {
          await docker.removeVolume(volume.name);
        }
      }
      await removeTree(root);
      await docker.close();
    },
  };
  return fixture;
}
