/**
 * Egress rules on the HOST (pure part): validation of IPv4 CIDRs, the chain names, and the
 * `iptables-restore --noflush` input that installs, replaces or removes one DIND's rules.
 *
 * Layout (filter table, IPv4 and IPv6), per leased DIND with an egress policy:
 *
 *     DOCKER-USER (else FORWARD) 1: -i br-<network id> -m comment ... -j ILD-EGRESS-<pool>-<key>
 *     INPUT                      1: -i br-<network id> -m comment ... -j ILD-EGRESS-<pool>-<key>
 *     ILD-EGRESS-<pool>-<key> (IPv4):
 *       ! -s <DIND ip>/32                          DROP    (spoofed sources never leave)
 *       conntrack ESTABLISHED,RELATED              RETURN  (replies: probes, the sidecar's calls)
 *       -d <resolver> udp/tcp 53                   RETURN
 *       -d <allowed CIDR>                          RETURN
 *       everything else                            DROP
 *     ILD-EGRESS-<pool>-<key> (IPv6): replies RETURN, everything else DROP
 *
 * The DIND's bridge is its own (one DIND per network), so `-i` matches every packet the DIND sends,
 * whatever socket made it (raw, AF_PACKET) and whatever it did to its own netfilter tables. RETURN
 * hands the packet back to Docker's own rules: these rules only ever narrow what Docker allows.
 */
import { createHash } from "node:crypto";
import { InvalidEgressError } from "../errors.js";

export type IpFamily = 4 | 6;

/** Prefix of every egress chain on the host (all pools). */
export const egressChainPrefix = "ILD-EGRESS-";

/** Normalised `a.b.c.d/n`; throws InvalidEgressError naming `field`. */
export function parseIpv4Cidr(value: string, field: string): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(value.trim());
  if (!match) {
    throw new InvalidEgressError(field, `not an IPv4 address or CIDR: ${JSON.stringify(value)}`);
  }
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((octet) => octet > 255)) {
    throw new InvalidEgressError(field, `octet out of range in ${value}`);
  }
  const prefix = match[5] === undefined ? 32 : Number(match[5]);
  if (prefix > 32) {
    throw new InvalidEgressError(field, `prefix length out of range in ${value}`);
  }
  return `${octets.join(".")}/${prefix}`;
}

export function validateEgressCidrs(cidrs: string[], field = "egress.allowCidrs"): string[] {
  return cidrs.map((cidr, index) => parseIpv4Cidr(cidr, `${field}[${index}]`));
}

/** `ILD-EGRESS-` + 6 hex of the pool id + `-` + the DIND's key (26 characters; iptables allows 28). */
export function poolChainPrefix(poolId: string): string {
  return `${egressChainPrefix}${createHash("sha256").update(poolId).digest("hex").slice(0, 6)}-`;
}

export function egressChainName(poolId: string, dindKey: string): string {
  if (!/^[0-9a-f]{8}$/.test(dindKey)) {
    throw new Error(`egress chain: DIND key ${JSON.stringify(dindKey)} is not 8 hex digits`);
  }
  return `${poolChainPrefix(poolId)}${dindKey}`;
}

/** The host interface of a Docker bridge network: `br-` + the first 12 hex digits of its id. */
export function bridgeInterface(networkId: string): string {
  if (!/^[0-9a-f]{12,64}$/.test(networkId)) {
    throw new Error(`egress: network id ${JSON.stringify(networkId)} is not a Docker bridge network id`);
  }
  return `br-${networkId.slice(0, 12)}`;
}

/** What `iptables-save -t filter` holds that matters here. */
export interface SavedFilter {
  chains: Set<string>;
  /** The `-A CHAIN ...` lines, as saved (valid restore input). */
  rules: string[];
}

export function parseFilterSave(text: string): SavedFilter {
  const chains = new Set<string>();
  const rules: string[] = [];
  for (const line of text.split("\n")) {
    const chain = /^:(\S+)\s/.exec(line);
    if (chain?.[1] !== undefined) {
      chains.add(chain[1]);
    } else if (line.startsWith("-A ")) {
      rules.push(line.trimEnd());
    }
  }
  return { chains, rules };
}

/** Saved rules of other chains that jump to `chain`. */
export function jumpsTo(saved: SavedFilter, chain: string): string[] {
  return saved.rules.filter((rule) => {
    const tokens = rule.split(/\s+/);
    return (
      tokens[1] !== chain && tokens.some((token, index) => token === "-j" && tokens[index + 1] === chain)
    );
  });
}

export interface DindEgressSpec {
  /** `egressChainName(poolId, key)`. */
  chain: string;
  /** The DIND's bridge on the host (`bridgeInterface(networkId)`). */
  bridge: string;
  /** The DIND's address on that network (IPv4). */
  sourceIp: string;
  /** Normalised IPv4 CIDRs (`validateEgressCidrs`). */
  allow: string[];
  /** Resolvers reachable on port 53 (normalised CIDRs). */
  dnsServers: string[];
  /** Names the owner in the jump rules (`pool=<id> dind=<name>`). */
  owner: string;
}

function checkSpec(spec: DindEgressSpec): void {
  const safe = /^[A-Za-z0-9_.:/=+-]+$/;
  for (const [field, value] of [
    ["chain", spec.chain],
    ["bridge", spec.bridge],
    ...spec.allow.map((cidr) => ["allow", cidr]),
    ...spec.dnsServers.map((server) => ["dnsServers", server]),
  ] as const) {
    if (!safe.test(value)) {
      throw new Error(`egress rules: unsafe ${field} ${JSON.stringify(value)}`);
    }
  }
  if (!/^[A-Za-z0-9_.=+ -]{1,200}$/.test(spec.owner)) {
    throw new Error(`egress rules: unsafe owner ${JSON.stringify(spec.owner)}`);
  }
  parseIpv4Cidr(spec.sourceIp, "sourceIp");
}

/**
 * One transaction that (re)creates the DIND's chain and puts its two jumps at the top of the
 * forward chain (DOCKER-USER where Docker made one) and INPUT, replacing any earlier jumps to it.
 */
export function renderDindEgress(family: IpFamily, spec: DindEgressSpec, saved: SavedFilter): string {
  checkSpec(spec);
  const { chain } = spec;
  const lines = ["*filter", `:${chain} - [0:0]`];
  if (family === 4) {
    lines.push(`-A ${chain} ! -s ${parseIpv4Cidr(spec.sourceIp, "sourceIp")} -j DROP`);
  }
  lines.push(`-A ${chain} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN`);
  if (family === 4) {
    for (const server of spec.dnsServers) {
      lines.push(`-A ${chain} -d ${server} -p udp --dport 53 -j RETURN`);
      lines.push(`-A ${chain} -d ${server} -p tcp --dport 53 -j RETURN`);
    }
    for (const cidr of spec.allow) {
      lines.push(`-A ${chain} -d ${cidr} -j RETURN`);
    }
  }
  lines.push(`-A ${chain} -j DROP`);
  for (const jump of jumpsTo(saved, chain)) {
    lines.push(`-D${jump.slice(2)}`);
  }
  const forward = saved.chains.has("DOCKER-USER") ? "DOCKER-USER" : "FORWARD";
  for (const from of [forward, "INPUT"]) {
    lines.push(`-I ${from} 1 -i ${spec.bridge} -m comment --comment "ild-egress ${spec.owner}" -j ${chain}`);
  }
  lines.push("COMMIT", "");
  return lines.join("\n");
}

/** Removes the chain and every jump to it; undefined when there is nothing to remove. */
export function renderEgressRemoval(chains: string[], saved: SavedFilter): string | undefined {
  const lines = ["*filter"];
  for (const chain of chains) {
    for (const jump of jumpsTo(saved, chain)) {
      lines.push(`-D${jump.slice(2)}`);
    }
  }
  for (const chain of chains) {
    if (saved.chains.has(chain)) {
      lines.push(`-F ${chain}`, `-X ${chain}`);
    }
  }
  if (lines.length === 1) {
    return undefined;
  }
  lines.push("COMMIT", "");
  return lines.join("\n");
}

/** This pool's egress chains whose DIND key is not in `keep` (left by a crash). */
export function staleEgressChains(saved: SavedFilter, poolId: string, keep: Set<string>): string[] {
  const prefix = poolChainPrefix(poolId);
  return [...saved.chains].filter(
    (chain) => chain.startsWith(prefix) && !keep.has(chain.slice(prefix.length)),
  );
}

/** Non-loopback IPv4 nameservers of a resolv.conf text. */
export function parseResolvConf(text: string): string[] {
  const servers: string[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    if (match?.[1] && /^\d+\.\d+\.\d+\.\d+$/.test(match[1]) && !match[1].startsWith("127.")) {
      servers.push(`${match[1]}/32`);
    }
  }
  return servers;
}
