import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@ild/source"] },
  ssr: { resolve: { conditions: ["@ild/source"] } },
  // real-engine tests start DINDs (seconds each on a shared 2-core machine)
  test: { name: "@ild/dind-pool", environment: "node", testTimeout: 90_000, hookTimeout: 90_000 },
});
