import { IldError } from "@ild/common";

export type ConfigOrigin = "file" | "env" | "override";

/** One problem (or warning) about one setting: where it came from, which key, what is wrong. */
export interface ConfigIssue {
  readonly origin: ConfigOrigin;
  /** The config file, for origin "file". */
  readonly file?: string;
  /** The key as the user wrote it: `SidecarPort`, `Ild.server.port`, `SIDECARPORT`, `server.port`. */
  readonly key: string;
  readonly message: string;
}

/** `/etc/x.yaml: SidecarPort: expected a port number 1-65535, got 'abc'` / `environment variable …`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where =
    issue.origin === "file"
      ? `${issue.file ?? "config file"}: `
      : issue.origin === "env"
        ? "environment variable "
        : "override ";
  return `${where}${issue.key}: ${issue.message}`;
}

export const CONFIG_INVALID = "ILD_CONFIG_INVALID";
export const CONFIG_UNREADABLE = "ILD_CONFIG_UNREADABLE";

/**
 * The configuration cannot be used. `code` is ILD_CONFIG_INVALID (bad values, YAML syntax; every problem
 * is in `issues`) or ILD_CONFIG_UNREADABLE (an explicitly named file is missing or unreadable).
 */
export class ConfigError extends IldError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;

  constructor(
    code: typeof CONFIG_INVALID | typeof CONFIG_UNREADABLE,
    issues: readonly ConfigIssue[],
    options: { file?: string; cause?: unknown } = {},
  ) {
    const lines = issues.map(formatConfigIssue);
    const message =
      lines.length === 1
        ? `invalid configuration: ${lines[0]}`
        : `invalid configuration:\n  ${lines.join("\n  ")}`;
    super(code, message, { cause: options.cause, details: { file: options.file, issues } });
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
    this.file = options.file;
  }
}
