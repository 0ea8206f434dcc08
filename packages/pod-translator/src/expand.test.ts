import { describe, expect, it } from "vitest";
import { expandVariables } from "./expand.js";

const vars: Record<string, string> = { VAR_A: "A", VAR_B: "B", VAR_C: "C", EMPTY: "", DOLLAR: "$" };
const lookup = (name: string): string | undefined => vars[name];

describe("expandVariables (Kubernetes $(VAR) semantics)", () => {
  it.each([
    ["$(VAR_A)", "A"],
    ["___$(VAR_B)___", "___B___"],
    ["$(VAR_A)-$(VAR_A)", "A-A"],
    ["$(VAR_A)$(VAR_B)$(VAR_C)", "ABC"],
    ["$(UNDEFINED)", "$(UNDEFINED)"],
    ["$(EMPTY)", ""],
    ["$$(VAR_A)", "$(VAR_A)"],
    ["$$$(VAR_A)", "$A"],
    ["$$$$(VAR_A)", "$$(VAR_A)"],
    ["$$", "$"],
    ["$", "$"],
    ["x$", "x$"],
    ["$VAR_A", "$VAR_A"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${...} that must stay as written
    ["${VAR_A}", "${VAR_A}"],
    ["$(VAR_A", "$(VAR_A"],
    ["$()", "$()"],
    ["$(DOLLAR)(VAR_A)", "$(VAR_A)"],
    ["no variables", "no variables"],
    ["$(VAR_A)é日本$(VAR_B)", "Aé日本B"],
    ["'$(VAR_A)' \"$(VAR_B)\"", "'A' \"B\""],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(expandVariables(input, lookup)).toBe(expected);
  });

  it("does not expand recursively", () => {
    expect(expandVariables("$(X)", (name) => (name === "X" ? "$(Y)" : "nope"))).toBe("$(Y)");
  });
});
