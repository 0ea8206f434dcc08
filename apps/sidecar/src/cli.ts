import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

export interface CliOptions {
  configPath?: string;
  help: boolean;
  version: boolean;
}

export const USAGE = `ild-sidecar: the interLink Docker plugin server

Usage: ild-sidecar [--config FILE] [--help] [--version]

  -c, --config FILE   the YAML configuration (the Go plugin's keys plus an Ild: block).
                      Default: $INTERLINKCONFIGPATH, else /etc/interlink/InterLinkConfig.yaml
                      when it exists, else built-in defaults.
  -h, --help          show this help
  -v, --version       print the version

Defaults: listens on http://127.0.0.1:4000 (SidecarPort / SIDECARPORT), pods' files under
/var/lib/ild (DataRootFolder), runtime files under /run/ild, Docker at /var/run/docker.sock
(or DOCKER_HOST), 2 warm DINDs (AVAILABLEDINDS). Socket: unix:///path serves on a unix socket.
Environment: INTERLINKCONFIGPATH, SIDECARPORT, AVAILABLEDINDS, GPUENABLED, FPGAENABLED,
ENABLE_TRACING, TELEMETRY_ENDPOINT, TELEMETRY_UNIQUE_ID, DOCKER_HOST.
SIGTERM/SIGINT: stop accepting, finish open requests, leave pods running, exit 0.`;

/** Parses the command line; unknown flags are a usage error (exit 2). */
export function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", short: "c" },
      interlinkconfigpath: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
    strict: true,
    allowPositionals: false,
  });
  const configPath = values.config ?? values.interlinkconfigpath;
  return {
    ...(configPath === undefined ? {} : { configPath }),
    help: values.help === true,
    version: values.version === true,
  };
}

/** The sidecar's version from its package.json (next to dist/ and src/). */
export function readVersion(): string {
  try {
    const text = readFileSync(new URL("../package.json", import.meta.url), "utf8");
    return (JSON.parse(text) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}
