import { describe, expect, it } from "vitest";
import { IldError } from "./ild-error.js";

class ExampleError extends IldError {
  constructor(cause?: unknown) {
    super("ILD_EXAMPLE", "example failed", { cause, details: { field: "spec.x" } });
  }
}

describe("IldError", () => {
  it("carries a stable code, details, cause and the subclass name", () => {
    const cause = new Error("root");
    const error = new ExampleError(cause);
    expect(error.code).toBe("ILD_EXAMPLE");
    expect(error.name).toBe("ExampleError");
    expect(error.details).toEqual({ field: "spec.x" });
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it("recognises instances through the shared symbol, even from another copy of the package", () => {
    const foreign = Object.assign(new Error("x"), { code: "ILD_OTHER", [Symbol.for("ild.error")]: true });
    expect(IldError.isInstance(new ExampleError())).toBe(true);
    expect(IldError.isInstance(foreign)).toBe(true);
    expect(IldError.isInstance(new Error("plain"))).toBe(false);
    expect(IldError.isInstance({ code: "ILD_EXAMPLE" })).toBe(false);
    expect(IldError.isInstance(null)).toBe(false);
  });

  it("matches codes exactly", () => {
    expect(IldError.hasCode(new ExampleError(), "ILD_EXAMPLE")).toBe(true);
    expect(IldError.hasCode(new ExampleError(), "ILD_EXAMPLE_OTHER")).toBe(false);
    expect(new ExampleError().cause).toBeUndefined();
  });
});
