import { dirname, join, resolve } from "node:path";
import type { ConfigOverrides, IldConfig } from "./config-types.js";
import { describeValue } from "./describe-value.js";
import { CONFIG_INVALID, ConfigError, type ConfigIssue, type ConfigOrigin } from "./errors.js";
import { type ConfigDocument, readConfigFile } from "./read-config-file.js";
import {
  CONFIG_PATH_ENV,
  DEFAULT_CONFIG_PATH,
  type ReferenceKeySpec,
  referenceKeys,
  type SettingSpec,
  settings,
} from "./settings.js";
import { unknownKeyMessage } from "./suggest.js";
import { referenceSocket, type ValueParser } from "./value-parsers.js";

export interface LoadConfigOptions {
  /** Config file. Default: `INTERLINKCONFIGPATH`, then /etc/interlink/InterLinkConfig.yaml (may be absent). */
  path?: string;
  /** Environment to read. Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Explicit settings, highest precedence, in the shape of the YAML `Ild:` block. */
  overrides?: ConfigOverrides;
  /** Resolves relative paths from env/overrides, and from a file-less setup. Default: process.cwd(). */
  cwd?: string;
  /** The file read when neither `path` nor INTERLINKCONFIGPATH names one. Default: DEFAULT_CONFIG_PATH. */
  defaultPath?: string;
}

/** Where a setting's value came from. */
export interface ConfigSource {
  readonly kind: "default" | ConfigOrigin;
  /** The key or variable as written (`SidecarPort`, `Ild.dind.image`, `AVAILABLEDINDS`, `server.port`). */
  readonly key?: string;
  readonly file?: string;
}

export interface LoadedConfig {
  readonly config: IldConfig;
  /** Unknown keys, ignored reference keys, shadowed keys: worth showing at start-up. */
  readonly warnings: readonly ConfigIssue[];
  /** Origin of every setting, by `Ild:` key path (`server.port`) or `reference.<field>`. */
  readonly sources: Readonly<Record<string, ConfigSource>>;
  /** The config file that was read, if any. */
  readonly file?: string;
}

interface Entry {
  value: unknown;
  source: ConfigSource;
}

type Layer = Map<string, Entry>;

const settingByKey = new Map(settings.map((spec) => [spec.key, spec]));
const settingByReferenceKey = new Map(
  settings
    .filter((spec) => spec.referenceKey !== undefined)
    .map((spec) => [spec.referenceKey as string, spec]),
);
const referenceByKey = new Map(referenceKeys.map((spec) => [spec.key, spec]));
const knownTopLevel = ["Ild", ...settingByReferenceKey.keys(), ...referenceByKey.keys()];
const envGroups = [
  "DOCKER",
  "DIND",
  "ENGINE",
  "GPU",
  "HOOKS",
  "POLICY",
  "SERVER",
  "LOG",
  "METRICS",
  "TRACING",
  "DATA",
  "RUN",
];
const knownIldEnv = new Set(settings.flatMap((spec) => (spec.env === undefined ? [] : [spec.env])));

/** YAML's null spellings, read as strings by the failsafe schema: the key is treated as unset. */
function isUnset(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === "" ||
    value === "~" ||
    value === "null" ||
    value === "Null" ||
    value === "NULL"
  );
}

class Collector {
  readonly problems: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];

  parse(
    parser: ValueParser<unknown>,
    raw: unknown,
    baseDir: string,
    where: Omit<ConfigIssue, "message">,
    secret = false,
  ): { ok: boolean; value?: unknown } {
    const result = parser.parse(raw, baseDir);
    if (!result.ok) {
      this.problems.push({
        ...where,
        message: `${result.message}, got ${secret ? "a value (hidden)" : describeValue(raw)}`,
      });
      return { ok: false };
    }
    if (result.warning !== undefined) {
      this.warnings.push({ ...where, message: result.warning });
    }
    return { ok: true, value: result.value };
  }
}

function readFileLayer(document: ConfigDocument, file: string, collector: Collector): Layer {
  const layer: Layer = new Map();
  const baseDir = dirname(file);
  const at = (key: string) => ({ origin: "file" as const, file, key });
  let verbose: boolean | undefined;
  let errorsOnly: boolean | undefined;

  for (const [key, raw] of Object.entries(document)) {
    if (key === "Ild") {
      continue;
    }
    const setting = settingByReferenceKey.get(key);
    const reference = referenceByKey.get(key);
    if (setting === undefined && reference === undefined) {
      collector.warnings.push({ ...at(key), message: unknownKeyMessage(key, knownTopLevel) });
      continue;
    }
    if (isUnset(raw)) {
      continue;
    }
    if (setting !== undefined) {
      const parsed = collector.parse(
        // `Socket:` keeps the reference plugin's rule: only unix:// means a socket.
        setting.key === "server.socket" ? referenceSocket : setting.parser,
        raw,
        baseDir,
        at(key),
        setting.secret === true,
      );
      if (parsed.ok && parsed.value !== undefined) {
        layer.set(setting.key, { value: parsed.value, source: { kind: "file", key, file } });
      }
      continue;
    }
    const spec = reference as ReferenceKeySpec;
    const parsed = collector.parse(spec.parser, raw, baseDir, at(key));
    if (!parsed.ok) {
      continue;
    }
    if (spec.ignored) {
      collector.warnings.push({ ...at(key), message: "ignored: it has no meaning for the Docker plugin" });
    } else if (key === "VerboseLogging") {
      verbose = parsed.value as boolean;
    } else if (key === "ErrorsOnlyLogging") {
      errorsOnly = parsed.value as boolean;
    } else if (spec.field !== undefined) {
      layer.set(`reference.${spec.field}`, { value: parsed.value, source: { kind: "file", key, file } });
    }
  }
  if (verbose === true) {
    layer.set("logging.level", { value: "debug", source: { kind: "file", key: "VerboseLogging", file } });
  } else if (errorsOnly === true) {
    layer.set("logging.level", { value: "error", source: { kind: "file", key: "ErrorsOnlyLogging", file } });
  }

  const ild = document.Ild;
  if (!isUnset(ild)) {
    if (typeof ild !== "object" || Array.isArray(ild)) {
      collector.problems.push({ ...at("Ild"), message: `expected a mapping, got ${describeValue(ild)}` });
    } else {
      walkIld(
        ild as Record<string, unknown>,
        "",
        layer,
        collector,
        (key) => ({ ...at(`Ild.${key}`) }),
        baseDir,
        "file",
        file,
      );
    }
  }
  return layer;
}

/** The tree of `Ild:` keys: a leaf is a setting, a branch a group (`docker`, `docker.tls`, …). */
interface KeyTree {
  [key: string]: KeyTree | SettingSpec;
}

const ildTree: KeyTree = (() => {
  const tree: KeyTree = {};
  for (const spec of settings) {
    const parts = spec.key.split(".");
    let node = tree;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as KeyTree;
    }
    node[parts[parts.length - 1] as string] = spec;
  }
  return tree;
})();

function isSetting(node: KeyTree | SettingSpec): node is SettingSpec {
  return typeof (node as SettingSpec).key === "string" && (node as SettingSpec).parser !== undefined;
}

function walkIld(
  value: Record<string, unknown>,
  prefix: string,
  layer: Layer,
  collector: Collector,
  at: (key: string) => Omit<ConfigIssue, "message">,
  baseDir: string,
  kind: ConfigOrigin,
  file: string | undefined,
  tree: KeyTree = ildTree,
): void {
  for (const [key, raw] of Object.entries(value)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    const node = tree[key];
    if (node === undefined) {
      const groupPrefix =
        kind === "file" ? `Ild.${prefix === "" ? "" : `${prefix}.`}` : prefix === "" ? "" : `${prefix}.`;
      collector.warnings.push({
        ...at(path),
        message: unknownKeyMessage(key, Object.keys(tree), groupPrefix),
      });
      continue;
    }
    if (raw === undefined || (kind === "file" && isUnset(raw))) {
      continue;
    }
    if (isSetting(node)) {
      const parsed = collector.parse(node.parser, raw, baseDir, at(path), node.secret === true);
      if (parsed.ok && parsed.value !== undefined) {
        const shadowed = layer.get(node.key)?.source;
        if (kind === "file" && shadowed?.key !== undefined) {
          collector.warnings.push({
            origin: "file",
            key: shadowed.key,
            ...(file === undefined ? {} : { file }),
            message: `overridden by Ild.${path}`,
          });
        }
        const source: ConfigSource = {
          kind,
          key: kind === "file" ? `Ild.${path}` : path,
          ...(file === undefined ? {} : { file }),
        };
        layer.set(node.key, { value: parsed.value, source });
      }
      continue;
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      collector.problems.push({ ...at(path), message: `expected a mapping, got ${describeValue(raw)}` });
      continue;
    }
    walkIld(raw as Record<string, unknown>, path, layer, collector, at, baseDir, kind, file, node);
  }
}

function readEnvLayer(env: Record<string, string | undefined>, cwd: string, collector: Collector): Layer {
  const layer: Layer = new Map();
  const at = (key: string) => ({ origin: "env" as const, key });
  const present = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === "" ? undefined : value;
  };
  for (const spec of settings) {
    const ildValue = spec.env === undefined ? undefined : present(spec.env);
    const referenceValue = spec.referenceEnv === undefined ? undefined : present(spec.referenceEnv);
    if (referenceValue !== undefined && spec.referenceEnv !== undefined) {
      const parsed = collector.parse(spec.parser, referenceValue, cwd, at(spec.referenceEnv));
      if (parsed.ok && ildValue === undefined) {
        const value = spec.fromReferenceEnv ? spec.fromReferenceEnv(parsed.value as boolean) : parsed.value;
        layer.set(spec.key, { value, source: { kind: "env", key: spec.referenceEnv } });
      } else if (parsed.ok && spec.env !== undefined) {
        collector.warnings.push({ ...at(spec.referenceEnv), message: `overridden by ${spec.env}` });
      }
    }
    if (ildValue !== undefined && spec.env !== undefined) {
      const parsed = collector.parse(spec.parser, ildValue, cwd, at(spec.env), spec.secret === true);
      if (parsed.ok && parsed.value !== undefined) {
        layer.set(spec.key, { value: parsed.value, source: { kind: "env", key: spec.env } });
      }
    }
  }
  for (const spec of referenceKeys) {
    const value = spec.env === undefined ? undefined : present(spec.env);
    if (value === undefined || spec.env === undefined) {
      continue;
    }
    const parsed = collector.parse(spec.parser, value, cwd, at(spec.env));
    if (!parsed.ok) {
      continue;
    }
    if (spec.ignored) {
      collector.warnings.push({
        ...at(spec.env),
        message: "ignored: it has no meaning for the Docker plugin",
      });
    } else if (spec.field !== undefined) {
      layer.set(`reference.${spec.field}`, { value: parsed.value, source: { kind: "env", key: spec.env } });
    }
  }
  for (const name of Object.keys(env)) {
    const group = /^ILD_([A-Z]+)_/.exec(name)?.[1];
    if (group !== undefined && envGroups.includes(group) && !knownIldEnv.has(name)) {
      collector.warnings.push({ ...at(name), message: unknownKeyMessage(name, knownIldEnv) });
    }
  }
  return layer;
}

function readOverrideLayer(overrides: ConfigOverrides, cwd: string, collector: Collector): Layer {
  const layer: Layer = new Map();
  if (typeof overrides !== "object" || overrides === null) {
    return layer;
  }
  walkIld(
    overrides as Record<string, unknown>,
    "",
    layer,
    collector,
    (key) => ({ origin: "override", key }),
    cwd,
    "override",
    undefined,
  );
  return layer;
}

const outputName: Record<string, string> = {
  "dind.tmpfsSize": "dind.tmpfsSizeBytes",
  "dind.imageCacheSize": "dind.imageCacheSizeBytes",
  "dind.memory": "dind.memoryBytes",
};

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}

function labelOf(source: ConfigSource | undefined, fallback: string): Omit<ConfigIssue, "message"> {
  if (source === undefined || source.kind === "default") {
    return { origin: "override", key: fallback };
  }
  return {
    origin: source.kind,
    key: source.key ?? fallback,
    ...(source.file === undefined ? {} : { file: source.file }),
  };
}

/**
 * Loads the configuration: explicit overrides > environment > config file > defaults. Works with no file
 * (a missing default file is fine; a named one that is missing is an error). Collects every problem and
 * throws one ConfigError (ILD_CONFIG_INVALID) naming the file, the key and the expected form. The result
 * is deeply frozen.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const collector = new Collector();

  const named = options.path ?? (env[CONFIG_PATH_ENV] === "" ? undefined : env[CONFIG_PATH_ENV]);
  const file = resolve(cwd, named ?? options.defaultPath ?? DEFAULT_CONFIG_PATH);
  const document = readConfigFile(file, named !== undefined);

  const layers: Layer[] = [];
  if (document !== undefined) {
    layers.push(readFileLayer(document, file, collector));
  }
  layers.push(readEnvLayer(env, cwd, collector));
  layers.push(readOverrideLayer(options.overrides ?? {}, cwd, collector));

  const merged = new Map<string, Entry>();
  for (const spec of settings) {
    if (spec.defaultValue !== undefined) {
      merged.set(spec.key, { value: structuredClone(spec.defaultValue), source: { kind: "default" } });
    }
  }
  merged.set("reference.exportPodData", { value: false, source: { kind: "default" } });
  for (const layer of layers) {
    for (const [key, entry] of layer) {
      merged.set(key, entry);
    }
  }

  const value = (key: string): unknown => merged.get(key)?.value;
  const source = (key: string): ConfigSource | undefined => merged.get(key)?.source;

  // Derived defaults: the DIND socket folder lives under the run root, the image store on disk.
  if (!merged.has("dind.socketRoot")) {
    merged.set("dind.socketRoot", {
      value: join(value("runRoot") as string, "dind"),
      source: { kind: "default" },
    });
  }
  if (!merged.has("dind.imageStore")) {
    merged.set("dind.imageStore", {
      value: join(value("dataRoot") as string, "image-store"),
      source: { kind: "default" },
    });
  }

  // Rules that involve several settings.
  if (value("server.authToken") !== undefined && value("server.authTokenFile") !== undefined) {
    collector.problems.push({
      ...labelOf(source("server.authTokenFile"), "server.authTokenFile"),
      message: "cannot be used together with server.authToken (ILD_SERVER_AUTH_TOKEN): set one of them",
    });
  }
  if ((value("docker.tls.cert") === undefined) !== (value("docker.tls.key") === undefined)) {
    const present = value("docker.tls.cert") === undefined ? "docker.tls.key" : "docker.tls.cert";
    collector.problems.push({
      ...labelOf(source(present), present),
      message: "docker.tls.cert and docker.tls.key must be given together",
    });
  }
  if (value("tracing.caCertFile") !== undefined) {
    for (const needed of ["tracing.clientCertFile", "tracing.clientKeyFile"]) {
      if (value(needed) === undefined) {
        const spec = settingByKey.get(needed) as SettingSpec;
        collector.problems.push({
          ...labelOf(source("tracing.caCertFile"), "tracing.caCertFile"),
          message: `mTLS to the collector also needs ${needed} (${spec.referenceEnv} or ${spec.env})`,
        });
      }
    }
  }
  const dockerHost = value("docker.host");
  const tlsGiven = ["docker.tls.ca", "docker.tls.cert", "docker.tls.key", "docker.tls.verify"].some(
    (key) => source(key) !== undefined && source(key)?.kind !== "default",
  );
  if (tlsGiven && typeof dockerHost === "string" && dockerHost.startsWith("unix://")) {
    collector.warnings.push({
      ...labelOf(source("docker.host"), "docker.host"),
      message: "TLS settings are ignored for a unix socket",
    });
  }

  if (collector.problems.length > 0) {
    throw new ConfigError(CONFIG_INVALID, collector.problems, document === undefined ? {} : { file });
  }

  const config: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const [key, entry] of merged) {
    sources[key] = entry.source;
    if (key.startsWith("docker.tls.")) {
      continue;
    }
    setPath(config, outputName[key] ?? key, entry.value);
  }
  if (tlsGiven) {
    const tls: Record<string, unknown> = { verify: value("docker.tls.verify") };
    for (const part of ["ca", "cert", "key"]) {
      const item = value(`docker.tls.${part}`);
      if (item !== undefined) {
        tls[part] = item;
      }
    }
    setPath(config, "docker.tls", tls);
  }
  config.docker ??= {};

  return deepFreeze({
    config: config as unknown as IldConfig,
    warnings: collector.warnings,
    sources,
    ...(document === undefined ? {} : { file }),
  });
}
