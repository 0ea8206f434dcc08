/**
 * Every setting ild reads: its key under the YAML `Ild:` block (also the overrides path), its ILD_*
 * environment variable, the reference plugin's YAML key and env var that feed it, how it is parsed,
 * its default and its meaning. loadConfig, the unknown-key warnings and the README table all use it.
 */

import { dindStorageSettings } from "./dind-storage-settings.js";
import { limitSettings } from "./limit-settings.js";
import { policySettings } from "./policy-settings.js";
import type { ValueParser } from "./value-parsers.js";
import * as parse from "./value-parsers.js";

export interface SettingSpec {
  /** Path under `Ild:` and in ConfigOverrides, e.g. `server.port`. */
  readonly key: string;
  /** ild's own environment variable. */
  readonly env?: string;
  /** The reference plugin's top-level YAML key that also sets it. */
  readonly referenceKey?: string;
  /** The reference plugin's environment variable that also sets it. */
  readonly referenceEnv?: string;
  /** Converts a reference env value before parsing (FPGA_DISABLE_BOOKKEEPING inverts). */
  readonly fromReferenceEnv?: (value: boolean) => boolean;
  readonly parser: ValueParser<unknown>;
  /** Default, or undefined for "unset". */
  readonly defaultValue?: unknown;
  /** How the default is shown in the README when the value itself is not readable (sizes, modes). */
  readonly defaultText?: string;
  readonly type: string;
  readonly meaning: string;
  /** Never shown in warnings or logs. */
  readonly secret?: boolean;
}

export const DEFAULT_CONFIG_PATH = "/etc/interlink/InterLinkConfig.yaml";

export const settings: readonly SettingSpec[] = [
  {
    key: "docker.host",
    env: "ILD_DOCKER_HOST",
    parser: parse.dockerHost,
    defaultText: "`DOCKER_HOST`, else `unix:///var/run/docker.sock`",
    type: "string",
    meaning:
      "Host Docker engine: `unix:///path` or `tcp://host:port`. Unset: `DOCKER_HOST`, then `/var/run/docker.sock`.",
  },
  {
    key: "docker.tls.ca",
    env: "ILD_DOCKER_TLS_CA",
    parser: parse.nonEmptyString,
    type: "path or PEM",
    meaning: "CA certificate for a `tcp://` engine.",
  },
  {
    key: "docker.tls.cert",
    env: "ILD_DOCKER_TLS_CERT",
    parser: parse.nonEmptyString,
    type: "path or PEM",
    meaning: "Client certificate for a `tcp://` engine (needs `docker.tls.key`).",
  },
  {
    key: "docker.tls.key",
    env: "ILD_DOCKER_TLS_KEY",
    parser: parse.nonEmptyString,
    type: "path or PEM",
    meaning: "Client key for a `tcp://` engine (needs `docker.tls.cert`).",
    secret: true,
  },
  {
    key: "docker.tls.verify",
    env: "ILD_DOCKER_TLS_VERIFY",
    parser: parse.boolean,
    type: "boolean",
    defaultValue: true,
    meaning: "Verify the engine's certificate (only used when a TLS setting is given).",
  },
  {
    key: "dind.image",
    env: "ILD_DIND_IMAGE",
    parser: parse.nonEmptyString,
    defaultValue: "ild/dind:1",
    type: "string",
    meaning: "Image of the Docker-in-Docker sandboxes.",
  },
  {
    key: "dind.poolSize",
    env: "ILD_DIND_POOL_SIZE",
    referenceEnv: "AVAILABLEDINDS",
    parser: parse.integer(0, 127),
    defaultValue: 2,
    type: "integer 0-127",
    meaning: "Warm DINDs kept ready. A non-numeric value is an error (the Go plugin silently used 0).",
  },
  {
    key: "dind.maxConcurrentBuilds",
    env: "ILD_DIND_MAX_CONCURRENT_BUILDS",
    parser: parse.integer(1, 64),
    defaultValue: 1,
    type: "integer 1-64",
    meaning: "DINDs started at the same time.",
  },
  {
    key: "dind.securityMode",
    env: "ILD_DIND_SECURITY_MODE",
    parser: parse.oneOf(["auto", "hardened", "privileged", "capabilities"]),
    defaultValue: "auto",
    type: "`auto` \\| `hardened` \\| `privileged` \\| `capabilities`",
    meaning:
      "How DINDs get their rights. `auto` = `hardened` (probed at start): Docker's default capabilities plus SYS_ADMIN and NET_ADMIN, default device cgroup plus booked devices, masked /proc paths. `capabilities` (all capabilities, all devices) and `privileged` are explicit opt-ins that make a DIND's root the host's root (docs/operating.md, DIND boundary).",
  },
  {
    key: "dind.runtime",
    env: "ILD_DIND_RUNTIME",
    parser: parse.nonEmptyString,
    type: "string",
    meaning:
      "OCI runtime of the DINDs (`HostConfig.Runtime`), e.g. `sysbox-runc` (then no extra capability is given). Unset: the engine's default runtime.",
  },
  ...dindStorageSettings,
  {
    key: "dind.cpus",
    env: "ILD_DIND_CPUS",
    parser: parse.positiveNumber,
    type: "number",
    meaning: "CPU limit of each DIND (fractional allowed). Unset: no limit.",
  },
  {
    key: "dind.memory",
    env: "ILD_DIND_MEMORY",
    parser: parse.byteSize,
    type: "size",
    meaning: "Memory limit of each DIND (config field `dind.memoryBytes`). Unset: no limit.",
  },
  {
    key: "dind.readyTimeoutMs",
    env: "ILD_DIND_READY_TIMEOUT_MS",
    parser: parse.durationMs,
    defaultValue: 60_000,
    type: "milliseconds",
    meaning: "How long a new DIND may take to answer `_ping`.",
  },
  {
    key: "dind.acquireTimeoutMs",
    env: "ILD_DIND_ACQUIRE_TIMEOUT_MS",
    parser: parse.durationMs,
    defaultValue: 60_000,
    type: "milliseconds",
    meaning: "How long a create waits for a warm DIND (interLink wants response headers within 120 s).",
  },
  {
    key: "dind.preloadImages",
    env: "ILD_DIND_PRELOAD_IMAGES",
    parser: parse.stringList("image names"),
    defaultValue: ["ild/busybox:1", "ild/python:3-slim-offline"],
    type: "list of strings",
    meaning: "Host images made available inside every DIND.",
  },
  {
    key: "dind.socketRoot",
    env: "ILD_DIND_SOCKET_ROOT",
    parser: parse.path,
    defaultText: "`<runRoot>/dind`",
    type: "path",
    meaning: "Folder holding each DIND's socket directory.",
  },
  {
    key: "engine.default",
    env: "ILD_ENGINE_DEFAULT",
    parser: parse.oneOf(["dind", "host"]),
    defaultValue: "dind",
    type: "`dind` \\| `host`",
    meaning: "Where pods run: in a per-pod DIND, or directly on the host engine.",
  },
  {
    key: "engine.allowPodOverride",
    env: "ILD_ENGINE_ALLOW_POD_OVERRIDE",
    parser: parse.boolean,
    defaultValue: false,
    type: "boolean",
    meaning: "Whether a pod annotation may pick the engine.",
  },
  {
    key: "gpu.enabled",
    env: "ILD_GPU_ENABLED",
    referenceEnv: "GPUENABLED",
    parser: parse.boolean,
    defaultValue: true,
    type: "boolean",
    meaning:
      "Discover NVIDIA GPUs with nvidia-smi at start and give them to pods that request them; without a driver this logs why and offers none (`GPUENABLED=0` turns it off).",
  },
  {
    key: "gpu.fpgaEnabled",
    env: "ILD_GPU_FPGA_ENABLED",
    referenceEnv: "FPGAENABLED",
    parser: parse.boolean,
    defaultValue: false,
    type: "boolean",
    meaning: "Give FPGAs to pods that request them (`FPGAENABLED=1`).",
  },
  {
    key: "gpu.fpgaBookkeeping",
    env: "ILD_GPU_FPGA_BOOKKEEPING",
    referenceEnv: "FPGA_DISABLE_BOOKKEEPING",
    fromReferenceEnv: (disable) => !disable,
    parser: parse.boolean,
    defaultValue: true,
    type: "boolean",
    meaning: "Book each FPGA to one container; `FPGA_DISABLE_BOOKKEEPING=1` lets containers share them.",
  },
  {
    key: "gpu.devices",
    env: "ILD_GPU_DEVICES",
    parser: parse.deviceMap,
    defaultValue: {},
    type: "mapping: resource → list of paths (JSON in env)",
    meaning: "Extra device resources, e.g. `xilinx.com/fpga: [/dev/xclmgmt1]`.",
  },
  {
    key: "hooks.enabled",
    env: "ILD_HOOKS_ENABLED",
    parser: parse.stringList("hook names"),
    defaultValue: [],
    type: "list of strings",
    meaning: "Hooks to run, in this order.",
  },
  ...policySettings,
  {
    key: "policy.egressAllowCidrs",
    env: "ILD_POLICY_EGRESS_ALLOW_CIDRS",
    parser: parse.cidrList,
    defaultValue: [],
    type: "list of CIDRs",
    meaning: "Networks pods may reach. Empty: egress is not filtered.",
  },
  {
    key: "server.host",
    env: "ILD_SERVER_HOST",
    parser: parse.nonEmptyString,
    defaultValue: "127.0.0.1",
    type: "string",
    meaning: "TCP listen address (the Go plugin listened on all interfaces).",
  },
  {
    key: "server.port",
    env: "ILD_SERVER_PORT",
    referenceKey: "SidecarPort",
    referenceEnv: "SIDECARPORT",
    parser: parse.port,
    defaultValue: 4000,
    type: "port 1-65535",
    meaning: "TCP listen port.",
  },
  {
    key: "server.socket",
    env: "ILD_SERVER_SOCKET",
    referenceKey: "Socket",
    parser: parse.unixSocket,
    type: "`unix:///path` or path",
    meaning:
      "Listen on this unix socket instead of TCP. `Socket:` without `unix://` is ignored with a warning.",
  },
  {
    key: "server.socketMode",
    env: "ILD_SERVER_SOCKET_MODE",
    parser: parse.fileMode,
    defaultValue: 0o660,
    defaultText: "`0660`",
    type: 'octal mode (`"0660"`)',
    meaning: "File mode of the socket.",
  },
  {
    key: "server.authToken",
    env: "ILD_SERVER_AUTH_TOKEN",
    parser: parse.nonEmptyString,
    type: "string (secret)",
    meaning:
      "Bearer token every request must carry. interLink sends none: use it behind a proxy or for other clients.",
    secret: true,
  },
  {
    key: "server.authTokenFile",
    env: "ILD_SERVER_AUTH_TOKEN_FILE",
    parser: parse.path,
    type: "path",
    meaning: "File holding that token (not both).",
  },
  {
    key: "server.bodyLimitBytes",
    env: "ILD_SERVER_BODY_LIMIT_BYTES",
    parser: parse.byteSize,
    defaultValue: 32 * 1024 ** 2,
    defaultText: "`32m`",
    type: "size",
    meaning: "Largest request body (a pod with its ConfigMaps and Secrets).",
  },
  {
    key: "server.headersTimeoutMs",
    env: "ILD_SERVER_HEADERS_TIMEOUT_MS",
    parser: parse.durationMs,
    defaultValue: 60_000,
    type: "milliseconds",
    meaning: "Time allowed to receive request headers.",
  },
  {
    key: "server.requestTimeoutMs",
    env: "ILD_SERVER_REQUEST_TIMEOUT_MS",
    parser: parse.durationMs,
    defaultValue: 300_000,
    type: "milliseconds",
    meaning: "Time allowed to receive a whole request (0 = none).",
  },
  {
    key: "server.idleTimeoutMs",
    env: "ILD_SERVER_IDLE_TIMEOUT_MS",
    parser: parse.durationMs,
    defaultValue: 125_000,
    type: "milliseconds",
    meaning: "Keep-alive idle time; above interLink's 120 s so interLink closes first.",
  },
  ...limitSettings,
  {
    key: "dataRoot",
    env: "ILD_DATA_ROOT",
    referenceKey: "DataRootFolder",
    parser: parse.path,
    defaultValue: "/var/lib/ild",
    type: "path",
    meaning:
      "Root of per-pod files. Relative: against the config file's folder (the working directory without a file, or from env).",
  },
  {
    key: "runRoot",
    env: "ILD_RUN_ROOT",
    parser: parse.path,
    defaultValue: "/run/ild",
    type: "path",
    meaning: "Root of runtime files kept on tmpfs: Secret contents, sockets.",
  },
  {
    key: "logging.level",
    env: "ILD_LOG_LEVEL",
    parser: parse.oneOf(["debug", "info", "warn", "error"]),
    defaultValue: "info",
    type: "`debug` \\| `info` \\| `warn` \\| `error`",
    meaning: "Log level. `VerboseLogging: true` means `debug`, `ErrorsOnlyLogging: true` means `error`.",
  },
  {
    key: "metrics.enabled",
    env: "ILD_METRICS_ENABLED",
    parser: parse.boolean,
    defaultValue: true,
    type: "boolean",
    meaning: "Serve Prometheus metrics on `/metrics`.",
  },
  {
    key: "tracing.enabled",
    env: "ILD_TRACING_ENABLED",
    referenceEnv: "ENABLE_TRACING",
    parser: parse.boolean,
    defaultValue: false,
    type: "boolean",
    meaning: "OpenTelemetry tracing (`ENABLE_TRACING=1`).",
  },
  {
    key: "tracing.endpoint",
    env: "ILD_TRACING_ENDPOINT",
    referenceEnv: "TELEMETRY_ENDPOINT",
    parser: parse.nonEmptyString,
    defaultValue: "localhost:4317",
    type: "host:port",
    meaning: "OTLP/gRPC collector.",
  },
  {
    key: "tracing.uniqueId",
    env: "ILD_TRACING_UNIQUE_ID",
    referenceEnv: "TELEMETRY_UNIQUE_ID",
    parser: parse.nonEmptyString,
    defaultText: "random per start",
    type: "string",
    meaning: "Service name is `Plugin-<id>`.",
  },
  {
    key: "tracing.caCertFile",
    env: "ILD_TRACING_CA_CERT_FILE",
    referenceEnv: "TELEMETRY_CA_CRT_FILEPATH",
    parser: parse.path,
    type: "path",
    meaning:
      "CA of the collector; turns on mTLS (then the client cert and key are required). The collector IS verified.",
  },
  {
    key: "tracing.clientCertFile",
    env: "ILD_TRACING_CLIENT_CERT_FILE",
    referenceEnv: "TELEMETRY_CLIENT_CRT_FILEPATH",
    parser: parse.path,
    type: "path",
    meaning: "Client certificate for mTLS to the collector.",
  },
  {
    key: "tracing.clientKeyFile",
    env: "ILD_TRACING_CLIENT_KEY_FILE",
    referenceEnv: "TELEMETRY_CLIENT_KEY_FILEPATH",
    parser: parse.path,
    type: "path",
    meaning: "Client key for mTLS to the collector.",
  },
];

export interface ReferenceKeySpec {
  /** Top-level YAML key of the reference plugin. */
  readonly key: string;
  readonly env?: string;
  /** Where it lands in `config.reference`; undefined for keys handled elsewhere or ignored. */
  readonly field?: string;
  /** Accepted and reported once as ignored: it means nothing for Docker. */
  readonly ignored?: boolean;
  readonly parser: ValueParser<unknown>;
  readonly type: string;
  readonly meaning: string;
}

/** Reference keys that are not settings of their own (those with a SettingSpec.referenceKey are not here). */
export const referenceKeys: readonly ReferenceKeySpec[] = [
  {
    key: "InterlinkURL",
    env: "INTERLINKURL",
    field: "interlinkUrl",
    parser: parse.anyString,
    type: "string",
    meaning: "interLink's address; carried in `config.reference`, not used.",
  },
  {
    key: "InterlinkPort",
    env: "INTERLINKPORT",
    field: "interlinkPort",
    parser: parse.anyString,
    type: "string",
    meaning: "interLink's port; carried, not used.",
  },
  {
    key: "SidecarURL",
    env: "SIDECARURL",
    field: "sidecarUrl",
    parser: parse.anyString,
    type: "string",
    meaning: "How interLink reaches this plugin; carried, not used (listen with `SidecarPort`/`Socket`).",
  },
  {
    key: "ExportPodData",
    field: "exportPodData",
    parser: parse.boolean,
    type: "boolean",
    meaning: "Carried, not used.",
  },
  {
    key: "ServiceAccount",
    field: "serviceAccount",
    parser: parse.anyString,
    type: "string",
    meaning: "Carried, not used.",
  },
  {
    key: "Namespace",
    field: "namespace",
    parser: parse.anyString,
    type: "string",
    meaning: "Carried, not used.",
  },
  {
    key: "VKConfigPath",
    field: "vkConfigPath",
    parser: parse.anyString,
    type: "string",
    meaning: "Carried, not used.",
  },
  {
    key: "VKTokenFile",
    env: "VKTOKENFILE",
    field: "vkTokenFile",
    parser: parse.anyString,
    type: "string",
    meaning: "Carried, not used (the Go plugin required the file to exist).",
  },
  {
    key: "PodIP",
    env: "POD_IP",
    field: "podIp",
    parser: parse.anyString,
    type: "string",
    meaning: "Carried in `config.reference`.",
  },
  { key: "VerboseLogging", parser: parse.boolean, type: "boolean", meaning: "`true`: log level `debug`." },
  {
    key: "ErrorsOnlyLogging",
    parser: parse.boolean,
    type: "boolean",
    meaning: "`true` (and not verbose): log level `error`.",
  },
  {
    key: "CommandPrefix",
    ignored: true,
    parser: parse.anyString,
    type: "string",
    meaning: "Ignored (no shell commands in ild).",
  },
  {
    key: "Tsocks",
    env: "TSOCKS",
    ignored: true,
    parser: parse.strictBoolean,
    type: "boolean",
    meaning:
      "Ignored. `TSOCKS` must still be `true`/`false` (the Go plugin returned an empty config otherwise).",
  },
  {
    key: "TsocksPath",
    env: "TSOCKSPATH",
    ignored: true,
    parser: parse.anyString,
    type: "string",
    meaning: "Ignored.",
  },
  { key: "TsocksLoginNode", ignored: true, parser: parse.anyString, type: "string", meaning: "Ignored." },
  { key: "TsocksConfig", ignored: true, parser: parse.anyString, type: "string", meaning: "Ignored." },
  { key: "BashPath", ignored: true, parser: parse.anyString, type: "string", meaning: "Ignored." },
  {
    key: "SbatchPath",
    env: "SBATCHPATH",
    ignored: true,
    parser: parse.anyString,
    type: "string",
    meaning: "Ignored (SLURM).",
  },
  {
    key: "ScancelPath",
    env: "SCANCELPATH",
    ignored: true,
    parser: parse.anyString,
    type: "string",
    meaning: "Ignored (SLURM).",
  },
  { key: "SqueuePath", ignored: true, parser: parse.anyString, type: "string", meaning: "Ignored (SLURM)." },
  {
    key: "SingularityPrefix",
    ignored: true,
    parser: parse.anyString,
    type: "string",
    meaning: "Ignored (Singularity).",
  },
];

/** Environment variables read besides the settings' own. */
export const CONFIG_PATH_ENV = "INTERLINKCONFIGPATH";
