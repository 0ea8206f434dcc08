/**
 * A pod's egress allow-list: the operator's list (`Ild.policy.egressAllowCidrs`), narrowed by the
 * pod's own `ild.io/egress-allow` annotation, never widened. A requested CIDR must lie inside the
 * operator's list (inside one entry, or covered by several); one that reaches anything outside is
 * refused with 400 naming the annotation. Without an operator list a pod may restrict itself.
 */
import { isIP } from "node:net";
import { InvalidPodError } from "../errors.js";

interface Range {
  family: 4 | 6;
  start: bigint;
  /** Number of addresses. */
  size: bigint;
}

function toRange(cidr: string): Range {
  const [address = "", prefixText = ""] = cidr.split("/");
  const family = isIP(address) === 6 ? 6 : 4;
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  let value = 0n;
  if (family === 4) {
    for (const octet of address.split(".")) {
      value = (value << 8n) | BigInt(Number(octet));
    }
  } else {
    const [head = "", tail] = address.split("::");
    const headGroups = head === "" ? [] : head.split(":");
    const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
    const groups = [
      ...headGroups,
      ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"),
      ...tailGroups,
    ];
    for (const group of groups.slice(0, 8)) {
      value = (value << 16n) | BigInt(Number.parseInt(group, 16));
    }
  }
  const size = 1n << BigInt(bits - prefix);
  return { family, start: value - (value % size), size };
}

function inside(inner: Range, outer: Range): boolean {
  return (
    inner.family === outer.family &&
    inner.start >= outer.start &&
    inner.start + inner.size <= outer.start + outer.size
  );
}

/** Whether the union of `operator` covers every address of `requested` (all normalised CIDRs). */
export function coveredBy(requested: string, operator: string[]): boolean {
  const want = toRange(requested);
  const ranges = operator.map(toRange);
  if (ranges.some((range) => inside(want, range))) {
    return true;
  }
  // CIDRs are nested or disjoint: the operator entries inside `want`, without nested repeats,
  // cover it exactly when their sizes add up to its size
  const within = ranges.filter((range) => inside(range, want));
  const outermost = within.filter(
    (range, index) =>
      !within.some(
        (other, otherIndex) =>
          otherIndex !== index &&
          inside(range, other) &&
          (other.size > range.size || (other.size === range.size && otherIndex < index)),
      ),
  );
  return outermost.reduce((sum, range) => sum + range.size, 0n) === want.size;
}

/**
 * The list in force for a pod: `undefined` (not filtered) when neither the operator nor the pod
 * asks for one; the operator's list; or the pod's narrower list. `operator` and `requested` are
 * normalised CIDRs (parseCidr); `field` names the annotation in the 400.
 */
export function narrowEgress(
  operator: string[],
  requested: string[] | undefined,
  field: string,
): string[] | undefined {
  if (requested === undefined) {
    return operator.length === 0 ? undefined : [...new Set(operator)];
  }
  if (operator.length > 0) {
    for (const cidr of requested) {
      if (!coveredBy(cidr, operator)) {
        throw new InvalidPodError(
          field,
          `${cidr} is outside the node's egress allow-list (${operator.join(", ")}); a pod may only narrow it`,
        );
      }
    }
  }
  return [...new Set(requested)];
}
