/**
 * Benchmark of @ild/dind-pool against the host engine (not a test). Prints, next to a baseline
 * measured in the same run (`docker run -d` of busybox on the host, via the docker CLI):
 * DIND boot to `_ping`, acquire latency from a warm pool, image delivery (seeded, streamed, cached)
 * for the small and the python image. Run: `pnpm --filter @ild/dind-pool bench`.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  createDindPool,
  createDockerClient,
  type DindLease,
  type DindPool,
  type PoolEvent,
} from "../src/index.js";

const execFileAsync = promisify(execFile);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const busybox = "ild/busybox:1";
const python = "ild/python:3-slim-offline";
const dindImage = process.env.BENCH_DIND_IMAGE ?? "ild/dind:1";
const benchLabel = "io.ild.test=@ild/dind-pool-bench";

interface Row {
  name: string;
  samples: number[];
}

const rows: Row[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function record(name: string, samples: number[]): void {
  rows.push({ name, samples });
  console.log(`  ${name}: ${samples.map((sample) => sample.toFixed(0)).join(", ")} ms`);
}

async function timed<T>(action: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await action();
  return [performance.now() - started, result];
}

async function baseline(): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const [ms, stdout] = await timed(() =>
      execFileAsync("docker", ["run", "-d", "--label", benchLabel, busybox, "sleep", "60"]),
    );
    samples.push(ms);
    await execFileAsync("docker", ["rm", "-fv", stdout.stdout.trim()]);
  }
  return samples;
}

async function acquireWarm(pool: DindPool, podUid: string): Promise<[number, DindLease]> {
  await pool.whenWarm();
  return timed(() => pool.acquire({ podUid }));
}

async function main(): Promise<void> {
  const socketRoot = await mkdtemp(join(tmpdir(), "ildb-"));
  const host = createDockerClient();
  const suffix = randomBytes(3).toString("hex");
  const pools: DindPool[] = [];
  const leases: DindLease[] = [];
  try {
    const version = await host.version();
    console.log(
      `host engine ${version.version} (API ${version.apiVersion}) at ${host.endpoint}; ${runs} runs each`,
    );

    console.log("baseline: docker run -d busybox on the host");
    record("baseline docker run -d busybox", await baseline());

    console.log("DIND boot to _ping (one build at a time, seeded with busybox + python)");
    const boots: number[] = [];
    const seeded = createDindPool({
      docker: host,
      poolId: `bench-seed-${suffix}`,
      size: 1,
      image: dindImage,
      labels: { "io.ild.test": "@ild/dind-pool-bench" },
      socketRoot,
      maxConcurrentBuilds: 1,
      preloadImages: [busybox, python],
    });
    pools.push(seeded);
    seeded.on((event: PoolEvent) => {
      if (event.type === "dind-ready") {
        boots.push(event.bootMs);
      }
    });
    const [startupMs] = await timed(() => seeded.whenWarm());
    console.log(`  pool start incl. seed store build: ${startupMs.toFixed(0)} ms`);

    const acquires: number[] = [];
    const seededBusybox: number[] = [];
    const seededPython: number[] = [];
    for (let run = 0; run < runs; run++) {
      const [acquireMs, lease] = await acquireWarm(seeded, `bench-seeded-${run}`);
      leases.push(lease);
      acquires.push(acquireMs);
      seededBusybox.push((await timed(() => lease.deliverImages([busybox])))[0]);
      seededPython.push((await timed(() => lease.deliverImages([python])))[0]);
      await lease.release();
    }
    await seeded.whenWarm();
    record("DIND boot to _ping (seed: busybox + python)", boots);
    record("acquire from a warm pool", acquires);
    record("deliver busybox (seed store)", seededBusybox);
    record("deliver python (seed store)", seededPython);

    console.log("image delivery without a seed: stream save → load (first), then from the host tar cache");
    const plain = createDindPool({
      docker: host,
      poolId: `bench-plain-${suffix}`,
      size: 1,
      image: dindImage,
      labels: { "io.ild.test": "@ild/dind-pool-bench" },
      socketRoot,
      maxConcurrentBuilds: 1,
    });
    pools.push(plain);
    const plainBoots: number[] = [];
    plain.on((event: PoolEvent) => {
      if (event.type === "dind-ready") {
        plainBoots.push(event.bootMs);
      }
    });
    const streamed: Record<string, number[]> = { [busybox]: [], [python]: [] };
    const cachedSamples: Record<string, number[]> = { [busybox]: [], [python]: [] };
    for (let run = 0; run < runs; run++) {
      const [, lease] = await acquireWarm(plain, `bench-plain-${run}`);
      leases.push(lease);
      for (const image of [busybox, python]) {
        const [ms] = await timed(() => lease.deliverImages([image]));
        (run === 0 ? streamed : cachedSamples)[image]?.push(ms);
      }
      await lease.release();
    }
    await plain.whenWarm();
    record("DIND boot to _ping (no seed)", plainBoots);
    record("deliver busybox (stream save→load, first)", streamed[busybox] ?? []);
    record("deliver python (stream save→load, first)", streamed[python] ?? []);
    record("deliver busybox (host tar cache)", cachedSamples[busybox] ?? []);
    record("deliver python (host tar cache)", cachedSamples[python] ?? []);

    const base = median(rows[0]?.samples ?? [1]);
    console.log("\nresult (median [min-max], ratio to the baseline median)");
    for (const row of rows) {
      const min = Math.min(...row.samples);
      const max = Math.max(...row.samples);
      const value = median(row.samples);
      console.log(
        `${row.name.padEnd(44)} ${value.toFixed(0).padStart(6)} ms [${min.toFixed(0)}-${max.toFixed(0)}]  x${(value / base).toFixed(2)}`,
      );
    }
  } finally {
    for (const lease of leases) {
      await lease.release();
    }
    for (const pool of pools) {
      await pool.close();
    }
    await rm(socketRoot, { recursive: true, force: true });
    await host.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
