import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Folder of the nvidia-smi fixtures copied from shared/fixtures/nvidia-smi. */
export const FIXTURE_DIR = fileURLToPath(new URL("../../test/fixtures/nvidia-smi/", import.meta.url));

export function fixture(name: string): string {
  return readFileSync(join(FIXTURE_DIR, name), "utf8");
}

/**
 * The `*.query-gpu.csv` fixtures answer the standard query PLUS `power.draw` (13 fields); discovery asks
 * for the first 12. This drops the trailing field, as nvidia-smi would for the shorter query.
 */
export function withoutPowerDraw(text: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : line.split(", ").slice(0, 12).join(", ")))
    .join("\n");
}

export interface FakeAnswer {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Never exit (to test deadlines). */
  hang?: boolean;
}

export interface FakeNvidiaSmiSpec {
  queryGpu?: FakeAnswer;
  list?: FakeAnswer;
  topo?: FakeAnswer;
  computeApps?: FakeAnswer;
}

export interface FakeNvidiaSmi {
  dir: string;
  /** Absolute path of the executable (named `nvidia-smi`). */
  path: string;
  /** Argument vectors it was called with, in order. */
  calls(): string[][];
  remove(): void;
}

/** Writes an executable `nvidia-smi` (a node script) that answers from `spec` and logs its argv. */
export function createFakeNvidiaSmi(spec: FakeNvidiaSmiSpec): FakeNvidiaSmi {
  const dir = mkdtempSync(join(tmpdir(), "ild-gpu-fake-smi-"));
  const path = join(dir, "nvidia-smi");
  writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
  writeFileSync(
    path,
    `#!${process.execPath}
const fs = require("node:fs");
const path = require("node:path");
const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
const args = process.argv.slice(2);
fs.appendFileSync(path.join(__dirname, "calls.log"), JSON.stringify(args) + "\\n");
const first = args[0] || "";
const key = first === "topo" ? "topo" : first === "-L" ? "list"
  : first.startsWith("--query-gpu=") ? "queryGpu" : first.startsWith("--query-compute-apps=") ? "computeApps" : "";
const answer = spec[key] || { stdout: "Invalid combination of input arguments.\\n", exitCode: 2 };
if (answer.hang) {
  setInterval(() => {}, 1000);
} else {
  process.stdout.write(answer.stdout || "");
  process.stderr.write(answer.stderr || "");
  process.exitCode = answer.exitCode || 0;
}
`,
  );
  chmodSync(path, 0o755);
  return {
    dir,
    path,
    calls: () => {
      try {
        return readFileSync(join(dir, "calls.log"), "utf8")
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => JSON.parse(line) as string[]);
      } catch {
        return [];
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
