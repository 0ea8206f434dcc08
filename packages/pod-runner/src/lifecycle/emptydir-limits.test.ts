import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { diskUsage } from "./emptydir-limits.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ild-du-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("diskUsage", () => {
  it("counts allocated bytes of nested files and never follows a symlink out of the volume", async () => {
    await mkdir(path.join(dir, "a", "b"), { recursive: true });
    await writeFile(path.join(dir, "a", "b", "big"), Buffer.alloc(256 * 1024, 1));
    const before = await diskUsage(dir);
    expect(before).toBeGreaterThanOrEqual(256 * 1024);
    // a link to a huge tree outside adds nothing but itself
    await symlink("/usr", path.join(dir, "usr"));
    expect(await diskUsage(dir)).toBeLessThan(before + 64 * 1024);
  });

  it("counts a sparse file by what it holds, and a missing folder as 0", async () => {
    const { open } = await import("node:fs/promises");
    const handle = await open(path.join(dir, "sparse"), "w");
    await handle.truncate(1024 ** 3);
    await handle.close();
    expect(await diskUsage(dir)).toBeLessThan(1024 * 1024);
    expect(await diskUsage(path.join(dir, "nope"))).toBe(0);
  });
});
