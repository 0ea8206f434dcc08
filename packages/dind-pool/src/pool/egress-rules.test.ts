import { describe, expect, it } from "vitest";
import { InvalidEgressError } from "../errors.js";
import { parseIpv4Cidr, parseResolvConf, renderEgressRules, validateEgressCidrs } from "./egress-rules.js";

describe("egress rules", () => {
  it("normalises IPv4 addresses and CIDRs", () => {
    expect(parseIpv4Cidr("10.1.2.3", "f")).toBe("10.1.2.3/32");
    expect(parseIpv4Cidr(" 10.0.0.0/8 ", "f")).toBe("10.0.0.0/8");
  });

  it("rejects anything else, naming the field path", () => {
    for (const bad of ["", "10.0.0.256", "10.0.0.0/33", "::1", "10.0.0.0/8; iptables -F", "a.b.c.d"]) {
      expect(() => validateEgressCidrs(["1.1.1.1", bad])).toThrow(InvalidEgressError);
    }
    expect(() => validateEgressCidrs(["1.1.1.1", "nope"])).toThrow(/egress\.allowCidrs\[1\]/);
  });

  it("renders a replaceable chain: replies, DNS, allowed CIDRs, then drop; jumps only once", () => {
    const rules = renderEgressRules({
      allow: ["10.0.0.0/8"],
      dnsServers: ["192.0.2.53/32"],
      installJumps: true,
    });
    expect(rules.split("\n")).toEqual([
      "*filter",
      ":ILD-EGRESS - [0:0]",
      "-A ILD-EGRESS -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
      "-A ILD-EGRESS -d 192.0.2.53/32 -p udp --dport 53 -j RETURN",
      "-A ILD-EGRESS -d 192.0.2.53/32 -p tcp --dport 53 -j RETURN",
      "-A ILD-EGRESS -d 10.0.0.0/8 -j RETURN",
      "-A ILD-EGRESS -j DROP",
      "-I OUTPUT 1 -o eth+ -j ILD-EGRESS",
      "-I FORWARD 1 -o eth+ -j ILD-EGRESS",
      "COMMIT",
      "",
    ]);
    const lifted = renderEgressRules({ allow: undefined, dnsServers: [], installJumps: false });
    expect(lifted).toBe("*filter\n:ILD-EGRESS - [0:0]\nCOMMIT\n");
  });

  it("reads non-loopback IPv4 nameservers from resolv.conf", () => {
    expect(
      parseResolvConf("# x\nnameserver 127.0.0.11\nnameserver 10.0.0.2\nnameserver ::1\nsearch a\n"),
    ).toEqual(["10.0.0.2/32"]);
  });
});
