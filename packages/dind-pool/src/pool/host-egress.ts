/**
 * Egress enforcement on the host, per leased DIND (see egress-rules.ts for the rule layout). The
 * allow-list of each restricted DIND is kept in `<poolDir>/egress/<key>.json` (a folder no DIND
 * mounts) BEFORE its rules go in, so a restart re-applies exactly what was in force, also when the
 * previous process died between writing the lease marker and installing the rules. Rules are
 * removed after the DIND is gone; `sweep()` removes the chains and state files of DINDs that no
 * longer exist (a crash between destroying a DIND and removing its rules).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@ild/common";
import { EgressSetupError } from "../errors.js";
import {
  bridgeInterface,
  egressChainName,
  type IpFamily,
  parseFilterSave,
  renderDindEgress,
  renderEgressRemoval,
  staleEgressChains,
  validateEgressCidrs,
} from "./egress-rules.js";
import type { HostFirewall } from "./host-firewall.js";

/** What identifies a DIND's traffic on the host. */
export interface EgressTarget {
  name: string;
  /** The 8 hex digits ending the DIND's name. */
  key: string;
  containerId: string;
  networkId: string;
  /** The DIND's IPv4 address on its own network. */
  ip: string;
}

export interface HostEgressOptions {
  firewall: HostFirewall;
  poolId: string;
  /** `<poolDir>/egress`. */
  stateDir: string;
  dnsServers: () => string[];
  logger: Logger;
}

export class HostEgress {
  private ipv6: boolean | undefined;

  constructor(private readonly options: HostEgressOptions) {}

  private statePath(key: string): string {
    return join(this.options.stateDir, `${key}.json`);
  }

  /** Installs the rules for `allow`, or lifts them (`undefined`). The list is stored first. */
  async apply(target: EgressTarget, allow: string[] | undefined, signal?: AbortSignal): Promise<void> {
    if (allow === undefined) {
      // rules first, then the state: a crash in between re-applies the stricter list
      await this.remove(target.key, signal);
      return;
    }
    await mkdir(this.options.stateDir, { recursive: true, mode: 0o700 });
    const path = this.statePath(target.key);
    await writeFile(`${path}.tmp`, `${JSON.stringify({ version: 1, allow })}\n`, { mode: 0o600 });
    await rename(`${path}.tmp`, path);
    await this.install(target, allow, signal);
  }

  /**
   * After a restart: puts the stored list back in force (undefined when the DIND had none). A
   * state file that cannot be read denies everything rather than nothing.
   */
  async reapply(target: EgressTarget, signal?: AbortSignal): Promise<string[] | undefined> {
    let text: string;
    try {
      text = await readFile(this.statePath(target.key), "utf8");
    } catch {
      return undefined;
    }
    let allow: string[];
    try {
      const parsed = JSON.parse(text) as { allow?: unknown };
      if (!Array.isArray(parsed.allow) || !parsed.allow.every((item) => typeof item === "string")) {
        throw new Error("no allow list");
      }
      allow = validateEgressCidrs(parsed.allow as string[]);
    } catch (error) {
      this.options.logger.error(
        { err: error, dind: target.name },
        "egress state unreadable: denying all egress of this DIND",
      );
      allow = [];
    }
    await this.install(target, allow, signal);
    return allow;
  }

  /** Removes the DIND's chains and jumps, then its state; a no-op for a DIND that never had any. */
  async remove(key: string, signal?: AbortSignal): Promise<void> {
    const path = this.statePath(key);
    const hasState = await readFile(path).then(
      () => true,
      () => false,
    );
    if (!hasState) {
      return;
    }
    const chain = egressChainName(this.options.poolId, key);
    for (const family of await this.families(signal)) {
      const saved = parseFilterSave(await this.options.firewall.save(family, signal ? { signal } : {}));
      const rules = renderEgressRemoval([chain], saved);
      if (rules !== undefined) {
        await this.restore(family, rules, key, signal);
      }
    }
    await rm(path, { force: true });
  }

  /** Chains and state files of this pool whose DIND (by key) is not in `keep`. */
  async sweep(keep: Set<string>, signal?: AbortSignal): Promise<void> {
    for (const family of await this.families(signal).catch(() => [] as IpFamily[])) {
      try {
        const saved = parseFilterSave(await this.options.firewall.save(family, signal ? { signal } : {}));
        const stale = staleEgressChains(saved, this.options.poolId, keep);
        const rules = renderEgressRemoval(stale, saved);
        if (rules !== undefined) {
          await this.options.firewall.restore(family, rules, signal ? { signal } : {});
          this.options.logger.info({ chains: stale, family }, "reconcile: removed stale egress rules");
        }
      } catch (error) {
        this.options.logger.warn({ err: error, family }, "reconcile: could not check the host egress rules");
      }
    }
    const entries = await readdir(this.options.stateDir).catch(() => [] as string[]);
    for (const entry of entries) {
      const key = /^([0-9a-f]{8})\.json(?:\.tmp)?$/.exec(entry)?.[1];
      if (key !== undefined && !keep.has(key)) {
        await rm(join(this.options.stateDir, entry), { force: true });
      }
    }
  }

  private async install(target: EgressTarget, allow: string[], signal?: AbortSignal): Promise<void> {
    let bridge: string;
    try {
      bridge = bridgeInterface(target.networkId);
    } catch (error) {
      throw new EgressSetupError(target.containerId, (error as Error).message, { cause: error });
    }
    if (!(await this.options.firewall.hasInterface(bridge))) {
      throw new EgressSetupError(
        target.containerId,
        `the DIND's bridge ${bridge} is not visible here: host egress rules need the sidecar in the host's network namespace, beside its Docker engine`,
      );
    }
    const spec = {
      chain: egressChainName(this.options.poolId, target.key),
      bridge,
      sourceIp: target.ip,
      allow,
      dnsServers: this.options.dnsServers(),
      owner: `pool=${this.options.poolId} dind=${target.name}`,
    };
    for (const family of await this.families(signal)) {
      let saved: ReturnType<typeof parseFilterSave>;
      try {
        saved = parseFilterSave(await this.options.firewall.save(family, signal ? { signal } : {}));
      } catch (error) {
        throw new EgressSetupError(target.containerId, (error as Error).message, { cause: error });
      }
      await this.restore(family, renderDindEgress(family, spec, saved), target.containerId, signal);
    }
  }

  private async restore(family: IpFamily, rules: string, owner: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.options.firewall.restore(family, rules, signal ? { signal } : {});
    } catch (first) {
      if (signal?.aborted) {
        throw first;
      }
      try {
        // another writer (Docker, a parallel lease) may have changed the table in between
        await this.options.firewall.restore(family, rules, signal ? { signal } : {});
      } catch (error) {
        throw new EgressSetupError(owner, (error as Error).message, { cause: error });
      }
    }
  }

  /** IPv4 always; IPv6 where the host has it (without IPv6 there is nothing to filter). */
  private async families(signal?: AbortSignal): Promise<IpFamily[]> {
    if (this.ipv6 === undefined) {
      this.ipv6 = await this.options.firewall.save(6, signal ? { signal } : {}).then(
        () => true,
        (error: unknown) => {
          this.options.logger.warn({ err: error }, "ip6tables unavailable: IPv6 egress is not filtered");
          return false;
        },
      );
    }
    return this.ipv6 ? [4, 6] : [4];
  }
}
