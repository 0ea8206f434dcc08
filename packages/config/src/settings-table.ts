import { CONFIG_PATH_ENV, DEFAULT_CONFIG_PATH, referenceKeys, settings } from "./settings.js";

function code(value: string): string {
  return `\`${value}\``;
}

function showDefault(value: unknown): string {
  if (value === undefined) {
    return "unset";
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? "`[]`" : value.map((item) => code(String(item))).join(", ");
  }
  if (typeof value === "object" && value !== null) {
    return Object.keys(value).length === 0 ? "`{}`" : code(JSON.stringify(value));
  }
  return code(String(value));
}

/**
 * The README's configuration tables, rendered from the same table loadConfig uses: every `Ild:` setting
 * (with the reference key / env var that also sets it) and every other reference-plugin key.
 */
export function renderSettingsTable(): string {
  const lines = [
    "| Key (YAML) | Type | Default | Environment | Meaning |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const spec of settings) {
    const keys = [
      code(`Ild.${spec.key}`),
      ...(spec.referenceKey === undefined ? [] : [code(spec.referenceKey)]),
    ];
    const envs = [
      ...(spec.env === undefined ? [] : [code(spec.env)]),
      ...(spec.referenceEnv === undefined ? [] : [code(spec.referenceEnv)]),
    ];
    lines.push(
      `| ${keys.join("<br>")} | ${spec.type} | ${spec.defaultText ?? showDefault(spec.defaultValue)} | ${envs.join("<br>") || "—"} | ${spec.meaning} |`,
    );
  }
  lines.push(
    "",
    "Other keys of the reference plugin's file (top level):",
    "",
    "| Key (YAML) | Type | Environment | Meaning |",
    "| --- | --- | --- | --- |",
  );
  for (const spec of referenceKeys) {
    lines.push(
      `| ${code(spec.key)} | ${spec.type} | ${spec.env === undefined ? "—" : code(spec.env)} | ${spec.meaning} |`,
    );
  }
  lines.push(
    "",
    `The file itself: ${code(CONFIG_PATH_ENV)} (or the \`path\` option), default ${code(DEFAULT_CONFIG_PATH)}.`,
  );
  return lines.join("\n");
}
