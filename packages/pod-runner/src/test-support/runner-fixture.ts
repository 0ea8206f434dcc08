import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { createDockerClient, type DockerClient, removeTree } from "@ild/dind-pool";
import { createRunner } from "../create-runner.js";
import type { PodHandle, Runner, RunnerOptions, StatusResult } from "../runner-types.js";

export interface TestRunner {
  runner: Runner;
  docker: DockerClient;
  options: RunnerOptions;
  root: string;
  /** A second runner on the same labels and roots (what a restarted process builds). */
  restart(): Runner;
  cleanup(): Promise<void>;
}

export async function createTestRunner(
  file: string,
  extra: Partial<RunnerOptions> = {},
): Promise<TestRunner> {
  const root = await mkdtemp(path.join(tmpdir(), "ild-pod-runner-"));
  const docker = createDockerClient({});
  const runnerId = `test-${file}-${randomBytes(4).toString("hex")}`;
  const options: RunnerOptions = {
    docker,
    dataRoot: path.join(root, "data"),
    runRoot: path.join(root, "run"),
    runnerId,
    labels: { "io.ild.test": "pod-runner" },
    engine: "host",
    backoff: { initialMs: 500, maxMs: 2000 },
    ...extra,
  };
  const runners: Runner[] = [];
  const make = (): Runner => {
    const runner = createRunner(options);
    runners.push(runner);
    return runner;
  };
  const runner = make();
  return {
    runner,
    docker,
    options,
    root,
    restart: make,
    async cleanup() {
      const last = runners[runners.length - 1] ?? runner;
      for (const pod of last.list()) {
        await last.stop(pod.podUid, { gracePeriodSeconds: 0 }).catch(() => {});
      }
      for (const item of runners) {
        await item.close();
      }
      const label = [`io.ild.runner-id=${runnerId}`];
      for (const container of await docker.listContainers({ all: true, label })) {
        await docker.removeContainer(container.id);
      }
      for (const network of await docker.listNetworks({ label })) {
        await docker.removeNetwork(network.id);
      }
      for (const volume of await docker.listVolumes({ label })) {
        await docker.removeVolume(volume.name);
      }
      await removeTree(root);
      await docker.close();
    },
  };
}

/** Polls the runner's in-memory status (cheap) until the predicate holds. */
export async function waitForStatus(
  runner: Runner,
  podUid: string,
  predicate: (status: StatusResult) => boolean,
  timeoutMs = 30_000,
): Promise<StatusResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = runner.status(podUid);
    if (predicate(status)) {
      return status;
    }
    if (Date.now() > deadline) {
      throw new Error(`status predicate not met in ${timeoutMs} ms: ${JSON.stringify(status)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function containerState(status: StatusResult, name: string) {
  return [...status.status.containers, ...(status.status.initContainers ?? [])].find(
    (item) => item.name === name,
  );
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(Buffer.from(chunk as Buffer));
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function asHandle(value: unknown): PodHandle {
  const handle = value as PodHandle;
  if (typeof handle.podUid !== "string" || typeof handle.jobId !== "string") {
    throw new Error(`not a pod handle: ${JSON.stringify(value)}`);
  }
  return handle;
}

export { Readable };

/** Reads a container's logs until they satisfy the predicate (the container may still be starting). */
export async function waitForLogs(
  runner: Runner,
  podUid: string,
  container: string,
  predicate: (logs: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let logs = "";
  while (Date.now() < deadline) {
    logs = await runner
      .logs(podUid, container)
      .then(readAll)
      .catch(() => "");
    if (predicate(logs)) {
      return logs;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`logs of ${container} never matched: ${JSON.stringify(logs)}`);
}
