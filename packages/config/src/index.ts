export type {
  ConfigOverrides,
  DindConfig,
  DindSecurityMode,
  DindStorage,
  DockerEndpointConfig,
  DockerTlsConfig,
  EngineConfig,
  EngineKind,
  GpuConfig,
  HooksConfig,
  IldConfig,
  LoggingConfig,
  LogLevel,
  MetricsConfig,
  PolicyConfig,
  PolicyLevel,
  PrivilegedPolicy,
  ReferenceConfig,
  ServerConfig,
  TracingConfig,
} from "./config-types.js";
export type { ConfigIssue, ConfigOrigin } from "./errors.js";
export { CONFIG_INVALID, CONFIG_UNREADABLE, ConfigError, formatConfigIssue } from "./errors.js";
export type { ConfigSource, LoadConfigOptions, LoadedConfig } from "./load-config.js";
export { loadConfig } from "./load-config.js";
export { redactConfig } from "./redact-config.js";
export type { ReferenceKeySpec, SettingSpec } from "./settings.js";
export { CONFIG_PATH_ENV, DEFAULT_CONFIG_PATH, referenceKeys, settings } from "./settings.js";
export { renderSettingsTable } from "./settings-table.js";
