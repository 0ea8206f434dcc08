/** Helpers of the real-engine pool tests (not shipped: excluded in package.json `files`). */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { DockerClient } from "../docker/docker-client.js";
import { poolFilter } from "../labels.js";

export const dindImage = "ild/dind:1";
export const busybox = "ild/busybox:1";
export const testLabel = { "io.ild.test": "@ild/dind-pool" };

const execFileAsync = promisify(execFile);

/** Runs the docker CLI with an argument vector (tests only: tagging, network gateways). */
export async function dockerCli(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("docker", args);
  return stdout.trim();
}

export function uniquePoolId(prefix: string): string {
  return `t-${prefix}-${randomBytes(3).toString("hex")}`;
}

/** A short socket root in /tmp (unix socket paths are limited to 107 bytes). */
export function newSocketRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), "ildp-"));
}

export interface Leftovers {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/** Everything on the host engine that carries this pool's labels. */
export async function leftovers(docker: DockerClient, poolId: string): Promise<Leftovers> {
  const label = poolFilter(poolId);
  return {
    containers: (await docker.listContainers({ label, all: true })).map(
      (container) => container.names[0] ?? "",
    ),
    networks: (await docker.listNetworks({ label })).map((network) => network.name),
    volumes: (await docker.listVolumes({ label })).map((volume) => volume.name),
  };
}

/** Socket directories (8 hex) left under `<socketRoot>/<poolId>`. */
export async function socketDirs(socketRoot: string, poolId: string): Promise<string[]> {
  try {
    return (await readdir(join(socketRoot, poolId))).filter((entry) => /^[0-9a-f]{8}$/.test(entry));
  } catch {
    return [];
  }
}

/** afterAll: removes whatever a failed test left (only objects labelled with this pool id). */
export async function removePoolObjects(
  docker: DockerClient,
  poolId: string,
  socketRoot: string,
): Promise<void> {
  const label = poolFilter(poolId);
  for (const container of await docker.listContainers({ label, all: true })) {
    await docker.removeContainer(container.id);
  }
  for (const network of await docker.listNetworks({ label })) {
    await docker.removeNetwork(network.id);
  }
  for (const volume of await docker.listVolumes({ label })) {
    await docker.removeVolume(volume.name);
  }
  await rm(socketRoot, { recursive: true, force: true });
}

/** Runs a container in an inner engine to completion; returns its exit code and output. */
export async function runInner(
  inner: DockerClient,
  image: string,
  cmd: string[],
  hostConfig: Record<string, unknown> = {},
): Promise<{ exitCode: number; output: string }> {
  const id = await inner.createContainer(undefined, { Image: image, Cmd: cmd, HostConfig: hostConfig });
  try {
    await inner.startContainer(id);
    const exitCode = await inner.waitContainer(id);
    const output = (await inner.readLogs(id)).map((line) => line.data.toString()).join("");
    return { exitCode, output };
  } finally {
    await inner.removeContainer(id);
  }
}
