import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "cli/ild-plan": "src/cli/ild-plan.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  dts: true,
  sourcemap: true,
  clean: true,
});
