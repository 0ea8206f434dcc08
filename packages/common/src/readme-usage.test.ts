import { describe, expect, it } from "vitest";
import { combineSignals, IldError, noopLogger, sleep } from "./index.js";

class QuotaError extends IldError {
  constructor(readonly limit: number) {
    super("ILD_EXAMPLE_QUOTA", `quota of ${limit} reached`, { details: { limit } });
  }
}

describe("README usage", () => {
  it("runs as written", async () => {
    const signal = combineSignals([undefined], 1_000);
    await sleep(10, signal);
    let caught: unknown;
    try {
      throw new QuotaError(3);
    } catch (error) {
      if (IldError.hasCode(error, "ILD_EXAMPLE_QUOTA")) {
        noopLogger.warn({ code: error.code }, error.message);
      }
      caught = error;
    }
    expect(IldError.hasCode(caught, "ILD_EXAMPLE_QUOTA")).toBe(true);
  });
});
