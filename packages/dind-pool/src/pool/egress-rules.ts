/**
 * Egress ACL inside a DIND's network namespace (pure part): validation of IPv4 CIDRs and the
 * `iptables-restore --noflush` input. Only packets LEAVING the DIND through an outer interface
 * (`eth+`: the per-DIND network, and any network attached later, e.g. for a fixed pod IP) are
 * filtered, from the DIND itself (OUTPUT: inner containers on `--network host`) and from inner
 * containers on inner bridges (FORWARD). Allowed: replies
 * (ESTABLISHED,RELATED: the health-check path from the host), DNS to the configured resolvers, the
 * allowed CIDRs. Everything else is dropped. Loopback and traffic between inner containers never
 * leave through an eth interface and are untouched.
 */
import { InvalidEgressError } from "../errors.js";

export const egressChain = "ILD-EGRESS";
/** Docker names a container's interfaces eth0, eth1, …; inner bridges are docker0/br-*, veths veth*. */
export const outerInterface = "eth+";

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

/**
 * `iptables-restore --noflush` input. Declaring the chain flushes it, so applying again replaces
 * the rules; `installJumps` adds the OUTPUT/FORWARD jumps (once per DIND). `allow === undefined`
 * leaves the chain empty: no restriction.
 */
export function renderEgressRules(options: {
  allow: string[] | undefined;
  dnsServers: string[];
  installJumps: boolean;
}): string {
  const lines = ["*filter", `:${egressChain} - [0:0]`];
  if (options.allow !== undefined) {
    lines.push(`-A ${egressChain} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN`);
    for (const server of options.dnsServers) {
      lines.push(`-A ${egressChain} -d ${server} -p udp --dport 53 -j RETURN`);
      lines.push(`-A ${egressChain} -d ${server} -p tcp --dport 53 -j RETURN`);
    }
    for (const cidr of options.allow) {
      lines.push(`-A ${egressChain} -d ${cidr} -j RETURN`);
    }
    lines.push(`-A ${egressChain} -j DROP`);
  }
  if (options.installJumps) {
    lines.push(`-I OUTPUT 1 -o ${outerInterface} -j ${egressChain}`);
    lines.push(`-I FORWARD 1 -o ${outerInterface} -j ${egressChain}`);
  }
  lines.push("COMMIT", "");
  return lines.join("\n");
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
