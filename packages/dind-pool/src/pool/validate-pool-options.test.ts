import { describe, expect, it } from "vitest";
import { InvalidPoolOptionsError } from "../errors.js";
import type { DindPoolOptions } from "../pool-types.js";
import { validatePoolOptions } from "./validate-pool-options.js";

const valid: DindPoolOptions = {
  docker: {},
  poolId: "main",
  size: 2,
  image: "ild/dind:1",
  socketRoot: "/run/ild",
};

describe("validatePoolOptions", () => {
  it("accepts valid options", () => {
    expect(() => validatePoolOptions(valid)).not.toThrow();
  });

  it.each([
    [{ poolId: "Bad Id" }, "poolId"],
    [{ size: -1 }, "size"],
    [{ size: 1.5 }, "size"],
    [{ image: " " }, "image"],
    [{ socketRoot: "relative/dir" }, "socketRoot"],
    [{ socketRoot: `/${"x".repeat(90)}` }, "socketRoot"],
    [{ storeRoot: "relative/store" }, "storeRoot"],
    [{ imageCacheMaxBytes: -1 }, "imageCacheMaxBytes"],
    [{ maxConcurrentBuilds: 0 }, "maxConcurrentBuilds"],
    [{ acquireTimeoutMs: -5 }, "acquireTimeoutMs"],
    [{ sharedPaths: [{ path: "/ok" }, { path: "no/abs" }] }, "sharedPaths[1].path"],
    [{ preloadImages: [""] }, "preloadImages[0]"],
  ] as Array<[Partial<DindPoolOptions>, string]>)("rejects %o naming %s", (patch, field) => {
    let caught: unknown;
    try {
      validatePoolOptions({ ...valid, ...patch });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPoolOptionsError);
    expect(caught).toMatchObject({ code: "ILD_POOL_OPTIONS_INVALID", field });
  });
});
