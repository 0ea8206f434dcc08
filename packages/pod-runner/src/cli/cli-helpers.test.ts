import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadObjects, toRetrievedPodData, toWireSecret } from "./load-inputs.js";
import { parseDuration } from "./parse-duration.js";
import { exitCodeOf } from "./run-cli.js";

describe("parseDuration", () => {
  it("reads Go-style durations and plain seconds", () => {
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("45")).toBe(45_000);
    expect(parseDuration("ten")).toBeUndefined();
  });
});

describe("inputs", () => {
  it("flattens multi-document files and Lists", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ild-inputs-"));
    const file = path.join(dir, "objects.yaml");
    await writeFile(
      file,
      "kind: ConfigMap\nmetadata: {name: a}\n---\nkind: List\nitems:\n  - {kind: ConfigMap, metadata: {name: b}}\n",
    );
    expect((await loadObjects(file)).map((object) => (object.metadata as { name: string }).name)).toEqual([
      "a",
      "b",
    ]);
    await rm(dir, { recursive: true });
  });

  it("turns stringData into base64 data and hands every container all objects", () => {
    expect(toWireSecret({ metadata: { name: "s" }, stringData: { k: "v" } }).data).toEqual({ k: "dg==" });
    const input = toRetrievedPodData(
      { metadata: { name: "p" }, spec: { initContainers: [{ name: "i" }], containers: [{ name: "m" }] } },
      [{ metadata: { name: "cm" } }],
      [],
      { namespace: "tools" },
    );
    expect(input.pod.metadata?.namespace).toBe("tools");
    expect(input.pod.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(input.container.map((container) => container.name)).toEqual(["i", "m"]);
  });
});

describe("exitCodeOf", () => {
  it("is 0 on success, else the first failed container's code (init containers first)", () => {
    const terminated = (name: string, exitCode: number) =>
      ({ name, state: { terminated: { exitCode } } }) as never;
    const base = { name: "p", UID: "u", namespace: "n" };
    expect(exitCodeOf({ found: true, phase: "Succeeded", status: { ...base, containers: [] } })).toBe(0);
    expect(
      exitCodeOf({
        found: true,
        phase: "Failed",
        status: {
          ...base,
          initContainers: [terminated("i", 0)],
          containers: [terminated("a", 0), terminated("b", 9)],
        },
      }),
    ).toBe(9);
  });
});
