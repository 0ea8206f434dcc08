import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IldError } from "@ild/common";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, formatConfigIssue } from "./errors.js";
import { type LoadConfigOptions, loadConfig } from "./load-config.js";
import { redactConfig } from "./redact-config.js";

const root = mkdtempSync(join(tmpdir(), "ild-config-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** Writes `text` to a fresh config file and returns its path. */
function configFile(text: string): string {
  counter += 1;
  const dir = join(root, `case-${counter}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "InterLinkConfig.yaml");
  writeFileSync(file, text);
  return file;
}

const noDefaultFile = join(root, "does-not-exist.yaml");

/** loadConfig isolated from this machine: no process env, no /etc file. */
function load(options: LoadConfigOptions = {}) {
  return loadConfig({ env: {}, defaultPath: noDefaultFile, cwd: root, ...options });
}

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

function messages(error: ConfigError): string[] {
  return error.issues.map(formatConfigIssue);
}

describe("loadConfig without a file", () => {
  it("gives the documented defaults", () => {
    const { config, warnings, file, sources } = load();
    expect(file).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(config.server).toEqual({
      host: "127.0.0.1",
      port: 4000,
      socketMode: 0o660,
      bodyLimitBytes: 32 * 1024 * 1024,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 300_000,
      idleTimeoutMs: 125_000,
      maxConcurrentCreates: 4,
      maxQueuedCreates: 256,
      maxConnections: 128,
      retryAfterSeconds: 5,
    });
    expect(config.dind).toMatchObject({
      image: "ild/dind:1",
      poolSize: 2,
      securityMode: "auto",
      storage: "volume",
      tmpfsSizeBytes: 8 * 1024 ** 3,
      imageStore: "/var/lib/ild/image-store",
      imageCacheSizeBytes: 20 * 1024 ** 3,
      preloadImages: ["ild/busybox:1", "ild/python:3-slim-offline"],
      socketRoot: "/run/ild/dind",
    });
    expect(config.dataRoot).toBe("/var/lib/ild");
    expect(config.runRoot).toBe("/run/ild");
    expect(config.docker).toEqual({});
    expect(config.logging.level).toBe("info");
    expect(config.gpu).toEqual({ enabled: true, fpgaEnabled: false, fpgaBookkeeping: true, devices: {} });
    expect(config.policy).toEqual({
      level: "baseline",
      privileged: "deny",
      hostPathAllowList: [],
      egressAllowCidrs: [],
    });
    expect(sources["server.port"]).toEqual({ kind: "default" });
  });

  it("fails when an explicitly named file is missing (option or INTERLINKCONFIGPATH)", () => {
    const missing = join(root, "nope.yaml");
    const byOption = errorOf(() => load({ path: missing }));
    expect(byOption.code).toBe("ILD_CONFIG_UNREADABLE");
    expect(byOption.message).toBe(`invalid configuration: ${missing}: (file): file not found`);
    const byEnv = errorOf(() => load({ env: { INTERLINKCONFIGPATH: missing } }));
    expect(byEnv.code).toBe("ILD_CONFIG_UNREADABLE");
  });

  it("resolves a relative ILD_DATA_ROOT against the working directory", () => {
    expect(load({ env: { ILD_DATA_ROOT: "data" } }).config.dataRoot).toBe(join(root, "data"));
  });
});

describe("loadConfig with the reference plugin's file", () => {
  it("reads the reference README example; a relative DataRootFolder resolves against the file's folder", () => {
    const file = configFile('DataRootFolder: ".local/interlink/jobs/"\nSidecarPort: "4000"\n');
    const { config, sources, warnings } = load({ path: file });
    expect(config.dataRoot).toBe(join(file, "..", ".local/interlink/jobs"));
    expect(config.server.port).toBe(4000);
    expect(sources["server.port"]).toEqual({ kind: "file", key: "SidecarPort", file });
    expect(warnings).toEqual([]);
  });

  it("finds the file through INTERLINKCONFIGPATH", () => {
    const file = configFile("SidecarPort: 4100\n");
    expect(load({ env: { INTERLINKCONFIGPATH: file } }).config.server.port).toBe(4100);
  });

  it("accepts every reference key, keeps interLink's in config.reference, and warns once per ignored key", () => {
    const file = configFile(`InterlinkURL: "http://interlink"
InterlinkPort: "3000"
SidecarURL: "http://plugin"
SidecarPort: "4001"
Socket: ""
CommandPrefix: "srun"
ExportPodData: true
DataRootFolder: "/data/jobs/"
ServiceAccount: "interlink"
Namespace: "vk"
Tsocks: false
TsocksPath: "$WORK/tsocks"
TsocksLoginNode: "login01"
TsocksConfig: "/etc/tsocks.conf"
BashPath: /bin/bash
VerboseLogging: false
ErrorsOnlyLogging: false
VKConfigPath: "/etc/vk.yaml"
VKTokenFile: "/opt/token"
SbatchPath: /usr/bin/sbatch
ScancelPath: /usr/bin/scancel
SqueuePath: /usr/bin/squeue
PodIP: "10.0.0.5"
SingularityPrefix: ""
`);
    const { config, warnings } = load({ path: file });
    expect(config.reference).toEqual({
      interlinkUrl: "http://interlink",
      interlinkPort: "3000",
      sidecarUrl: "http://plugin",
      exportPodData: true,
      serviceAccount: "interlink",
      namespace: "vk",
      vkConfigPath: "/etc/vk.yaml",
      vkTokenFile: "/opt/token",
      podIp: "10.0.0.5",
    });
    expect(config.server.port).toBe(4001);
    expect(config.server.socket).toBeUndefined();
    expect(config.dataRoot).toBe("/data/jobs");
    expect(config.logging.level).toBe("info");
    expect(warnings.map((warning) => warning.key).sort()).toEqual(
      [
        "BashPath",
        "CommandPrefix",
        "SbatchPath",
        "ScancelPath",
        "SqueuePath",
        "Tsocks",
        "TsocksConfig",
        "TsocksLoginNode",
        "TsocksPath",
      ].sort(),
    );
    expect(formatConfigIssue(warnings.find((warning) => warning.key === "BashPath") as never)).toBe(
      `${file}: BashPath: ignored: it has no meaning for the Docker plugin`,
    );
  });

  it("maps VerboseLogging and ErrorsOnlyLogging to a level, and Ild.logging.level wins over both", () => {
    expect(
      load({ path: configFile("VerboseLogging: true\nErrorsOnlyLogging: true\n") }).config.logging.level,
    ).toBe("debug");
    expect(load({ path: configFile("ErrorsOnlyLogging: yes\n") }).config.logging.level).toBe("error");
    const both = load({ path: configFile("VerboseLogging: true\nIld:\n  logging:\n    level: warn\n") });
    expect(both.config.logging.level).toBe("warn");
    expect(both.warnings.map(formatConfigIssue)).toContain(
      `${both.file}: VerboseLogging: overridden by Ild.logging.level`,
    );
  });

  it("listens on a unix socket for Socket: unix://…, relative to the file's folder when relative", () => {
    const absolute = load({ path: configFile('Socket: "unix:///run/ild/plugin.sock"\n') });
    expect(absolute.config.server.socket).toBe("/run/ild/plugin.sock");
    const file = configFile('Socket: "unix://plugin.sock"\n');
    expect(load({ path: file }).config.server.socket).toBe(join(file, "..", "plugin.sock"));
  });

  it("ignores a Socket without unix:// with a warning, as the Go plugin listened on TCP then", () => {
    const file = configFile('Socket: "/run/plugin.sock"\n');
    const { config, warnings } = load({ path: file });
    expect(config.server.socket).toBeUndefined();
    expect(warnings.map(formatConfigIssue)).toEqual([
      `${file}: Socket: ignored: it does not start with unix://, so the plugin listens on TCP (as the reference plugin did)`,
    ]);
  });

  it("treats empty and null values as unset, and an empty file as no settings", () => {
    expect(load({ path: configFile("SidecarPort:\nDataRootFolder: ~\n") }).config.server.port).toBe(4000);
    expect(load({ path: configFile("# nothing here\n") }).config.dataRoot).toBe("/var/lib/ild");
  });
});

describe("loadConfig errors", () => {
  it("names the file, the key and the expected form", () => {
    const file = configFile("SidecarPort: abc\n");
    const error = errorOf(() => load({ path: file }));
    expect(IldError.hasCode(error, "ILD_CONFIG_INVALID")).toBe(true);
    expect(error.message).toBe(
      `invalid configuration: ${file}: SidecarPort: expected a port number 1-65535, got 'abc'`,
    );
    expect(error.issues).toEqual([
      { origin: "file", file, key: "SidecarPort", message: "expected a port number 1-65535, got 'abc'" },
    ]);
    expect(error.file).toBe(file);
  });

  it("collects every problem from the file, the environment and the overrides", () => {
    const file = configFile(`SidecarPort: "70000"
VerboseLogging: perhaps
Ild:
  dind:
    poolSize: many
    securityMode: root
    tmpfsSize: 8x
  server:
    socketMode: "0999"
  policy:
    egressAllowCidrs: ["10.0.0.0/8", "not-a-cidr"]
    hostPathAllowList: [relative/path]
  docker:
    host: "ftp://engine"
`);
    const error = errorOf(() =>
      load({
        path: file,
        env: {
          AVAILABLEDINDS: "two",
          GPUENABLED: "sure",
          ILD_GPU_DEVICES: "{not json",
          ILD_DIND_PRELOAD_IMAGES: "",
        },
        overrides: { server: { port: 0 }, dind: { cpus: -1 } },
      }),
    );
    expect(messages(error)).toEqual([
      `${file}: SidecarPort: expected a port number 1-65535, got '70000'`,
      `${file}: VerboseLogging: expected true or false, got 'perhaps'`,
      `${file}: Ild.dind.poolSize: expected an integer 0-127, got 'many'`,
      `${file}: Ild.dind.securityMode: expected one of 'auto', 'hardened', 'privileged', 'capabilities', got 'root'`,
      `${file}: Ild.dind.tmpfsSize: expected a size like '8g', '512m' or a number of bytes, got '8x'`,
      `${file}: Ild.server.socketMode: expected an octal file mode like '0660', got '0999'`,
      `${file}: Ild.policy.egressAllowCidrs: expected a list of CIDRs like '10.0.0.0/8' (or a comma-separated string), got a list`,
      `${file}: Ild.policy.hostPathAllowList: expected a list of absolute paths (or a comma-separated string), got a list`,
      `${file}: Ild.docker.host: expected a Docker address like 'unix:///var/run/docker.sock' or 'tcp://host:2376', got 'ftp://engine'`,
      "environment variable AVAILABLEDINDS: expected an integer 0-127, got 'two'",
      "environment variable GPUENABLED: expected true or false, got 'sure'",
      "environment variable ILD_GPU_DEVICES: expected a mapping of resource names to lists of absolute device paths (JSON in an environment variable), got '{not json'",
      "override server.port: expected a port number 1-65535, got 0",
      "override dind.cpus: expected a positive number, got -1",
    ]);
    expect(error.message.split("\n")[0]).toBe("invalid configuration:");
  });

  it("rejects AVAILABLEDINDS that is not a number or out of range (the Go plugin silently used 0)", () => {
    expect(messages(errorOf(() => load({ env: { AVAILABLEDINDS: "2x" } })))).toEqual([
      "environment variable AVAILABLEDINDS: expected an integer 0-127, got '2x'",
    ]);
    expect(messages(errorOf(() => load({ env: { AVAILABLEDINDS: "300" } })))[0]).toContain("got '300'");
    expect(messages(errorOf(() => load({ env: { AVAILABLEDINDS: "-1" } })))[0]).toContain("got '-1'");
    expect(load({ env: { AVAILABLEDINDS: "0" } }).config.dind.poolSize).toBe(0);
  });

  it("rejects a TSOCKS that is not true/false instead of returning an empty config", () => {
    expect(messages(errorOf(() => load({ env: { TSOCKS: "maybe" } })))).toEqual([
      "environment variable TSOCKS: expected true or false, got 'maybe'",
    ]);
    expect(load({ env: { TSOCKS: "true" } }).warnings.map(formatConfigIssue)).toEqual([
      "environment variable TSOCKS: ignored: it has no meaning for the Docker plugin",
    ]);
  });

  it("reports YAML syntax errors with their line instead of ignoring them", () => {
    const file = configFile('SidecarPort: "4000"\nIld:\n  dind: [\n');
    const error = errorOf(() => load({ path: file }));
    expect(error.code).toBe("ILD_CONFIG_INVALID");
    expect(error.issues[0]?.key).toMatch(/^line \d+, column \d+$/);
    expect(error.message).toContain(`${file}: line`);
    expect(error.message).toContain("YAML syntax error");
  });

  it("rejects duplicate keys, several documents and a top level that is not a mapping", () => {
    expect(errorOf(() => load({ path: configFile("SidecarPort: 1\nSidecarPort: 2\n") })).message).toContain(
      "duplicated mapping key",
    );
    expect(
      errorOf(() => load({ path: configFile("SidecarPort: 1\n---\nSidecarPort: 2\n") })).message,
    ).toContain("expected one YAML document, got 2");
    expect(errorOf(() => load({ path: configFile("- SidecarPort\n") })).message).toContain("got a list");
  });

  it("wants groups to be mappings", () => {
    const file = configFile("Ild: yes\n");
    expect(messages(errorOf(() => load({ path: file })))).toEqual([
      `${file}: Ild: expected a mapping, got 'yes'`,
    ]);
    const nested = configFile("Ild:\n  server: 4000\n");
    expect(messages(errorOf(() => load({ path: nested })))).toEqual([
      `${nested}: Ild.server: expected a mapping, got '4000'`,
    ]);
  });

  it("never shows a secret value in a message", () => {
    const error = errorOf(() => load({ env: { ILD_SERVER_AUTH_TOKEN: "   " } }));
    expect(error.message).toBe(
      "invalid configuration: environment variable ILD_SERVER_AUTH_TOKEN: expected a non-empty string, got a value (hidden)",
    );
  });

  it("checks settings that go together", () => {
    expect(
      messages(
        errorOf(() =>
          load({ env: { ILD_SERVER_AUTH_TOKEN: "t", ILD_SERVER_AUTH_TOKEN_FILE: "/etc/token" } }),
        ),
      ),
    ).toEqual([
      "environment variable ILD_SERVER_AUTH_TOKEN_FILE: cannot be used together with server.authToken (ILD_SERVER_AUTH_TOKEN): set one of them",
    ]);
    expect(messages(errorOf(() => load({ env: { TELEMETRY_CA_CRT_FILEPATH: "/ca.pem" } })))).toEqual([
      "environment variable TELEMETRY_CA_CRT_FILEPATH: mTLS to the collector also needs tracing.clientCertFile (TELEMETRY_CLIENT_CRT_FILEPATH or ILD_TRACING_CLIENT_CERT_FILE)",
      "environment variable TELEMETRY_CA_CRT_FILEPATH: mTLS to the collector also needs tracing.clientKeyFile (TELEMETRY_CLIENT_KEY_FILEPATH or ILD_TRACING_CLIENT_KEY_FILE)",
    ]);
    expect(
      messages(
        errorOf(() => load({ overrides: { docker: { host: "tcp://e:2376", tls: { cert: "/c.pem" } } } })),
      ),
    ).toEqual(["override docker.tls.cert: docker.tls.cert and docker.tls.key must be given together"]);
  });
});

describe("precedence: overrides > env > file > defaults", () => {
  it("takes each setting from the highest layer that has it and records where it came from", () => {
    const file = configFile(`SidecarPort: "4001"
Ild:
  dind:
    image: file/dind:1
    poolSize: 5
  server:
    host: 0.0.0.0
`);
    const { config, sources } = load({
      path: file,
      env: { SIDECARPORT: "4002", AVAILABLEDINDS: "3", ILD_DIND_IMAGE: "env/dind:1" },
      overrides: { server: { port: 4003 } },
    });
    expect(config.server.port).toBe(4003);
    expect(config.dind.poolSize).toBe(3);
    expect(config.dind.image).toBe("env/dind:1");
    expect(config.server.host).toBe("0.0.0.0");
    expect(config.dind.storage).toBe("volume");
    expect(sources["server.port"]).toEqual({ kind: "override", key: "server.port" });
    expect(sources["dind.poolSize"]).toEqual({ kind: "env", key: "AVAILABLEDINDS" });
    expect(sources["server.host"]).toEqual({ kind: "file", key: "Ild.server.host", file });
    expect(sources["dind.storage"]).toEqual({ kind: "default" });
  });

  it("prefers ILD_* over the reference variable and says so", () => {
    const { config, warnings } = load({ env: { AVAILABLEDINDS: "3", ILD_DIND_POOL_SIZE: "4" } });
    expect(config.dind.poolSize).toBe(4);
    expect(warnings.map(formatConfigIssue)).toEqual([
      "environment variable AVAILABLEDINDS: overridden by ILD_DIND_POOL_SIZE",
    ]);
  });

  it("prefers Ild.* over the reference key in the same file", () => {
    const file = configFile("SidecarPort: 4001\nIld:\n  server:\n    port: 4005\n");
    const { config, warnings } = load({ path: file });
    expect(config.server.port).toBe(4005);
    expect(warnings.map(formatConfigIssue)).toEqual([`${file}: SidecarPort: overridden by Ild.server.port`]);
  });
});

describe("environment variables", () => {
  it("reads the reference plugin's GPU, FPGA and telemetry variables", () => {
    const { config } = load({
      env: {
        GPUENABLED: "1",
        FPGAENABLED: "1",
        FPGA_DISABLE_BOOKKEEPING: "1",
        ENABLE_TRACING: "1",
        TELEMETRY_UNIQUE_ID: "node-7",
        TELEMETRY_ENDPOINT: "collector:4317",
        TELEMETRY_CA_CRT_FILEPATH: "/tls/ca.pem",
        TELEMETRY_CLIENT_CRT_FILEPATH: "/tls/cert.pem",
        TELEMETRY_CLIENT_KEY_FILEPATH: "/tls/key.pem",
        INTERLINKURL: "http://il",
        SIDECARURL: "unix:///run/plugin.sock",
        INTERLINKPORT: "3000",
        VKTOKENFILE: "/tok",
        POD_IP: "10.1.2.3",
      },
    });
    expect(config.gpu).toMatchObject({ enabled: true, fpgaEnabled: true, fpgaBookkeeping: false });
    expect(config.tracing).toEqual({
      enabled: true,
      endpoint: "collector:4317",
      uniqueId: "node-7",
      caCertFile: "/tls/ca.pem",
      clientCertFile: "/tls/cert.pem",
      clientKeyFile: "/tls/key.pem",
    });
    expect(config.reference).toMatchObject({
      interlinkUrl: "http://il",
      podIp: "10.1.2.3",
      vkTokenFile: "/tok",
    });
  });

  it("treats GPUENABLED=0 and empty variables as off/unset", () => {
    expect(load({ env: { GPUENABLED: "0", SIDECARPORT: "" } }).config).toMatchObject({
      gpu: { enabled: false },
      server: { port: 4000 },
    });
  });

  it("parses lists, sizes, modes and JSON device maps", () => {
    const { config } = load({
      env: {
        ILD_DIND_PRELOAD_IMAGES: "ild/busybox:1, ild/python:3-slim-offline ,",
        ILD_DIND_TMPFS_SIZE: "512m",
        ILD_DIND_MEMORY: "2Gi",
        ILD_DIND_CPUS: "1.5",
        ILD_SERVER_SOCKET_MODE: "0600",
        ILD_SERVER_BODY_LIMIT_BYTES: "1048576",
        ILD_GPU_DEVICES: '{"xilinx.com/fpga": ["/dev/xclmgmt1", "/dev/dri/renderD128"]}',
        ILD_HOOKS_ENABLED: "gpu,network",
        ILD_POLICY_EGRESS_ALLOW_CIDRS: "10.0.0.0/8,fd00::/8",
      },
    });
    expect(config.dind.preloadImages).toEqual(["ild/busybox:1", "ild/python:3-slim-offline"]);
    expect(config.dind.tmpfsSizeBytes).toBe(512 * 1024 ** 2);
    expect(config.dind.memoryBytes).toBe(2 * 1024 ** 3);
    expect(config.dind.cpus).toBe(1.5);
    expect(config.server.socketMode).toBe(0o600);
    expect(config.server.bodyLimitBytes).toBe(1048576);
    expect(config.gpu.devices).toEqual({ "xilinx.com/fpga": ["/dev/xclmgmt1", "/dev/dri/renderD128"] });
    expect(config.hooks.enabled).toEqual(["gpu", "network"]);
    expect(config.policy.egressAllowCidrs).toEqual(["10.0.0.0/8", "fd00::/8"]);
  });

  it("reads the policy level and the privileged opt-in from ILD_POLICY_LEVEL and ILD_POLICY_PRIVILEGED", () => {
    const { config, sources } = load({
      env: { ILD_POLICY_LEVEL: "restricted", ILD_POLICY_PRIVILEGED: "allow" },
    });
    expect(config.policy).toMatchObject({ level: "restricted", privileged: "allow" });
    expect(sources["policy.level"]).toEqual({ kind: "env", key: "ILD_POLICY_LEVEL" });
    expect(load({ overrides: { policy: { privileged: "capabilities" } } }).config.policy.privileged).toBe(
      "allow",
    );
    expect(
      messages(errorOf(() => load({ env: { ILD_POLICY_LEVEL: "lax", ILD_POLICY_PRIVILEGED: "yes" } }))),
    ).toEqual([
      "environment variable ILD_POLICY_LEVEL: expected one of 'baseline', 'restricted', 'privileged', got 'lax'",
      "environment variable ILD_POLICY_PRIVILEGED: expected one of 'deny', 'allow' ('capabilities' is the old name of 'allow'), got 'yes'",
    ]);
  });

  it("warns about unknown ILD_* variables of a known group, with a suggestion, and leaves other ILD_* alone", () => {
    const { warnings } = load({
      env: { ILD_DIND_POOLSIZE: "3", ILD_SEED_DIR: "/seed", ILD_SERVER_PROT: "1" },
    });
    expect(warnings.map(formatConfigIssue)).toEqual([
      "environment variable ILD_DIND_POOLSIZE: unknown key, ignored (did you mean ILD_DIND_POOL_SIZE?)",
      "environment variable ILD_SERVER_PROT: unknown key, ignored (did you mean ILD_SERVER_PORT?)",
    ]);
  });
});

describe("the Ild: block", () => {
  it("reads every group", () => {
    const file = configFile(`Ild:
  docker:
    host: tcp://engine:2376
    tls: {ca: /tls/ca.pem, cert: /tls/cert.pem, key: /tls/key.pem, verify: false}
  dind:
    maxConcurrentBuilds: 2
    securityMode: capabilities
    runtime: sysbox-runc
    storage: volume
    readyTimeoutMs: 30000
    acquireTimeoutMs: 1000
    preloadImages: [ild/busybox:1]
    socketRoot: sockets
  engine: {default: host, allowPodOverride: true}
  gpu:
    devices:
      xilinx.com/fpga: [/dev/xclmgmt1]
  hooks: {enabled: [network, gpu]}
  policy: {level: restricted, privileged: capabilities, hostPathAllowList: [/data], egressAllowCidrs: [0.0.0.0/0]}
  server: {socket: "unix:///run/ild/ild.sock", socketMode: "0o640", authTokenFile: token}
  dataRoot: /srv/ild
  runRoot: /run/ild-test
  metrics: {enabled: false}
  tracing: {enabled: true, endpoint: "otel:4317"}
`);
    const { config, warnings } = load({ path: file });
    expect(warnings).toEqual([]);
    expect(config.docker).toEqual({
      host: "tcp://engine:2376",
      tls: { ca: "/tls/ca.pem", cert: "/tls/cert.pem", key: "/tls/key.pem", verify: false },
    });
    expect(config.dind).toMatchObject({
      maxConcurrentBuilds: 2,
      securityMode: "capabilities",
      runtime: "sysbox-runc",
      storage: "volume",
      readyTimeoutMs: 30000,
      acquireTimeoutMs: 1000,
      preloadImages: ["ild/busybox:1"],
      socketRoot: join(file, "..", "sockets"),
    });
    expect(config.engine).toEqual({ default: "host", allowPodOverride: true });
    expect(config.gpu.devices).toEqual({ "xilinx.com/fpga": ["/dev/xclmgmt1"] });
    expect(config.hooks.enabled).toEqual(["network", "gpu"]);
    expect(config.policy).toEqual({
      level: "restricted",
      // the old name of allow
      privileged: "allow",
      hostPathAllowList: ["/data"],
      egressAllowCidrs: ["0.0.0.0/0"],
    });
    expect(config.server).toMatchObject({
      socket: "/run/ild/ild.sock",
      socketMode: 0o640,
      authTokenFile: join(file, "..", "token"),
    });
    expect(config.dataRoot).toBe("/srv/ild");
    expect(config.runRoot).toBe("/run/ild-test");
    expect(config.metrics.enabled).toBe(false);
    expect(config.tracing).toMatchObject({ enabled: true, endpoint: "otel:4317" });
  });

  it("takes a plain socket path as the Docker host", () => {
    expect(load({ env: { ILD_DOCKER_HOST: "/var/run/docker.sock" } }).config.docker.host).toBe(
      "unix:///var/run/docker.sock",
    );
  });

  it("derives the DIND socket folder from runRoot", () => {
    expect(load({ overrides: { runRoot: "/tmp/ild-run" } }).config.dind.socketRoot).toBe("/tmp/ild-run/dind");
  });

  it("keeps the image store on disk under dataRoot, with a cache budget; both can be set", () => {
    const derived = load({ overrides: { dataRoot: "/srv/ild", runRoot: "/tmp/ild-run" } }).config.dind;
    expect(derived.imageStore).toBe("/srv/ild/image-store");
    expect(derived.imageCacheSizeBytes).toBe(20 * 1024 ** 3);
    const set = load({
      env: {
        ILD_DIND_IMAGE_STORE: "/mnt/images",
        ILD_DIND_IMAGE_CACHE_SIZE: "50g",
        ILD_DIND_STORAGE: "tmpfs",
      },
    }).config.dind;
    expect(set).toMatchObject({
      imageStore: "/mnt/images",
      imageCacheSizeBytes: 50 * 1024 ** 3,
      storage: "tmpfs",
    });
  });

  it("warns about unknown keys at every level, with a suggestion when one is close", () => {
    const file = configFile(`SidecarPrt: 4000
Ild:
  dind:
    poolsize: 3
    colour: blue
  serverr: {}
`);
    const { warnings, config } = load({ path: file });
    expect(config.dind.poolSize).toBe(2);
    expect(warnings.map(formatConfigIssue)).toEqual([
      `${file}: SidecarPrt: unknown key, ignored (did you mean SidecarPort?)`,
      `${file}: Ild.dind.poolsize: unknown key, ignored (did you mean Ild.dind.poolSize?)`,
      `${file}: Ild.dind.colour: unknown key, ignored`,
      `${file}: Ild.serverr: unknown key, ignored (did you mean Ild.server?)`,
    ]);
  });

  it("warns about unknown override keys too", () => {
    const { warnings } = load({ overrides: { server: { prot: 1 } } as never });
    expect(warnings.map(formatConfigIssue)).toEqual([
      "override server.prot: unknown key, ignored (did you mean server.port?)",
    ]);
  });
});

describe("the result", () => {
  it("is deeply frozen", () => {
    const loaded = load();
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.config.server)).toBe(true);
    expect(Object.isFrozen(loaded.config.dind.preloadImages)).toBe(true);
    expect(() => {
      (loaded.config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("does not share default lists between loads", () => {
    const first = load().config.dind.preloadImages;
    const second = load().config.dind.preloadImages;
    expect(first).toEqual(second);
    expect(first).not.toBe(second);
  });

  it("can be redacted for logging", () => {
    const { config } = load({ env: { ILD_SERVER_AUTH_TOKEN: "very-secret" } });
    expect(config.server.authToken).toBe("very-secret");
    const safe = redactConfig(config);
    expect(safe.server.authToken).toBe("[redacted]");
    expect(JSON.stringify(safe)).not.toContain("very-secret");
    const pem = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
    const tls = load({
      overrides: { docker: { host: "tcp://e:2376", tls: { cert: "/c.pem", key: pem } } },
    }).config;
    expect(redactConfig(tls).docker.tls).toEqual({ cert: "/c.pem", key: "[redacted]", verify: true });
    expect(tls.docker.tls?.key).toBe(pem.trim());
  });
});
