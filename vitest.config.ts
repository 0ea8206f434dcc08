import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@ild/source"] },
  ssr: { resolve: { conditions: ["@ild/source"] } },
  test: {
    projects: ["packages/*", "apps/*"],
    restoreMocks: true,
    unstubEnvs: true,
    // real-engine tests start DINDs: two files at a time on the 2-core machines
    maxWorkers: 2,
  },
});
