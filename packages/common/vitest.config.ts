import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@ild/source"] },
  ssr: { resolve: { conditions: ["@ild/source"] } },
  test: { name: "@ild/common", environment: "node" },
});
