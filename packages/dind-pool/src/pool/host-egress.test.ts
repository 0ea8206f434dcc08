import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { noopLogger } from "@ild/common";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EgressSetupError } from "../errors.js";
import { egressChainName, type IpFamily } from "./egress-rules.js";
import { HostEgress } from "./host-egress.js";
import type { HostFirewall } from "./host-firewall.js";

/**
 * A filter table in memory that understands the restore lines HostEgress writes (`:chain`, `-A`,
 * `-I`, `-D`, `-F`, `-X`), so a sequence of applies, crashes and sweeps can be followed.
 */
class TableFirewall implements HostFirewall {
  readonly tables = new Map<IpFamily, { chains: Set<string>; rules: string[] }>([
    [4, { chains: new Set(["INPUT", "FORWARD", "OUTPUT", "DOCKER-USER"]), rules: [] }],
    [6, { chains: new Set(["INPUT", "FORWARD", "OUTPUT"]), rules: [] }],
  ]);
  readonly restores: string[] = [];
  interfaces = new Set(["br-0123456789ab"]);
  failRestores = 0;

  async save(family: IpFamily): Promise<string> {
    const table = this.tables.get(family);
    if (table === undefined) {
      throw new Error("no such table");
    }
    return [
      "*filter",
      ...[...table.chains].map((chain) => `:${chain} - [0:0]`),
      ...table.rules,
      "COMMIT",
    ].join("\n");
  }

  async restore(family: IpFamily, rules: string): Promise<void> {
    if (this.failRestores > 0) {
      this.failRestores--;
      throw new Error("iptables-restore exited 4: Resource temporarily unavailable");
    }
    this.restores.push(rules);
    const table = this.tables.get(family);
    if (table === undefined) {
      throw new Error("no such table");
    }
    for (const line of rules.split("\n")) {
      const [op = "", chain = ""] = line.split(" ");
      const rest = line
        .split(" ")
        .slice(op === "-I" ? 3 : 2)
        .join(" ");
      if (op.startsWith(":")) {
        table.chains.add(op.slice(1));
        table.rules = table.rules.filter((rule) => !rule.startsWith(`-A ${op.slice(1)} `));
      } else if (op === "-A") {
        table.rules.push(line);
      } else if (op === "-I") {
        table.rules.unshift(`-A ${chain} ${rest}`);
      } else if (op === "-D") {
        const index = table.rules.indexOf(`-A ${chain} ${rest}`);
        if (index === -1) {
          throw new Error(`no rule to delete: ${line}`);
        }
        table.rules.splice(index, 1);
      } else if (op === "-F") {
        table.rules = table.rules.filter((rule) => !rule.startsWith(`-A ${chain} `));
      } else if (op === "-X") {
        table.chains.delete(chain);
      }
    }
  }

  async hasInterface(name: string): Promise<boolean> {
    return this.interfaces.has(name);
  }

  rulesOf(family: IpFamily): string[] {
    return this.tables.get(family)?.rules ?? [];
  }
}

const target = {
  name: "ild-p-0a1b2c3d",
  key: "0a1b2c3d",
  containerId: "c".repeat(64),
  networkId: `0123456789ab${"f".repeat(52)}`,
  ip: "172.30.0.2",
};
const chain = egressChainName("p", target.key);

describe("HostEgress", () => {
  let stateDir: string;
  let firewall: TableFirewall;
  let egress: HostEgress;

  beforeEach(async () => {
    stateDir = join(await mkdtemp(join(tmpdir(), "ild-egress-")), "egress");
    firewall = new TableFirewall();
    egress = new HostEgress({
      firewall,
      poolId: "p",
      stateDir,
      dnsServers: () => ["192.0.2.53/32"],
      logger: noopLogger,
    });
  });

  afterEach(async () => {
    await rm(join(stateDir, ".."), { recursive: true, force: true });
  });

  it("stores the list, installs both families, replaces on re-apply, lifts completely", async () => {
    await egress.apply(target, ["10.0.0.0/8"]);
    expect(JSON.parse(await readFile(join(stateDir, "0a1b2c3d.json"), "utf8"))).toEqual({
      version: 1,
      allow: ["10.0.0.0/8"],
    });
    expect(firewall.rulesOf(4)).toContain(`-A ${chain} -d 10.0.0.0/8 -j RETURN`);
    expect(firewall.rulesOf(4).filter((rule) => rule.endsWith(`-j ${chain}`))).toHaveLength(2);
    expect(firewall.rulesOf(6)).toContain(`-A ${chain} -j DROP`);

    await egress.apply(target, ["192.0.2.0/24"]);
    expect(firewall.rulesOf(4)).not.toContain(`-A ${chain} -d 10.0.0.0/8 -j RETURN`);
    expect(firewall.rulesOf(4).filter((rule) => rule.endsWith(`-j ${chain}`))).toHaveLength(2);

    await egress.apply(target, undefined);
    expect(firewall.rulesOf(4).some((rule) => rule.includes(chain))).toBe(false);
    expect(firewall.tables.get(4)?.chains.has(chain)).toBe(false);
    expect(await readdir(stateDir)).toEqual([]);
  });

  it("re-applies the stored list after a restart; nothing stored means nothing to do", async () => {
    await egress.apply(target, ["10.0.0.0/8"]);
    const fresh = new TableFirewall(); // a reload wiped the host's tables
    const restarted = new HostEgress({
      firewall: fresh,
      poolId: "p",
      stateDir,
      dnsServers: () => [],
      logger: noopLogger,
    });
    expect(await restarted.reapply(target)).toEqual(["10.0.0.0/8"]);
    expect(fresh.rulesOf(4)).toContain(`-A ${chain} -d 10.0.0.0/8 -j RETURN`);
    expect(await restarted.reapply({ ...target, key: "99999999", name: "ild-p-99999999" })).toBeUndefined();
  });

  it("an unreadable state file denies everything rather than nothing", async () => {
    await egress.apply(target, ["10.0.0.0/8"]);
    await writeFile(join(stateDir, "0a1b2c3d.json"), '{"allow":["0.0.0.0/0 -j ACCEPT"]}');
    expect(await egress.reapply(target)).toEqual([]);
    expect(firewall.rulesOf(4).filter((rule) => rule.startsWith(`-A ${chain} -d`))).toEqual([
      `-A ${chain} -d 192.0.2.53/32 -p udp --dport 53 -j RETURN`,
      `-A ${chain} -d 192.0.2.53/32 -p tcp --dport 53 -j RETURN`,
    ]);
  });

  it("fails closed, naming the reason, when the DIND's bridge is not visible here", async () => {
    firewall.interfaces.clear();
    await expect(egress.apply(target, ["10.0.0.0/8"])).rejects.toBeInstanceOf(EgressSetupError);
    await expect(egress.apply(target, ["10.0.0.0/8"])).rejects.toThrow(/br-0123456789ab is not visible/);
  });

  it("retries a restore once (another writer), then reports ILD_EGRESS_FAILED", async () => {
    firewall.failRestores = 1;
    await egress.apply(target, ["10.0.0.0/8"]);
    expect(firewall.rulesOf(4)).toContain(`-A ${chain} -d 10.0.0.0/8 -j RETURN`);
    firewall.failRestores = 2;
    await expect(egress.apply(target, ["10.0.0.0/8"])).rejects.toMatchObject({ code: "ILD_EGRESS_FAILED" });
  });

  it("removes only what exists; sweeps chains and state of DINDs that are gone, and nothing else", async () => {
    await egress.remove("99999999"); // never had rules: no firewall call at all
    expect(firewall.restores).toEqual([]);
    const other = { ...target, key: "11111111", name: "ild-p-11111111" };
    await egress.apply(target, ["10.0.0.0/8"]);
    await egress.apply(other, ["10.0.0.0/8"]);
    const foreign = egressChainName("another-pool", "22222222");
    firewall.tables.get(4)?.chains.add(foreign);

    await egress.sweep(new Set([other.key]));
    expect(firewall.tables.get(4)?.chains.has(chain)).toBe(false);
    expect(firewall.tables.get(6)?.chains.has(chain)).toBe(false);
    expect(firewall.tables.get(4)?.chains.has(egressChainName("p", other.key))).toBe(true);
    expect(firewall.tables.get(4)?.chains.has(foreign)).toBe(true);
    expect(await readdir(stateDir)).toEqual(["11111111.json"]);
  });

  it("filters IPv4 only where the host has no IPv6 tables", async () => {
    firewall.tables.delete(6);
    await egress.apply(target, ["10.0.0.0/8"]);
    expect(firewall.rulesOf(4)).toContain(`-A ${chain} -d 10.0.0.0/8 -j RETURN`);
  });
});
