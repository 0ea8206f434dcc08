import { describe, expect, it } from "vitest";
import { isWholeQuantity, parseQuantity, quantityMilliValue, quantityValue } from "./quantity.js";

describe("parseQuantity", () => {
  it.each([
    ["500m", 1, 500],
    ["1", 1, 1000],
    ["1.5", 2, 1500],
    [".5", 1, 500],
    ["0.1", 1, 100],
    ["2.", 2, 2000],
    ["1m", 1, 1],
    ["0.0001", 1, 1],
    ["100n", 1, 1],
    ["1e3", 1000, 1_000_000],
    ["1E-3", 1, 1],
    ["2000m", 2, 2000],
    ["+3", 3, 3000],
    [2, 2, 2000],
    [0.25, 1, 250],
  ] as const)("%s → value %d, milli %d (rounded up like Kubernetes)", (text, value, milli) => {
    const quantity = parseQuantity(text);
    expect(quantityValue(quantity)).toBe(value);
    expect(quantityMilliValue(quantity)).toBe(milli);
  });

  it.each([
    ["128974848", 128974848],
    ["129e6", 129000000],
    ["129M", 129000000],
    ["123Mi", 128974848],
    ["1Ki", 1024],
    ["1k", 1000],
    ["1Gi", 1073741824],
    ["1.5Gi", 1610612736],
    ["16Gi", 17179869184],
    ["1G", 1e9],
    ["1T", 1e12],
    ["1Ti", 2 ** 40],
    ["1Pi", 2 ** 50],
    ["1Ei", 2 ** 60],
    ["64Mi", 67108864],
    ["100u", 1],
  ] as const)("memory %s → %d bytes", (text, bytes) => {
    expect(quantityValue(parseQuantity(text))).toBe(bytes);
  });

  it.each(["", "abc", "1.2.3", "1GB", "1 Gi", "Gi", "1e", "--1", "0x10", "1m5", "NaN", "1e999"])(
    "rejects %j",
    (text) => {
      expect(() => parseQuantity(text)).toThrow(/quantity|exponent/);
    },
  );

  it("rejects non-finite numbers", () => {
    expect(() => parseQuantity(Number.POSITIVE_INFINITY)).toThrow(/not a valid quantity/);
  });

  it.each([
    ["2", true],
    ["3000m", true],
    ["3Ki", true],
    ["0.5", false],
    ["1500m", false],
  ])("whole number %s → %s (extended resources)", (text, whole) => {
    expect(isWholeQuantity(parseQuantity(text))).toBe(whole);
  });
});
