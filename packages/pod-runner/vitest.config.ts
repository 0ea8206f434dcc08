import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@ild/source"] },
  ssr: { resolve: { conditions: ["@ild/source"] } },
  test: { name: "@ild/pod-runner", environment: "node", testTimeout: 60_000, hookTimeout: 60_000 },
});
