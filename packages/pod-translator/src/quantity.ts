/**
 * Kubernetes resource quantities (`500m`, `1.5Gi`, `2e3`, `128974848`), parsed exactly with BigInt so that
 * rounding follows Kubernetes: `Value()` and `MilliValue()` round up.
 */

const quantityPattern = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const binary: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const decimalExponent: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/** An exact quantity: `numerator / denominator`. */
export interface Quantity {
  numerator: bigint;
  denominator: bigint;
  /** The text it was parsed from. */
  text: string;
}

export class QuantityError extends Error {}

/** Parses a quantity (string or number, as YAML may give either); throws QuantityError when malformed. */
export function parseQuantity(input: string | number): Quantity {
  const text = typeof input === "number" ? numberToText(input) : input.trim();
  const match = quantityPattern.exec(text);
  if (!match) {
    throw new QuantityError(`"${String(input)}" is not a valid quantity`);
  }
  const sign = match[1] === "-" ? -1n : 1n;
  const digits = match[2] ?? "0";
  const suffix = match[3] ?? "";
  const [whole = "", fraction = ""] = digits.split(".");
  let numerator = BigInt(`${whole || "0"}${fraction}`) * sign;
  let denominator = 10n ** BigInt(fraction.length);
  let exponent = 0;
  if (suffix in binary) {
    numerator *= binary[suffix] ?? 1n;
  } else if (suffix in decimalExponent) {
    exponent = decimalExponent[suffix] ?? 0;
  } else if (suffix !== "") {
    exponent = Number.parseInt(suffix.slice(1), 10);
    if (Math.abs(exponent) > 60) {
      throw new QuantityError(`"${String(input)}": exponent out of range`);
    }
  }
  if (exponent > 0) {
    numerator *= 10n ** BigInt(exponent);
  } else if (exponent < 0) {
    denominator *= 10n ** BigInt(-exponent);
  }
  return { numerator, denominator, text };
}

function numberToText(value: number): string {
  if (!Number.isFinite(value)) {
    throw new QuantityError(`${value} is not a valid quantity`);
  }
  return String(value);
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return numerator % denominator > 0n ? quotient + 1n : quotient;
}

/** The value rounded up to an integer, like Kubernetes' `Quantity.Value()`. */
export function quantityValue(quantity: Quantity): number {
  return Number(ceilDiv(quantity.numerator, quantity.denominator));
}

/** The value × 1000 rounded up, like Kubernetes' `Quantity.MilliValue()` (CPU millicores). */
export function quantityMilliValue(quantity: Quantity): number {
  return Number(ceilDiv(quantity.numerator * 1000n, quantity.denominator));
}

/** True when the quantity is a whole number (extended resources such as GPUs must be). */
export function isWholeQuantity(quantity: Quantity): boolean {
  return quantity.numerator % quantity.denominator === 0n;
}
