import { rmSync } from "node:fs";
import { defineConfig } from "tsup";

// two builds run in parallel: clean once, up front, instead of letting each one clean
rmSync(new URL("./dist", import.meta.url), { recursive: true, force: true });

export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
    keepNames: true,
    dts: true,
    sourcemap: true,
    clean: false,
  },
  {
    // the check CLI bundles @ild/common so it runs from dist/ with nothing else built
    entry: { "cli/discover": "src/cli/discover.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
    keepNames: true,
    dts: false,
    sourcemap: false,
    clean: false,
    noExternal: [/^@ild\//],
  },
]);
