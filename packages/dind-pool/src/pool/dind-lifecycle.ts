/**
 * Building and destroying one DIND on the host engine. A DIND is: a dedicated labelled bridge
 * network, optionally a labelled data volume, a socket directory `<socketRoot>/<poolId>/<key>` on
 * the host (bind-mounted at /run/ild), and the container. Every path that fails removes what was
 * created so far: a half-started DIND never survives.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Logger, sleep } from "@ild/common";
import type { DockerClient } from "../docker/docker-client.js";
import { DockerError } from "../docker/docker-errors.js";
import { DindStartError, type DindStartPhase } from "../errors.js";
import { type DindRole, labelKeys, poolLabels } from "../labels.js";
import type { DindDevices, DindResources } from "../pool-types.js";
import {
  type DindContainerSpecInput,
  dindContainerSpec,
  innerSocketName,
  type ResolvedSecurityMode,
} from "./dind-container-spec.js";
import type { DindSecurityOptions } from "./dind-security.js";
import { createSlots, type DindSlot, dindSlots, removeSlots } from "./dind-slots.js";
import { logTail, waitForDaemon } from "./wait-for-daemon.js";

export interface PoolContext {
  host: DockerClient;
  poolId: string;
  image: string;
  /** `<socketRoot>/<poolId>`: socket dirs (and slots) live here. */
  poolDir: string;
  /** `<storeRoot>/<poolId>`, on disk: the seed store and the image cache. */
  storeDir: string;
  sessionId: string;
  securityMode: ResolvedSecurityMode;
  /** Runtime, privileged pods, user-namespace remap of every DIND (see dind-security.ts). */
  security?: DindSecurityOptions;
  storage: { kind: "tmpfs"; sizeBytes?: number } | { kind: "volume" };
  sharedPaths: Array<{ path: string; readOnly?: boolean }>;
  /** Per-pod paths: each DIND gets its own slot folder at each (see DindPoolOptions.podPaths). */
  podPaths: string[];
  innerDaemonArgs: string[];
  readyTimeoutMs: number;
  /** Extra labels on every object (the pool's own keys win). */
  extraLabels: Record<string, string>;
  logger: Logger;
  connectInner(socketPath: string): DockerClient;
}

/** What identifies a DIND's objects on the host, enough to destroy them (also after a crash). */
export interface DindHandle {
  key: string;
  name: string;
  containerId: string;
  networkName: string;
  dataVolume: string | undefined;
  socketDir: string;
  /** The DIND's own slot folders (pod paths); empty when the pool has none. */
  slots: DindSlot[];
}

export interface StartedDind extends DindHandle {
  networkId: string;
  socketPath: string;
  ip: string;
  inner: DockerClient;
  bootMs: number;
  seedDir: string | undefined;
}

export function dindName(poolId: string, key: string): string {
  return `ild-${poolId}-${key}`;
}

export function leaseMarkerName(name: string): string {
  return `${name}-lease`;
}

export async function startDind(
  context: PoolContext,
  options: {
    seedDir?: string | undefined;
    role?: DindRole;
    leasedFor?: string;
    resources?: DindResources;
    devices?: DindDevices;
    /** Overrides the pool's storage (the seed builder writes into a host folder). */
    bindDataRoot?: string;
    onName?: (name: string) => void;
    signal?: AbortSignal;
  } = {},
): Promise<StartedDind> {
  const started = Date.now();
  const key = randomBytes(4).toString("hex");
  const name = dindName(context.poolId, key);
  options.onName?.(name);
  const socketDir = join(context.poolDir, key);
  const socketPath = join(socketDir, innerSocketName);
  const useVolume = options.bindDataRoot === undefined && context.storage.kind === "volume";
  const handle: DindHandle = {
    key,
    name,
    containerId: "",
    networkName: name,
    dataVolume: useVolume ? `${name}-data` : undefined,
    socketDir,
    slots: dindSlots(context.poolDir, key, context.podPaths),
  };
  const logger = context.logger.child({ dind: name });
  const signal = options.signal;
  let phase: DindStartPhase = "prepare";
  let inner: DockerClient | undefined;
  try {
    await mkdir(socketDir, { recursive: true, mode: 0o700 });
    await createSlots(handle.slots);
    const objectLabels = {
      ...context.extraLabels,
      [labelKeys.dind]: name,
      [labelKeys.sessionId]: context.sessionId,
    };
    const networkId = await context.host.createNetwork(
      {
        Name: handle.networkName,
        Driver: "bridge",
        Labels: poolLabels(context.poolId, "network", objectLabels),
      },
      // Creates are never aborted mid-request: an aborted request can still create the object on the
      // engine after our cleanup looked for it (a leak). The signal is checked between steps instead.
      {},
    );
    signal?.throwIfAborted();
    if (handle.dataVolume !== undefined) {
      await context.host.createVolume(handle.dataVolume, poolLabels(context.poolId, "data", objectLabels));
      signal?.throwIfAborted();
    }
    phase = "create";
    const storage: DindContainerSpecInput["storage"] =
      options.bindDataRoot !== undefined
        ? { kind: "bind", hostPath: options.bindDataRoot }
        : handle.dataVolume !== undefined
          ? { kind: "volume", volumeName: handle.dataVolume }
          : context.storage.kind === "tmpfs" && context.storage.sizeBytes !== undefined
            ? { kind: "tmpfs", sizeBytes: context.storage.sizeBytes }
            : { kind: "tmpfs" };
    const labels = poolLabels(context.poolId, options.role ?? "dind", {
      ...objectLabels,
      [labelKeys.leaseState]: options.leasedFor === undefined ? "building" : "leased",
      ...(options.leasedFor === undefined ? {} : { [labelKeys.podUid]: options.leasedFor }),
      [labelKeys.socketDir]: socketDir,
      [labelKeys.seed]: options.seedDir ?? "",
      [labelKeys.createdAt]: new Date().toISOString(),
    });
    const body = dindContainerSpec({
      image: context.image,
      labels,
      networkName: handle.networkName,
      socketDir,
      securityMode: context.securityMode,
      ...(context.security === undefined ? {} : { security: context.security }),
      storage,
      ...(options.seedDir === undefined ? {} : { seedDir: options.seedDir }),
      sharedPaths: context.sharedPaths,
      slots: handle.slots,
      innerDaemonArgs: context.innerDaemonArgs,
      ...(options.resources === undefined ? {} : { resources: options.resources }),
      ...(options.devices === undefined ? {} : { devices: options.devices }),
    });
    handle.containerId = await context.host.createContainer(name, body);
    signal?.throwIfAborted();
    phase = "start";
    await context.host.startContainer(handle.containerId, { signal });
    phase = "ready";
    inner = context.connectInner(socketPath);
    const outcome = await waitForDaemon({
      host: context.host,
      inner,
      containerId: handle.containerId,
      timeoutMs: context.readyTimeoutMs,
      ...(signal === undefined ? {} : { signal }),
    });
    if (!outcome.ready) {
      const tail = await logTail(context.host, handle.containerId);
      throw new DindStartError(
        name,
        "ready",
        outcome.reason === "exited"
          ? `the DIND exited with code ${outcome.exitCode} before its engine answered`
          : `the inner engine did not answer _ping within ${context.readyTimeoutMs} ms`,
        { logTail: tail, ...(outcome.reason === "exited" ? { exitCode: outcome.exitCode } : {}) },
      );
    }
    const inspected = await context.host.inspectContainer(handle.containerId, { signal });
    const ip = inspected.networks[handle.networkName]?.ipAddress ?? "";
    const bootMs = Date.now() - started;
    logger.debug({ containerId: handle.containerId.slice(0, 12), bootMs, ip }, "DIND ready");
    return { ...handle, networkId, socketPath, ip, inner, bootMs, seedDir: options.seedDir };
  } catch (error) {
    await inner?.close();
    const tail =
      error instanceof DindStartError || handle.containerId === ""
        ? []
        : await logTail(context.host, handle.containerId);
    await destroyDind(context, handle).catch((cleanupError: unknown) => {
      logger.warn({ err: cleanupError }, "cleanup of a failed DIND failed");
    });
    if (error instanceof DindStartError || signal?.aborted) {
      throw signal?.aborted && !(error instanceof DindStartError) ? signal.reason : error;
    }
    throw new DindStartError(name, phase, (error as Error).message, { logTail: tail, cause: error });
  }
}

async function removeNetworkPatiently(host: DockerClient, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await host.removeNetwork(name);
      return;
    } catch (error) {
      // "network has active endpoints" right after the container went away: give it a moment
      if (error instanceof DockerError && error.statusCode === 409 && attempt < 20) {
        await sleep(100);
        continue;
      }
      throw error;
    }
  }
}

/** Removes the container (force + volumes; by id, else by name), network, data volume, socket dir. */
export async function destroyDind(context: PoolContext, handle: DindHandle): Promise<void> {
  await context.host.removeContainer(handle.containerId !== "" ? handle.containerId : handle.name);
  await removeNetworkPatiently(context.host, handle.networkName);
  if (handle.dataVolume !== undefined) {
    await context.host.removeVolume(handle.dataVolume);
  }
  await rm(handle.socketDir, { recursive: true, force: true });
  await removeSlots(context.poolDir, handle.key);
}
