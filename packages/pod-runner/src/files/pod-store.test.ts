import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PodStateError } from "../errors.js";
import { podPaths } from "./pod-paths.js";
import { listStoredPodUids, loadPod, type StoredPod, savePod } from "./pod-store.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ild-store-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const stored: StoredPod = {
  version: 1,
  engine: "host",
  startedAt: 1,
  input: {
    pod: { metadata: { uid: "u1", name: "p", namespace: "default" }, spec: { containers: [] } },
    container: [],
  },
};

describe("pod store", () => {
  it("writes pod.json atomically (no temporary file left) and reads it back", async () => {
    const paths = podPaths(path.join(root, "d"), path.join(root, "r"), "u1");
    await savePod(paths, stored);
    await savePod(paths, { ...stored, startedAt: 2 });
    expect((await loadPod(paths))?.startedAt).toBe(2);
    expect(await readdir(paths.runDir)).toEqual(["pod.json"]);
    expect(await listStoredPodUids(path.join(root, "r"))).toEqual(["u1"]);
  });

  it("no pod.json is 'no pod'; a torn or unreadable one is an error, never 'no pod'", async () => {
    const paths = podPaths(path.join(root, "d"), path.join(root, "r"), "u2");
    expect(await loadPod(paths)).toBeUndefined();
    await savePod(paths, stored);
    const text = await readFile(paths.podJson, "utf8");
    await writeFile(paths.podJson, text.slice(0, 10));
    await expect(loadPod(paths)).rejects.toBeInstanceOf(PodStateError);
    await writeFile(paths.podJson, JSON.stringify({ version: 9 }));
    await expect(loadPod(paths)).rejects.toThrow(/unknown version 9/);
    // a folder in place of the file (EISDIR) is a read error all the same
    await rm(paths.podJson);
    await (await import("node:fs/promises")).mkdir(paths.podJson);
    await expect(loadPod(paths)).rejects.toMatchObject({ code: "ILD_RUNNER_POD_STATE_UNREADABLE" });
  });

  it("lists no pods when the run root has none yet", async () => {
    expect(await listStoredPodUids(path.join(root, "nothing"))).toEqual([]);
  });
});
