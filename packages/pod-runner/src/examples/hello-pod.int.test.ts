import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { removeTree } from "@ild/dind-pool";
import { describe, expect, it } from "vitest";
import { runHelloPod } from "./hello-pod.js";

describe("README example", () => {
  it("runs the README's code, and the README shows exactly that code", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "ild-readme-"));
    try {
      expect(await runHelloPod(path.join(root, "data"), path.join(root, "run"))).toBe("Succeeded: hello\n");
    } finally {
      // the run root's tmpfs and the pod roots' own mounts go with the folder
      await removeTree(root);
    }
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const example = await readFile(new URL("./hello-pod.ts", import.meta.url), "utf8");
    expect(readme).toContain(example.trim());
  });
});
