import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@ild/source"] },
  ssr: { resolve: { conditions: ["@ild/source"] } },
  // Real-engine tests start the real sidecar process and DINDs on a shared 2-core machine.
  test: { name: "@ild/sidecar", environment: "node", testTimeout: 150_000, hookTimeout: 180_000 },
});
