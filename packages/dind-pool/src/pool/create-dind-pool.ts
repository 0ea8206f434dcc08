/**
 * The pool: `size` warm DINDs built in the background (at most `maxConcurrentBuilds` at a time),
 * FIFO waiters with a deadline, a fresh DIND for every lease (released ones are destroyed, never
 * reused), labels as the source of truth (see labels.ts) and `reconcile()` after a crash.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Logger, noopLogger } from "@ild/common";
import type { DockerClient } from "../docker/docker-client.js";
import { createDockerClient } from "../docker/dockerode-client.js";
import { PoolClosedError, PoolExhaustedError } from "../errors.js";
import { labelKeys, poolFilter, poolLabels } from "../labels.js";
import type {
  AcquireOptions,
  DindLease,
  DindPool,
  DindPoolOptions,
  PoolEvent,
  PoolStats,
  ReconcileReport,
} from "../pool-types.js";
import { detectSecurityMode } from "./detect-security-mode.js";
import { innerSocketName, type ResolvedSecurityMode, resourceUpdate } from "./dind-container-spec.js";
import { DindLeaseImpl } from "./dind-lease.js";
import {
  type DindHandle,
  destroyDind,
  leaseMarkerName,
  type PoolContext,
  type StartedDind,
  startDind,
} from "./dind-lifecycle.js";
import type { DindSecurityOptions } from "./dind-security.js";
import { dindSlots, prepareSlotRoot, removeStaleSlots } from "./dind-slots.js";
import { parseIpv4Cidr, parseResolvConf, validateEgressCidrs } from "./egress-rules.js";
import { HostEgress } from "./host-egress.js";
import { createIptablesFirewall } from "./host-firewall.js";
import { PoolImageStore } from "./pool-image-store.js";
import { validatePoolOptions } from "./validate-pool-options.js";
import { VolumeReaper } from "./volume-reaper.js";

interface Waiter {
  resolve(dind: StartedDind): void;
  reject(error: unknown): void;
}

interface WarmWaiter {
  resolve(): void;
  reject(error: unknown): void;
}

const consecutiveFailureLimit = 3;

function isDockerClient(value: DindPoolOptions["docker"]): value is DockerClient {
  return typeof (value as DockerClient).ping === "function";
}

function securityOptionsOf(options: DindPoolOptions): DindSecurityOptions {
  return {
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    ...(options.allowPrivilegedPods ? { allowPrivilegedPods: true } : {}),
    ...(options.userNamespaceRemap ? { userNamespaceRemap: true } : {}),
  };
}

function defaultDnsServers(): Promise<string[]> {
  return readFile("/etc/resolv.conf", "utf8").then(parseResolvConf, () => []);
}

class DindPoolImpl implements DindPool {
  readonly info: DindPool["info"];
  private readonly host: DockerClient;
  private readonly ownsHost: boolean;
  private readonly logger: Logger;
  private readonly poolDir: string;
  private readonly sessionId = randomBytes(6).toString("hex");
  private readonly maxConcurrentBuilds: number;
  private readonly acquireTimeoutMs: number;
  private context: PoolContext | undefined;
  /** Seed store and image cache, on disk (`<storeRoot>/<poolId>`). */
  private readonly images: PoolImageStore;
  private readonly volumes: VolumeReaper;
  private dnsServers: string[] = [];
  /** Leases whose DIND the start-up reconcile found stopped, until reconcile() reports them. */
  private readonly lostLeases: Array<{ podUid: string; containerId: string }> = [];
  private readonly egress: HostEgress;
  private started = false;
  private closed = false;
  private readonly closeController = new AbortController();
  private readonly startup: Promise<void>;
  private startupError: unknown;
  private readonly warm: StartedDind[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly warmWaiters: WarmWaiter[] = [];
  private readonly leaseMap = new Map<string, DindLeaseImpl>();
  private readonly pendingAcquires = new Map<string, Promise<DindLease>>();
  /** Names of every DIND (and seed builder) this process created and has not destroyed yet. */
  private readonly knownNames = new Set<string>();
  private readonly builds = new Set<Promise<void>>();
  private deviceBuilds = 0;
  private failedCount = 0;
  private consecutiveFailures = 0;
  private lastFailure: unknown;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt = 0;
  private readonly boot = { last: 0, total: 0, count: 0 };
  private readonly listeners = new Set<(event: PoolEvent) => void>();
  private reconciling: Promise<ReconcileReport> | undefined;

  constructor(private readonly options: DindPoolOptions) {
    validatePoolOptions(options);
    this.logger = (options.logger ?? noopLogger).child({ component: "dind-pool", poolId: options.poolId });
    this.ownsHost = !isDockerClient(options.docker);
    this.host = isDockerClient(options.docker)
      ? options.docker
      : createDockerClient({ ...options.docker, logger: this.logger });
    this.poolDir = join(options.socketRoot, options.poolId);
    this.images = new PoolImageStore(
      { ...options, storeRoot: options.storeRoot ?? options.socketRoot },
      this.logger,
    );
    this.volumes = new VolumeReaper(this.host, this.logger);
    this.maxConcurrentBuilds = options.maxConcurrentBuilds ?? 2;
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 60_000;
    this.egress = new HostEgress({
      firewall: options.firewall ?? createIptablesFirewall(),
      poolId: options.poolId,
      stateDir: join(this.poolDir, "egress"),
      dnsServers: () => this.dnsServers,
      logger: this.logger,
    });
    this.startup = this.start();
    this.startup.catch((error: unknown) => {
      this.startupError = error;
      this.logger.error({ err: error }, "pool start failed");
      this.rejectWarmWaiters(error);
      for (const waiter of this.waiters.splice(0)) {
        waiter.reject(error);
      }
    });
    this.info = this.startup.then(() => ({
      endpoint: this.host.endpoint,
      engineVersion: this.engineVersion,
      securityMode: this.requireContext().securityMode,
    }));
    this.info.catch(() => {});
  }

  private engineVersion = "";

  private requireContext(): PoolContext {
    if (this.context === undefined) {
      throw new Error("pool not started");
    }
    return this.context;
  }

  private async start(): Promise<void> {
    const signal = this.closeController.signal;
    const version = await this.host.version({ signal });
    this.engineVersion = version.version;
    this.logger.info(
      { endpoint: this.host.endpoint, engineVersion: version.version, apiVersion: version.apiVersion },
      "host engine",
    );
    let securityMode: ResolvedSecurityMode;
    const security = securityOptionsOf(this.options);
    if (this.options.securityMode !== undefined && this.options.securityMode !== "auto") {
      securityMode = this.options.securityMode;
      this.logger.info({ securityMode, ...security }, "DIND security mode (configured)");
    } else {
      const detected = await detectSecurityMode({
        host: this.host,
        image: this.options.image,
        poolId: this.options.poolId,
        name: `ild-${this.options.poolId}-probe-${randomBytes(3).toString("hex")}`,
        labels: this.options.labels ?? {},
        security,
        logger: this.logger,
        signal,
      });
      securityMode = detected.mode;
      this.logger.info({ securityMode, reason: detected.reason }, "DIND security mode (detected)");
    }
    this.dnsServers =
      this.options.dnsServers === undefined
        ? await defaultDnsServers()
        : this.options.dnsServers.map((server, index) => parseIpv4Cidr(server, `dnsServers[${index}]`));
    this.context = {
      host: this.host,
      poolId: this.options.poolId,
      image: this.options.image,
      poolDir: this.poolDir,
      storeDir: this.images.dir,
      sessionId: this.sessionId,
      securityMode,
      security,
      storage:
        this.options.storage?.kind === "volume"
          ? { kind: "volume" }
          : {
              kind: "tmpfs",
              ...(this.options.storage?.sizeBytes === undefined
                ? {}
                : { sizeBytes: this.options.storage.sizeBytes }),
            },
      sharedPaths: this.options.sharedPaths ?? [],
      podPaths: this.options.podPaths ?? [],
      // inner containers resolve through the same resolvers the egress rules allow (a DIND on a
      // user-defined network only has Docker's 127.0.0.11, which inner engines would replace by 8.8.8.8)
      innerDaemonArgs: [
        ...this.dnsServers
          .filter((server) => server.endsWith("/32"))
          .flatMap((server) => ["--dns", server.slice(0, -"/32".length)]),
        ...(this.options.innerDaemonArgs ?? []),
      ],
      readyTimeoutMs: this.options.readyTimeoutMs ?? 60_000,
      extraLabels: this.options.labels ?? {},
      logger: this.logger,
      connectInner:
        this.options.connectInner ?? ((socketPath) => createDockerClient({ host: `unix://${socketPath}` })),
    };
    await prepareSlotRoot(this.poolDir, this.context.podPaths);
    if (this.options.reconcileOnStart !== false) {
      await this.runReconcile(signal);
    }
    await this.images.prepare(this.context, this.options.preloadImages ?? [], {
      signal,
      onName: (name) => this.knownNames.add(name),
    });
    this.started = true;
    this.pump();
  }

  private emit(event: PoolEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn({ err: error }, "pool event listener threw");
      }
    }
  }

  on(listener: (event: PoolEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  stats(): PoolStats {
    return {
      size: this.options.size,
      warm: this.warm.length,
      leased: this.leaseMap.size,
      building: this.builds.size + this.deviceBuilds,
      failed: this.failedCount,
      waiting: this.waiters.length,
      ...(this.boot.count === 0
        ? {}
        : {
            bootMs: {
              last: this.boot.last,
              average: Math.round(this.boot.total / this.boot.count),
              count: this.boot.count,
            },
          }),
    };
  }

  /** Hands warm DINDs to waiters (FIFO), then starts builds up to the target. */
  private pump(): void {
    if (this.closed) {
      return;
    }
    while (this.warm.length > 0 && this.waiters.length > 0) {
      const dind = this.warm.shift() as StartedDind;
      (this.waiters.shift() as Waiter).resolve(dind);
    }
    if (!this.started) {
      return;
    }
    this.resolveWarmWaiters();
    const now = Date.now();
    if (now < this.retryAt) {
      if (this.retryTimer === undefined) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.pump();
        }, this.retryAt - now);
        this.retryTimer.unref();
      }
      return;
    }
    const target = this.options.size + this.waiters.length;
    while (this.warm.length + this.builds.size < target && this.builds.size < this.maxConcurrentBuilds) {
      const build = this.buildOne().finally(() => {
        this.builds.delete(build);
        this.pump();
      });
      this.builds.add(build);
    }
  }

  /** A started DIND whose preloaded images are all there (streamed when the seed did not bring them). */
  private async startChecked(
    context: PoolContext,
    options: Omit<Parameters<typeof startDind>[1] & object, "seedDir">,
  ): Promise<StartedDind> {
    const dind = await startDind(context, { ...options, seedDir: this.images.seedDir });
    try {
      const report = await this.images.checkDind(context, dind, options.signal);
      this.emit({ type: "dind-preloaded", containerName: dind.name, ...report });
      return dind;
    } catch (error) {
      await this.destroy(dind).catch(() => {});
      throw error;
    }
  }

  private async buildOne(): Promise<void> {
    const context = this.requireContext();
    let name = "";
    try {
      const dind = await this.startChecked(context, {
        signal: this.closeController.signal,
        onName: (created) => {
          name = created;
          this.knownNames.add(created);
          this.emit({ type: "dind-building", containerName: created });
        },
      });
      this.consecutiveFailures = 0;
      this.boot.last = dind.bootMs;
      this.boot.total += dind.bootMs;
      this.boot.count++;
      this.emit({ type: "dind-ready", containerId: dind.containerId, bootMs: dind.bootMs });
      if (this.closed) {
        await this.destroy(dind);
        return;
      }
      this.warm.push(dind);
      if (this.warm.length === this.options.size) {
        this.emit({ type: "pool-warm", warm: this.warm.length, size: this.options.size });
      }
    } catch (error) {
      this.knownNames.delete(name);
      if (this.closed) {
        return;
      }
      this.failedCount++;
      this.consecutiveFailures++;
      this.lastFailure = error;
      this.emit({ type: "dind-failed", error: error as Error });
      this.logger.error({ err: error, consecutiveFailures: this.consecutiveFailures }, "DIND build failed");
      this.retryAt = Date.now() + Math.min(30_000, 250 * 2 ** this.consecutiveFailures);
      if (this.consecutiveFailures >= consecutiveFailureLimit) {
        this.rejectWarmWaiters(error);
      }
    }
  }

  private resolveWarmWaiters(): void {
    if (this.warm.length >= this.options.size) {
      for (const waiter of this.warmWaiters.splice(0)) {
        waiter.resolve();
      }
    }
  }

  private rejectWarmWaiters(error: unknown): void {
    for (const waiter of this.warmWaiters.splice(0)) {
      waiter.reject(error);
    }
  }

  async whenWarm(options?: { signal?: AbortSignal }): Promise<void> {
    await this.startup;
    if (this.warm.length >= this.options.size) {
      return;
    }
    if (this.closed) {
      throw new PoolClosedError(this.options.poolId);
    }
    if (this.consecutiveFailures >= consecutiveFailureLimit) {
      throw this.lastFailure;
    }
    const signal = options?.signal;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.warmWaiters.indexOf(waiter);
        if (index !== -1) {
          this.warmWaiters.splice(index, 1);
        }
        reject(signal?.reason);
      };
      const waiter: WarmWaiter = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.warmWaiters.push(waiter);
    });
  }

  acquire(options: AcquireOptions): Promise<DindLease> {
    if (typeof options.podUid !== "string" || options.podUid.trim() === "") {
      return Promise.reject(new TypeError("acquire: podUid must be a non-empty string"));
    }
    const existing = this.leaseMap.get(options.podUid);
    if (existing !== undefined && !existing.released) {
      return Promise.resolve(existing);
    }
    const pending = this.pendingAcquires.get(options.podUid);
    if (pending !== undefined) {
      return pending;
    }
    const promise = this.acquireFresh(options).finally(() => this.pendingAcquires.delete(options.podUid));
    this.pendingAcquires.set(options.podUid, promise);
    return promise;
  }

  private async acquireFresh(options: AcquireOptions): Promise<DindLease> {
    if (this.closed) {
      throw new PoolClosedError(this.options.poolId);
    }
    const egress = options.egress === undefined ? undefined : validateEgressCidrs(options.egress.allowCidrs);
    const enqueuedAt = Date.now();
    await this.startup;
    const context = this.requireContext();
    let dind: StartedDind;
    if (options.devices !== undefined) {
      // a DIND with devices cannot come from the warm pool: build it for this lease
      this.deviceBuilds++;
      try {
        dind = await this.startChecked(context, {
          leasedFor: options.podUid,
          devices: options.devices,
          ...(options.resources === undefined ? {} : { resources: options.resources }),
          onName: (name) => this.knownNames.add(name),
          ...(options.signal === undefined
            ? { signal: this.closeController.signal }
            : { signal: AbortSignal.any([options.signal, this.closeController.signal]) }),
        });
      } finally {
        this.deviceBuilds--;
      }
    } else {
      dind = await this.takeHealthyWarm(options.signal);
    }
    try {
      const lease = await this.leaseDind(dind, options, egress);
      this.emit({
        type: "dind-leased",
        containerId: dind.containerId,
        podUid: options.podUid,
        waitMs: Date.now() - enqueuedAt,
      });
      return lease;
    } catch (error) {
      this.leaseMap.delete(options.podUid);
      await this.destroy(dind).catch((cleanupError: unknown) => {
        this.logger.warn({ err: cleanupError }, "could not destroy a DIND whose lease failed");
      });
      throw error;
    } finally {
      this.pump();
    }
  }

  /** A warm DIND whose inner engine still answers (one that died while warm is replaced). */
  private async takeHealthyWarm(signal: AbortSignal | undefined): Promise<StartedDind> {
    while (true) {
      const dind = await this.takeWarm(signal);
      try {
        await dind.inner.ping({ signal: AbortSignal.timeout(5000) });
        return dind;
      } catch (error) {
        this.failedCount++;
        this.logger.warn({ err: error, dind: dind.name }, "a warm DIND stopped answering: replacing it");
        this.emit({ type: "dind-failed", error: error as Error });
        await this.destroy(dind).catch(() => {});
        this.pump();
      }
    }
  }

  private takeWarm(signal: AbortSignal | undefined): Promise<StartedDind> {
    if (this.startupError !== undefined) {
      return Promise.reject(this.startupError);
    }
    if (this.warm.length > 0 && this.waiters.length === 0) {
      const dind = this.warm.shift() as StartedDind;
      this.pump();
      return Promise.resolve(dind);
    }
    return new Promise<StartedDind>((resolve, reject) => {
      const enqueuedAt = Date.now();
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) {
          this.waiters.splice(index, 1);
        }
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new PoolExhaustedError(this.options.poolId, this.options.size, Date.now() - enqueuedAt));
      }, this.acquireTimeoutMs);
      const waiter: Waiter = {
        resolve: (dind) => {
          cleanup();
          resolve(dind);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      if (signal?.aborted) {
        clearTimeout(timer);
        reject(signal.reason);
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  private async leaseDind(
    dind: StartedDind,
    options: AcquireOptions,
    egress: string[] | undefined,
  ): Promise<DindLeaseImpl> {
    const signal = options.signal;
    const lease = new DindLeaseImpl(dind, options.podUid, this.leaseHost(), { adopted: false });
    // host egress rules before the marker: an adoptable lease never exists without them
    if (egress !== undefined) {
      await lease.setEgress(egress, signal === undefined ? undefined : { signal });
    }
    // the lease state survives a restart: marker volume first, then hand out
    await this.host.createVolume(
      leaseMarkerName(dind.name),
      {
        ...(this.options.labels ?? {}),
        ...(options.labels ?? {}), // the caller's labels never override ours
        ...poolLabels(this.options.poolId, "lease-marker", {
          [labelKeys.dind]: dind.name,
          [labelKeys.leaseState]: "leased",
          [labelKeys.podUid]: options.podUid,
          [labelKeys.sessionId]: this.sessionId,
          [labelKeys.createdAt]: new Date().toISOString(),
        }),
      },
      { signal },
    );
    if (options.resources !== undefined && options.devices === undefined) {
      const update = resourceUpdate(options.resources);
      if (update !== undefined) {
        await this.host.updateContainer(dind.containerId, update, { signal });
      }
    }
    this.leaseMap.set(options.podUid, lease);
    return lease;
  }

  private leaseHost(): ConstructorParameters<typeof DindLeaseImpl>[2] {
    return {
      host: this.host,
      images: this.images.delivery(this.requireContext()),
      egress: this.egress,
      releaseLease: (lease) => this.releaseLease(lease),
    };
  }

  private async releaseLease(lease: DindLeaseImpl): Promise<void> {
    await lease.egressSettled();
    await this.destroy(lease.dind);
    await this.host.removeVolume(leaseMarkerName(lease.dind.name));
    if (this.leaseMap.get(lease.podUid) === lease) {
      this.leaseMap.delete(lease.podUid);
    }
    this.emit({ type: "dind-released", containerId: lease.containerId, podUid: lease.podUid });
    this.pump();
  }

  private async destroy(dind: StartedDind): Promise<void> {
    await dind.inner.close();
    await destroyDind(this.requireContext(), { ...dind, dataVolume: undefined });
    this.volumes.remove(dind.dataVolume);
    // after the DIND is gone (never a moment without rules while it runs)
    await this.egress.remove(dind.key);
    this.knownNames.delete(dind.name);
  }

  findLease(podUid: string): DindLease | undefined {
    return this.leaseMap.get(podUid);
  }

  leases(): DindLease[] {
    return [...this.leaseMap.values()];
  }

  async reconcile(options?: { signal?: AbortSignal }): Promise<ReconcileReport> {
    await this.startup.catch(() => {});
    if (this.context === undefined) {
      throw this.startupError;
    }
    const signal =
      options?.signal === undefined
        ? this.closeController.signal
        : AbortSignal.any([options.signal, this.closeController.signal]);
    const report = await this.runReconcile(signal);
    // lost leases found by the start-up reconcile are reported to the first caller that asks
    const lost = [...this.lostLeases.splice(0), ...(report.lost ?? [])];
    return lost.length === 0 ? report : { ...report, lost };
  }

  private runReconcile(signal: AbortSignal): Promise<ReconcileReport> {
    this.reconciling ??= this.doReconcile(signal).finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private async doReconcile(signal: AbortSignal): Promise<ReconcileReport> {
    const context = this.requireContext();
    const report: ReconcileReport = { adopted: [], removed: [] };
    const containers = await this.host.listContainers(
      { label: poolFilter(this.options.poolId), all: true },
      { signal },
    );
    const markers = await this.host.listVolumes(
      { label: poolFilter(this.options.poolId, "lease-marker") },
      { signal },
    );
    const markerByDind = new Map<string, string>();
    for (const marker of markers) {
      const dind = marker.labels[labelKeys.dind];
      const podUid = marker.labels[labelKeys.podUid];
      if (dind && podUid) {
        markerByDind.set(dind, podUid);
      }
    }
    const keep = new Set(this.knownNames);
    for (const container of containers) {
      const name = container.names[0] ?? "";
      if (this.knownNames.has(name)) {
        continue;
      }
      const labels = container.labels;
      const socketDir = labels[labelKeys.socketDir] ?? join(this.poolDir, name.slice(-8));
      const handle: DindHandle = {
        key: name.slice(-8),
        name,
        containerId: container.id,
        networkName: name,
        dataVolume: `${name}-data`,
        socketDir,
        slots: dindSlots(this.poolDir, name.slice(-8), context.podPaths),
      };
      // only a marker makes a lease: it is written after the DIND was ready and before the lease
      // was handed out (a DIND built for a lease but never handed out has none and goes)
      const podUid = labels[labelKeys.role] === "dind" ? markerByDind.get(name) : undefined;
      if (podUid !== undefined && !this.leaseMap.has(podUid)) {
        const adopted = await this.adopt(container.id, handle, podUid, labels, signal);
        if (adopted === true) {
          keep.add(name);
          report.adopted.push({ podUid, containerId: container.id });
          continue;
        }
        if (adopted === "stopped") {
          // a dockerd restart or a reboot stopped it: its engine and containers are gone; never adopted
          if (this.started) {
            report.lost = [...(report.lost ?? []), { podUid, containerId: container.id }];
          } else {
            this.lostLeases.push({ podUid, containerId: container.id });
          }
        }
      }
      this.logger.info(
        { containerId: container.id.slice(0, 12), name, role: labels[labelKeys.role] },
        "reconcile: removing",
      );
      await destroyDind(context, handle);
      await this.host.removeVolume(leaseMarkerName(name), { signal });
      report.removed.push(container.id);
    }
    // networks, volumes and folders whose DIND is gone
    for (const network of await this.host.listNetworks(
      { label: poolFilter(this.options.poolId) },
      { signal },
    )) {
      const owner = network.labels[labelKeys.dind] ?? network.name;
      if (!keep.has(owner)) {
        await this.host.removeNetwork(network.id, { signal });
      }
    }
    for (const volume of await this.host.listVolumes(
      { label: poolFilter(this.options.poolId) },
      { signal },
    )) {
      const owner = volume.labels[labelKeys.dind] ?? "";
      if (!keep.has(owner)) {
        await this.host.removeVolume(volume.name, { signal });
      }
    }
    await this.egress.sweep(new Set([...keep].map((name) => name.slice(-8))), signal);
    await this.removeStaleFolders(keep, containers);
    if (report.adopted.length > 0 || report.removed.length > 0) {
      this.logger.info({ adopted: report.adopted.length, removed: report.removed.length }, "reconciled");
    }
    return report;
  }

  private async adopt(
    containerId: string,
    handle: DindHandle,
    podUid: string,
    labels: Record<string, string>,
    signal: AbortSignal,
  ): Promise<boolean | "stopped"> {
    let inspected: Awaited<ReturnType<DockerClient["inspectContainer"]>>;
    try {
      inspected = await this.host.inspectContainer(containerId, { signal });
    } catch {
      return false;
    }
    if (!inspected.state.running) {
      this.logger.warn(
        { containerId: containerId.slice(0, 12), podUid, exitCode: inspected.state.exitCode },
        "reconcile: the DIND of a leased pod is not running (engine restart or reboot): not adopted",
      );
      return "stopped";
    }
    const socketPath = join(handle.socketDir, innerSocketName);
    const network = inspected.networks[handle.networkName];
    const dind: StartedDind = {
      ...handle,
      networkId: network?.networkId ?? "",
      socketPath,
      ip: network?.ipAddress ?? "",
      inner: this.requireContext().connectInner(socketPath),
      bootMs: 0,
      seedDir: labels[labelKeys.seed] || undefined,
    };
    const lease = new DindLeaseImpl(dind, podUid, this.leaseHost(), { adopted: true });
    await lease.reapplyEgress(signal).catch((error: unknown) => {
      this.logger.error({ err: error, podUid }, "reconcile: could not re-apply the egress rules");
    });
    this.leaseMap.set(podUid, lease);
    this.knownNames.add(handle.name);
    this.logger.info(
      { containerId: containerId.slice(0, 12), podUid, running: inspected.state.running },
      "reconcile: adopted lease",
    );
    return true;
  }

  /** Socket dirs of DINDs that no longer exist, half-built seeds, seeds nobody uses any more. */
  private async removeStaleFolders(
    keep: Set<string>,
    containers: Array<{ labels: Record<string, string> }>,
  ): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.poolDir);
    } catch {
      return;
    }
    const keys = new Set([...keep].map((name) => name.slice(-8)));
    for (const entry of entries) {
      if (/^[0-9a-f]{8}$/.test(entry) && !keys.has(entry)) {
        await rm(join(this.poolDir, entry), { recursive: true, force: true });
      }
    }
    await removeStaleSlots(this.poolDir, keys);
    const seedsInUse = new Set(
      [
        ...containers.map((container) => container.labels[labelKeys.seed]),
        ...[...this.leaseMap.values()].map((lease) => lease.dind.seedDir),
      ].filter((seed): seed is string => typeof seed === "string" && seed !== ""),
    );
    // reconcile never overlaps this process's own seed build (it runs before it, or after start-up),
    // so a temporary seed folder is always a crashed build; complete seeds are only judged once
    // this process knows its own seed (after start-up)
    await this.images.removeStaleSeeds(seedsInUse, this.started, [this.poolDir]);
  }

  async close(): Promise<void> {
    if (this.closed) {
      await Promise.allSettled([...this.builds]);
      return;
    }
    this.closed = true;
    clearTimeout(this.retryTimer);
    const closedError = new PoolClosedError(this.options.poolId);
    this.closeController.abort(closedError);
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject(closedError);
    }
    this.rejectWarmWaiters(closedError);
    await this.startup.catch(() => {});
    await Promise.allSettled([...this.builds]);
    const warm = this.warm.splice(0);
    await Promise.allSettled(warm.map((dind) => this.destroy(dind)));
    await this.volumes.settled();
    this.logger.info(
      { destroyed: warm.length, leased: this.leaseMap.size },
      "pool closed (leased DINDs keep running)",
    );
    if (this.ownsHost && this.leaseMap.size === 0) {
      await this.host.close();
    }
  }
}

/** Creates the pool and starts warming it in the background: the caller can serve at once. */
export function createDindPool(options: DindPoolOptions): DindPool {
  return new DindPoolImpl(options);
}
