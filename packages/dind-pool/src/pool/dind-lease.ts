/** A lease on one DIND: the pod's own Docker engine until `release()`. */
import type { DockerClient } from "../docker/docker-client.js";
import type { DindLease } from "../pool-types.js";
import type { StartedDind } from "./dind-lifecycle.js";
import { validateEgressCidrs } from "./egress-rules.js";
import type { HostEgress } from "./host-egress.js";
import { type DeliveryTarget, deliverImages } from "./image-delivery.js";

export interface LeaseHost {
  host: DockerClient;
  /** Where delivered images come from, the image cache, the DIND's storage (image-delivery.ts). */
  images: Omit<DeliveryTarget, "inner">;
  /** The host-side egress rules (see host-egress.ts). */
  egress: HostEgress;
  releaseLease(lease: DindLeaseImpl): Promise<void>;
}

export class DindLeaseImpl implements DindLease {
  readonly podUid: string;
  readonly containerId: string;
  readonly containerName: string;
  readonly ip: string;
  readonly networkId: string;
  /** The DIND's dedicated network (its name on the host engine). */
  readonly networkName: string;
  readonly socketPath: string;
  readonly docker: DockerClient;
  /** When the lease was handed out (or re-adopted). */
  readonly leasedAt: Date;
  /** True when this lease was found by `reconcile()` after a restart. */
  readonly adopted: boolean;
  /** Egress CIDRs in force (undefined: unrestricted). */
  allowedEgress: string[] | undefined;
  private egressQueue: Promise<void> = Promise.resolve();
  private releasing: Promise<void> | undefined;

  constructor(
    readonly dind: StartedDind,
    podUid: string,
    private readonly owner: LeaseHost,
    options: { adopted: boolean },
  ) {
    this.podUid = podUid;
    this.containerId = dind.containerId;
    this.containerName = dind.name;
    this.ip = dind.ip;
    this.networkId = dind.networkId;
    this.networkName = dind.networkName;
    this.socketPath = dind.socketPath;
    this.docker = dind.inner;
    this.leasedAt = new Date();
    this.adopted = options.adopted;
    this.allowedEgress = undefined;
  }

  slotFor(path: string): string | undefined {
    return this.dind.slots.find((slot) => slot.path === path)?.hostDir;
  }

  get released(): boolean {
    return this.releasing !== undefined;
  }

  async deliverImages(references: string[], options?: { signal?: AbortSignal }): Promise<void> {
    await deliverImages({
      ...this.owner.images,
      inner: this.docker,
      references,
      ...(options?.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  setEgress(allowCidrs: string[] | undefined, options?: { signal?: AbortSignal }): Promise<void> {
    let allow: string[] | undefined;
    try {
      allow = allowCidrs === undefined ? undefined : validateEgressCidrs(allowCidrs);
    } catch (error) {
      return Promise.reject(error);
    }
    const next = this.egressQueue.then(() => this.applyEgress(allow, options?.signal));
    this.egressQueue = next.catch(() => {});
    return next;
  }

  private async applyEgress(allow: string[] | undefined, signal: AbortSignal | undefined): Promise<void> {
    await this.owner.egress.apply(this.dind, allow, signal);
    this.allowedEgress = allow;
  }

  /** After a restart: the stored allow-list back in force on the host (see HostEgress.reapply). */
  reapplyEgress(signal?: AbortSignal): Promise<void> {
    const next = this.egressQueue.then(async () => {
      this.allowedEgress = await this.owner.egress.reapply(this.dind, signal);
    });
    this.egressQueue = next.catch(() => {});
    return next;
  }

  /** Resolves once no egress change is in flight (release waits for it). */
  egressSettled(): Promise<void> {
    return this.egressQueue;
  }

  release(): Promise<void> {
    this.releasing ??= this.owner.releaseLease(this).catch((error: unknown) => {
      // e.g. the engine was unreachable: a later release() tries again
      this.releasing = undefined;
      throw error;
    });
    return this.releasing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
