import { fileURLToPath } from "node:url";
import { formatConfigIssue, loadConfig } from "@ild/config";
import { describe, expect, it } from "vitest";
import { toListenSettings } from "./sidecar-settings.js";

const EXAMPLE = fileURLToPath(new URL("../config.example.yaml", import.meta.url));

describe("config.example.yaml", () => {
  it("loads with @ild/config without a single warning and gives the documented defaults", async () => {
    const { config, warnings } = await loadConfig({ path: EXAMPLE, env: {} });
    expect(warnings.map(formatConfigIssue)).toEqual([]);
    expect(config.server.port).toBe(4000);
    expect(config.server.host).toBe("127.0.0.1");
    expect(config.server.socketMode).toBe(0o660);
    expect(config.dataRoot).toBe("/var/lib/ild");
    expect(config.runRoot).toBe("/run/ild");
    expect(config.dind.poolSize).toBe(2);
    expect(toListenSettings(config)).toMatchObject({ tcp: { host: "127.0.0.1", port: 4000 } });
  });

  it("shows the real defaults: loading it gives the same configuration as no file at all", async () => {
    const example = await loadConfig({ path: EXAMPLE, env: {} });
    const defaults = await loadConfig({ env: {}, defaultPath: "/nonexistent/InterLinkConfig.yaml" });
    const { reference: _exampleReference, ...fromExample } = example.config;
    const { reference: _defaultReference, ...fromDefaults } = defaults.config;
    expect(fromExample).toEqual(fromDefaults);
  });

  it("the Go plugin's env overrides (SIDECARPORT, AVAILABLEDINDS) still apply on top of it", async () => {
    const { config } = await loadConfig({
      path: EXAMPLE,
      env: { SIDECARPORT: "4100", AVAILABLEDINDS: "4" },
    });
    expect(config.server.port).toBe(4100);
    expect(config.dind.poolSize).toBe(4);
  });
});
