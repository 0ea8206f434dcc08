import { describe, expect, it } from "vitest";
import { parseCidr, parseIp } from "./parse-cidr.js";

describe("parseCidr", () => {
  it("accepts IPv4/IPv6 CIDRs and bare addresses", () => {
    expect(parseCidr("10.0.0.0/8", "x")).toBe("10.0.0.0/8");
    expect(parseCidr(" 192.168.1.5 ", "x")).toBe("192.168.1.5/32");
    expect(parseCidr("fd00::/64", "x")).toBe("fd00::/64");
  });

  it("rejects anything else, naming the field", () => {
    expect(() => parseCidr("10.0.0.0/33", "spec.x")).toThrow(/spec\.x/);
    expect(() => parseCidr("10.0.0.0/8; rm -rf /", "x")).toThrow();
    expect(() => parseCidr("example.org", "x")).toThrow();
    expect(() => parseIp("10.1.2", "metadata.annotations")).toThrow(/not an IP address/);
  });
});
