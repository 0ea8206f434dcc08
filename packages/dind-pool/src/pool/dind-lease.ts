/** A lease on one DIND: the pod's own Docker engine until `release()`. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DockerClient } from "../docker/docker-client.js";
import { EgressSetupError } from "../errors.js";
import type { DindLease } from "../pool-types.js";
import { innerSocketDir } from "./dind-container-spec.js";
import type { StartedDind } from "./dind-lifecycle.js";
import { egressChain, outerInterface, renderEgressRules, validateEgressCidrs } from "./egress-rules.js";
import { deliverImages } from "./image-delivery.js";

export interface LeaseHost {
  host: DockerClient;
  imageCacheDir: string;
  dnsServers: string[];
  releaseLease(lease: DindLeaseImpl): Promise<void>;
}

const rulesFileName = "egress.rules";

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
  private egressJumps: boolean | undefined;
  private egressQueue: Promise<void> = Promise.resolve();
  private releasing: Promise<void> | undefined;

  constructor(
    readonly dind: StartedDind,
    podUid: string,
    private readonly owner: LeaseHost,
    options: { adopted: boolean; egressJumps?: boolean },
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
    this.egressJumps = options.egressJumps;
    this.allowedEgress = undefined;
  }

  get released(): boolean {
    return this.releasing !== undefined;
  }

  async deliverImages(references: string[], options?: { signal?: AbortSignal }): Promise<void> {
    await deliverImages({
      host: this.owner.host,
      inner: this.docker,
      references,
      cacheDir: this.owner.imageCacheDir,
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
    const host = this.owner.host;
    if (this.egressJumps === undefined) {
      const check = await host.exec(
        this.containerId,
        ["iptables", "-C", "OUTPUT", "-o", outerInterface, "-j", egressChain],
        {
          ...(signal === undefined ? {} : { signal }),
        },
      );
      this.egressJumps = check.exitCode === 0;
    }
    if (allow === undefined && !this.egressJumps) {
      this.allowedEgress = undefined;
      return;
    }
    const rules = renderEgressRules({
      allow,
      dnsServers: this.owner.dnsServers,
      installJumps: !this.egressJumps,
    });
    await writeFile(join(this.dind.socketDir, rulesFileName), rules, { mode: 0o600 });
    const result = await host.exec(
      this.containerId,
      ["iptables-restore", "--noflush", `${innerSocketDir}/${rulesFileName}`],
      signal === undefined ? {} : { signal },
    );
    if (result.exitCode !== 0) {
      throw new EgressSetupError(
        this.containerId,
        `iptables-restore exited ${result.exitCode}: ${result.stderr.trim()}`,
      );
    }
    this.egressJumps = true;
    this.allowedEgress = allow;
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
