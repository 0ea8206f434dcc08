import { readFileSync } from "node:fs";
import { FAILSAFE_SCHEMA, loadAll, YAMLException } from "js-yaml";
import { CONFIG_INVALID, CONFIG_UNREADABLE, ConfigError } from "./errors.js";

export type ConfigDocument = Record<string, unknown>;

/**
 * Reads a YAML config file. Scalars are read as strings (YAML's failsafe schema), so a value looks the
 * same whether it comes from the file or from an environment variable, and `0660` stays `0660`.
 * Returns undefined when the file does not exist and `required` is false. YAML errors are errors.
 */
export function readConfigFile(file: string, required: boolean): ConfigDocument | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !required) {
      return undefined;
    }
    const message =
      code === "ENOENT" ? "file not found" : `cannot read the file: ${(error as Error).message}`;
    throw new ConfigError(CONFIG_UNREADABLE, [{ origin: "file", file, key: "(file)", message }], {
      file,
      cause: error,
    });
  }
  let documents: unknown[];
  try {
    documents = loadAll(text, { schema: FAILSAFE_SCHEMA, filename: file });
  } catch (error) {
    const mark = error instanceof YAMLException ? error.mark : undefined;
    const reason = error instanceof YAMLException ? error.reason : (error as Error).message;
    const where = mark ? `line ${mark.line + 1}, column ${mark.column + 1}` : "(file)";
    throw new ConfigError(
      CONFIG_INVALID,
      [{ origin: "file", file, key: where, message: `YAML syntax error: ${reason}` }],
      {
        file,
        cause: error,
      },
    );
  }
  if (documents.length > 1) {
    throw new ConfigError(
      CONFIG_INVALID,
      [
        {
          origin: "file",
          file,
          key: "(file)",
          message: `expected one YAML document, got ${documents.length}`,
        },
      ],
      { file },
    );
  }
  const document = documents[0];
  if (document === undefined || document === null || document === "") {
    return {};
  }
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new ConfigError(
      CONFIG_INVALID,
      [
        {
          origin: "file",
          file,
          key: "(top level)",
          message: `expected a mapping of keys such as 'SidecarPort: "4000"', got ${Array.isArray(document) ? "a list" : "a plain value"}`,
        },
      ],
      { file },
    );
  }
  return document as ConfigDocument;
}
