import { describe, expect, it } from "vitest";
import { InvalidPodError } from "../errors.js";
import { egressAllowList } from "../hooks/builtin-hooks.js";
import { coveredBy, narrowEgress } from "./narrow-egress.js";

const field = 'metadata.annotations["ild.io/egress-allow"]';

describe("coveredBy", () => {
  it("inside one operator entry, or covered by several that add up", () => {
    expect(coveredBy("10.1.2.3/32", ["10.0.0.0/8"])).toBe(true);
    expect(coveredBy("10.0.0.0/8", ["10.0.0.0/8"])).toBe(true);
    expect(coveredBy("10.0.0.0/8", ["10.0.0.0/9", "10.128.0.0/9"])).toBe(true);
    expect(coveredBy("10.0.0.0/8", ["10.0.0.0/9", "10.0.0.0/10", "10.128.0.0/9"])).toBe(true);
    expect(coveredBy("fd00::1/128", ["fd00::/8"])).toBe(true);
  });

  it("not when any address of the request lies outside", () => {
    expect(coveredBy("10.0.0.0/8", ["10.0.0.0/9"])).toBe(false);
    expect(coveredBy("10.0.0.0/8", ["10.0.0.0/9", "10.0.0.0/9"])).toBe(false);
    expect(coveredBy("0.0.0.0/0", ["10.0.0.0/8"])).toBe(false);
    expect(coveredBy("11.0.0.1/32", ["10.0.0.0/8"])).toBe(false);
    expect(coveredBy("::/0", ["0.0.0.0/0"])).toBe(false);
    // a host address with bits beyond its prefix still means the whole network
    expect(coveredBy("10.1.2.3/8", ["10.1.0.0/16"])).toBe(false);
  });
});

describe("narrowEgress", () => {
  it("the operator's list when the pod asks nothing; not filtered when neither asks", () => {
    expect(narrowEgress(["10.0.0.0/8"], undefined, field)).toEqual(["10.0.0.0/8"]);
    expect(narrowEgress([], undefined, field)).toBeUndefined();
  });

  it("a pod narrows the operator's list to its own, or restricts itself when there is none", () => {
    expect(narrowEgress(["10.0.0.0/8", "192.0.2.0/24"], ["10.1.0.0/16"], field)).toEqual(["10.1.0.0/16"]);
    expect(narrowEgress([], ["10.1.0.0/16"], field)).toEqual(["10.1.0.0/16"]);
    expect(narrowEgress(["10.0.0.0/8"], [], field)).toEqual([]);
  });

  it("a widening attempt is refused, naming the annotation (never merged)", () => {
    const attempt = (): unknown => narrowEgress(["10.0.0.0/8"], ["10.1.0.0/16", "0.0.0.0/0"], field);
    expect(attempt).toThrow(InvalidPodError);
    expect(attempt).toThrow(/^metadata\.annotations\["ild\.io\/egress-allow"\]: 0\.0\.0\.0\/0 is outside/);
  });
});

describe("egressAllowList (annotation + operator list)", () => {
  it("narrows, refuses widening, validates every entry", () => {
    expect(egressAllowList({ "ild.io/egress-allow": "10.1.0.0/16, 10.2.3.4" }, ["10.0.0.0/8"])).toEqual([
      "10.1.0.0/16",
      "10.2.3.4/32",
    ]);
    expect(egressAllowList({}, ["192.168.0.0/16"])).toEqual(["192.168.0.0/16"]);
    expect(egressAllowList({}, [])).toBeUndefined();
    expect(() => egressAllowList({ "ild.io/egress-allow": "1.1.1.1" }, ["10.0.0.0/8"])).toThrow(
      /ild\.io\/egress-allow.*outside the node's egress allow-list/,
    );
    expect(() => egressAllowList({ "ild.io/egress-allow": "10.0.0.0/99" }, [])).toThrow(
      /egress-allow.*invalid prefix length/,
    );
  });
});
