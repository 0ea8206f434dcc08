import { describe, expect, it } from "vitest";
import {
  checkAbsolutePath,
  checkConfigKey,
  checkDnsLabel,
  checkRelativePath,
  isPathWithin,
  normalizeAbsolutePath,
} from "./paths.js";

describe("checkRelativePath (materialised files, subPath, item paths)", () => {
  it.each(["a", "a/b", "a.txt", ".hidden", "..data", "a..b", "dir/..x/file", "x".repeat(255), "é/日本"])(
    "accepts %j",
    (path) => {
      expect(checkRelativePath(path)).toBeUndefined();
    },
  );

  it.each([
    ["", /empty/],
    ["/etc/passwd", /relative/],
    ["..", /'\.\.'/],
    ["../x", /'\.\.'/],
    ["a/../../x", /'\.\.'/],
    ["a/..", /'\.\.'/],
    ["./a", /'\.'/],
    ["a/./b", /'\.'/],
    ["a//b", /empty segments/],
    ["a/", /empty segments/],
    ["a\\..\\b", /backslash/],
    ["a\0b", /NUL/],
    ["x".repeat(256), /segments/],
    [`${"a/".repeat(2048)}a`, /4096/],
  ])("rejects %j", (path, message) => {
    expect(checkRelativePath(path)).toMatch(message);
  });
});

describe("checkAbsolutePath (mount targets)", () => {
  it.each(["/", "/data", "/a/b/c", "/with space", "/a:b", "/a/..b"])("accepts %j", (path) => {
    expect(checkAbsolutePath(path)).toBeUndefined();
  });
  it.each(["relative", "", "/a/../b", "/..", "/a\0"])("rejects %j", (path) => {
    expect(checkAbsolutePath(path)).toBeDefined();
  });
});

describe("host path allow-list helpers", () => {
  it.each([
    ["/srv/data", "/srv/data", true],
    ["/srv/data/x", "/srv/data", true],
    ["/srv/database", "/srv/data", false],
    ["/srv", "/srv/data", false],
    ["/anything", "/", true],
  ])("%s within %s → %s", (path, root, within) => {
    expect(isPathWithin(path, root)).toBe(within);
  });

  it("normalises duplicate and trailing slashes", () => {
    expect(normalizeAbsolutePath("//srv//data/./x/")).toBe("/srv/data/x");
  });
});

describe("checkConfigKey", () => {
  it.each(["a", "config-map-script.py", ".dockerconfigjson", "A_B-c.d", "..data"])("accepts %j", (key) => {
    expect(checkConfigKey(key)).toBeUndefined();
  });
  it.each([".", "..", "a/b", "a b", "", "é", "x".repeat(254)])("rejects %j", (key) => {
    expect(checkConfigKey(key)).toBeDefined();
  });
});

describe("checkDnsLabel", () => {
  it.each(["a", "web-1", "x".repeat(63)])("accepts %j", (name) => {
    expect(checkDnsLabel(name)).toBeUndefined();
  });
  it.each(["", "Web", "-a", "a-", "a_b", "a.b", "x".repeat(64)])("rejects %j", (name) => {
    expect(checkDnsLabel(name)).toBeDefined();
  });
});

describe("checkRelativePath (property: an accepted path never leaves its root)", () => {
  // A small deterministic generator (no dependency): paths built from tricky pieces.
  const pieces = [
    "a",
    "..",
    ".",
    "",
    "b.c",
    "..d",
    "/",
    "//",
    "\\",
    "é",
    "x".repeat(300),
    "\0",
    " ",
    "~",
    "$(X)",
  ];
  let seed = 0x2f6b1d;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  const samples = Array.from({ length: 2000 }, () =>
    Array.from({ length: 1 + (next() % 6) }, () => pieces[next() % pieces.length]).join(
      next() % 3 === 0 ? "" : "/",
    ),
  );

  it("for 2000 generated paths: accepted ⇒ stays below the root after resolution, and is bounded", async () => {
    const { posix } = await import("node:path");
    let accepted = 0;
    for (const sample of samples) {
      if (checkRelativePath(sample) !== undefined) {
        continue;
      }
      accepted++;
      const resolved = posix.resolve("/pod/data", sample);
      expect(resolved.startsWith("/pod/data/")).toBe(true);
      expect(posix.relative("/pod/data", resolved)).toBe(sample);
      expect(sample.length).toBeLessThanOrEqual(4096);
      expect(sample).not.toMatch(/\0|\\/);
    }
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(samples.length);
  });
});
