import { readFileSync } from "node:fs";
import { readmeAndTestedUsage } from "@ild/test-support";
import { describe, expect, it, vi } from "vitest";
import { ConfigError, formatConfigIssue, loadConfig, renderSettingsTable, settings } from "./index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("shows in README.md exactly the code this test runs", () => {
    const { readme, tested } = readmeAndTestedUsage(
      new URL("../README.md", import.meta.url),
      import.meta.url,
    );
    expect(readme).toEqual(tested);
  });

  it("runs the Usage example", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    // --- the README's Usage code ---
    try {
      const { config, warnings, sources, file } = loadConfig({
        env: { SIDECARPORT: "4100", AVAILABLEDINDS: "1" },
        overrides: { dind: { image: "ild/dind:1" } },
      });
      for (const warning of warnings) {
        console.warn(formatConfigIssue(warning));
      }
      console.log(`listening on ${config.server.host}:${config.server.port}`); // 127.0.0.1:4100
      console.log(config.dind.poolSize, sources["dind.poolSize"]); // 1 { kind: 'env', key: 'AVAILABLEDINDS' }
      console.log(file ?? "no config file"); // the file read, if any
    } catch (error) {
      if (error instanceof ConfigError) {
        // e.g. "invalid configuration: /etc/interlink/InterLinkConfig.yaml: SidecarPort: expected a port number 1-65535, got 'abc'"
        console.error(error.message);
      }
      throw error;
    }
    // --- end ---
    expect(log).toHaveBeenNthCalledWith(1, "listening on 127.0.0.1:4100");
    expect(log).toHaveBeenNthCalledWith(2, 1, { kind: "env", key: "AVAILABLEDINDS" });
  });

  it("contains the current settings tables (refresh with `pnpm --filter @ild/config docs`)", () => {
    const start = "<!-- settings-table:start -->\n";
    const section = readme.slice(
      readme.indexOf(start) + start.length,
      readme.indexOf("<!-- settings-table:end -->"),
    );
    // Biome may align the table columns: compare cell by cell.
    const normalise = (text: string): string[] =>
      text
        .trim()
        .split("\n")
        .map((line) =>
          line.startsWith("|")
            ? line
                .split(/(?<!\\)\|/)
                .map((cell) => cell.trim().replace(/^-+$/, "---"))
                .join("|")
            : line.trim(),
        );
    expect(normalise(section)).toEqual(normalise(renderSettingsTable()));
  });

  it("documents every setting, reference key and environment variable", () => {
    for (const spec of settings) {
      expect(readme).toContain(`\`Ild.${spec.key}\``);
      for (const name of [spec.env, spec.referenceEnv, spec.referenceKey]) {
        if (name !== undefined) {
          expect(readme).toContain(`\`${name}\``);
        }
      }
    }
    for (const name of [
      "InterlinkURL",
      "SidecarURL",
      "InterlinkPort",
      "SidecarPort",
      "Socket",
      "CommandPrefix",
      "ExportPodData",
      "DataRootFolder",
      "ServiceAccount",
      "Namespace",
      "Tsocks",
      "TsocksPath",
      "TsocksLoginNode",
      "BashPath",
      "VerboseLogging",
      "ErrorsOnlyLogging",
      "VKConfigPath",
      "VKTokenFile",
      "SbatchPath",
      "ScancelPath",
      "SqueuePath",
      "TsocksConfig",
      "PodIP",
      "SingularityPrefix",
      "INTERLINKCONFIGPATH",
      "INTERLINKURL",
      "SIDECARURL",
      "INTERLINKPORT",
      "SIDECARPORT",
      "AVAILABLEDINDS",
      "GPUENABLED",
      "FPGAENABLED",
      "FPGA_DISABLE_BOOKKEEPING",
      "ENABLE_TRACING",
      "TELEMETRY_UNIQUE_ID",
      "TELEMETRY_ENDPOINT",
      "TELEMETRY_CA_CRT_FILEPATH",
      "TELEMETRY_CLIENT_CRT_FILEPATH",
      "TELEMETRY_CLIENT_KEY_FILEPATH",
      "TSOCKS",
      "TSOCKSPATH",
      "VKTOKENFILE",
      "POD_IP",
      "SBATCHPATH",
      "SCANCELPATH",
    ]) {
      expect(readme, name).toContain(`\`${name}\``);
    }
  });
});
