import { mkdir, mkdtemp, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PodPlan } from "@ild/pod-translator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { materializeFiles } from "./materialize-files.js";
import { podPaths, safeJoin } from "./pod-paths.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ild-paths-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("pod paths", () => {
  it("refuses absolute paths, .. segments and unsafe pod UIDs", () => {
    expect(() => safeJoin("/base", "/etc/passwd")).toThrow(/unsafe/);
    expect(() => safeJoin("/base", "a/../../etc")).toThrow(/unsafe/);
    expect(() => safeJoin("/base", "a//b")).toThrow(/unsafe/);
    expect(safeJoin("/base", "configmaps/cfg/key")).toBe("/base/configmaps/cfg/key");
    expect(() => podPaths("/data", "/run", "../escape")).toThrow(/unsafe/);
  });

  it("writes files with their modes, secrets under the secret dir, and refuses a planted symlink", async () => {
    const paths = podPaths(path.join(root, "data"), path.join(root, "run"), "pod-1");
    const plan = {
      volumes: [],
      directories: [],
      files: [
        { path: "cfg/key", content: new TextEncoder().encode("v"), mode: 0o644, secret: false },
        { path: "sec/token", content: new TextEncoder().encode("t"), mode: 0o600, secret: true },
      ],
    } as unknown as PodPlan;
    await materializeFiles(plan, paths);
    expect((await stat(path.join(paths.dataDir, "cfg/key"))).mode & 0o777).toBe(0o644);
    expect((await stat(path.join(paths.secretDir, "sec/token"))).mode & 0o777).toBe(0o600);

    await mkdir(path.join(paths.dataDir, "evil"), { recursive: true });
    await symlink("/tmp", path.join(paths.dataDir, "evil", "link"));
    const bad = {
      volumes: [],
      files: [{ path: "evil/link/x", content: new Uint8Array(), mode: 0o644, secret: false }],
    } as unknown as PodPlan;
    await expect(materializeFiles(bad, paths)).rejects.toMatchObject({ code: "ILD_RUNNER_UNSAFE_PATH" });
  });
});
