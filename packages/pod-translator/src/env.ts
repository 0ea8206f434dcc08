import type { Container } from "kubernetes-types/core/v1.js";
import { type DownwardContext, resolveFieldPath, resolveResourceField } from "./downward-api.js";
import { expandVariables } from "./expand.js";
import type { IssueCollector } from "./issues.js";
import type { EnvVarPlan } from "./plan-types.js";
import { configMapKeys, type PodSources, secretKeyBytes, secretKeys } from "./pod-sources.js";

/** Exact UTF-8 (a leading BOM kept); invalid bytes throw instead of becoming U+FFFD. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A JSON value as an error message shows it. */
function shown(value: unknown): string {
  return value === undefined ? "nothing" : (JSON.stringify(value) ?? String(value));
}

/**
 * A Secret value as env text: valid UTF-8 passes byte for byte; other bytes are refused naming the key
 * (Docker's Env is a list of strings, so the bytes cannot be passed as they are; never mangled silently).
 */
function secretText(bytes: Uint8Array, key: string, secret: string): { text: string } | { problem: string } {
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return {
      problem: `key "${key}" of secret "${secret}" is not valid UTF-8: the engine passes env as text, so binary data cannot be an environment variable (mount the secret as a volume instead)`,
    };
  }
}

/** Returns why `name` cannot be an environment variable name, or undefined. */
export function checkEnvName(name: string): string | undefined {
  if (name.length === 0) {
    return "must not be empty";
  }
  if (name.includes("=")) {
    return "must not contain '='";
  }
  if (name.includes("\0")) {
    return "must not contain NUL";
  }
  return undefined;
}

interface EnvEntry {
  value: string;
  secret: boolean;
}

/**
 * A container's environment exactly as the kubelet builds it: `envFrom` sources in order (later ones win),
 * then `env` entries in order (they win over `envFrom`; a later duplicate wins). `$(VAR)` in an `env` value is
 * expanded from the variables defined before it; values from references are never expanded. An optional
 * reference that is missing leaves the variable unset.
 */
export function resolveContainerEnv(
  container: Container,
  path: string,
  sources: PodSources,
  context: DownwardContext,
  issues: IssueCollector,
  /** false: `value`s are taken as they are (interLink already expanded them); default true (kubelet). */
  expand = true,
): EnvVarPlan[] {
  const env = new Map<string, EnvEntry>();
  const set = (name: string, entry: EnvEntry): void => {
    env.delete(name);
    env.set(name, entry);
  };

  const envFrom = container.envFrom ?? [];
  const envList = container.env ?? [];
  if (!Array.isArray(envFrom)) {
    issues.error(`${path}.envFrom`, `must be a list, got ${shown(envFrom)}`);
  }
  if (!Array.isArray(envList)) {
    issues.error(`${path}.env`, `must be a list, got ${shown(envList)}`);
  }

  (Array.isArray(envFrom) ? envFrom : []).forEach((source, index) => {
    const sourcePath = `${path}.envFrom[${index}]`;
    if (source === null || typeof source !== "object") {
      issues.error(sourcePath, `must be an object, got ${shown(source)}`);
      return;
    }
    const prefix = source.prefix ?? "";
    if (typeof prefix !== "string") {
      issues.error(`${sourcePath}.prefix`, `must be a string, got ${shown(prefix)}`);
      return;
    }
    if (source.configMapRef && source.secretRef) {
      issues.error(sourcePath, "exactly one of configMapRef or secretRef may be set");
      return;
    }
    if (source.configMapRef) {
      const ref = source.configMapRef;
      const configMap = sources.configMaps.get(ref.name ?? "");
      if (!configMap) {
        if (!ref.optional) {
          issues.error(`${sourcePath}.configMapRef`, `configmap "${ref.name ?? ""}" was not sent`);
        }
        return;
      }
      for (const key of Object.keys(configMap.data ?? {})) {
        addFromSource(`${prefix}${key}`, configMap.data?.[key] ?? "", false, `${sourcePath}.configMapRef`);
      }
      return;
    }
    if (source.secretRef) {
      const ref = source.secretRef;
      const secret = sources.secrets.get(ref.name ?? "");
      if (!secret) {
        if (!ref.optional) {
          issues.error(`${sourcePath}.secretRef`, `secret "${ref.name ?? ""}" was not sent`);
        }
        return;
      }
      for (const key of secretKeys(secret)) {
        const lookup = secretKeyBytes(secret, key);
        if (!lookup.found) {
          issues.error(`${sourcePath}.secretRef`, lookup.reason ?? `key "${key}" missing`);
          continue;
        }
        const decoded = secretText(lookup.bytes, key, ref.name ?? "");
        if ("problem" in decoded) {
          issues.error(`${sourcePath}.secretRef`, decoded.problem);
          continue;
        }
        addFromSource(`${prefix}${key}`, decoded.text, true, `${sourcePath}.secretRef`);
      }
      return;
    }
    issues.error(sourcePath, "one of configMapRef or secretRef is required");
  });

  function addFromSource(name: string, value: unknown, secret: boolean, sourcePath: string): void {
    if (typeof value !== "string") {
      issues.error(sourcePath, `key "${name}" must have a string value, got ${shown(value)}`);
      return;
    }
    const problem = checkEnvName(name) ?? (value.includes("\0") ? "value contains NUL" : undefined);
    if (problem) {
      issues.warn(sourcePath, `key "${name}" skipped: ${problem}`);
      return;
    }
    set(name, { value, secret });
  }

  (Array.isArray(envList) ? envList : []).forEach((variable, index) => {
    const variablePath = `${path}.env[${index}]`;
    if (variable === null || typeof variable !== "object") {
      issues.error(variablePath, `must be an object with a name, got ${shown(variable)}`);
      return;
    }
    if (typeof variable.name !== "string") {
      issues.error(
        `${variablePath}.name`,
        variable.name === undefined || variable.name === null
          ? "is required"
          : `must be a string, got ${shown(variable.name)}`,
      );
      return;
    }
    const nameProblem = checkEnvName(variable.name);
    if (nameProblem) {
      issues.error(`${variablePath}.name`, nameProblem);
      return;
    }
    const resolved = resolveEnvValue(variable, variablePath);
    if (resolved === undefined) {
      return;
    }
    if (resolved.value.includes("\0")) {
      issues.error(variablePath, "value must not contain NUL");
      return;
    }
    set(variable.name, resolved);
  });

  function resolveEnvValue(
    variable: NonNullable<Container["env"]>[number],
    variablePath: string,
  ): EnvEntry | undefined {
    const from = variable.valueFrom;
    if (!from) {
      // A value built from a secret variable is secret too.
      let secret = false;
      const lookup = (name: string): string | undefined => {
        const entry = env.get(name);
        secret ||= entry?.secret === true;
        return entry?.value;
      };
      if (variable.value !== undefined && variable.value !== null && typeof variable.value !== "string") {
        issues.error(`${variablePath}.value`, `must be a string, got ${JSON.stringify(variable.value)}`);
        return undefined;
      }
      const value = expand ? expandVariables(variable.value ?? "", lookup) : (variable.value ?? "");
      return { value, secret };
    }
    if (variable.value !== undefined && variable.value !== "") {
      issues.error(variablePath, "value and valueFrom are mutually exclusive");
      return undefined;
    }
    const fromPath = `${variablePath}.valueFrom`;
    const set = [from.configMapKeyRef, from.secretKeyRef, from.fieldRef, from.resourceFieldRef].filter(
      Boolean,
    );
    if (set.length !== 1) {
      issues.error(
        fromPath,
        "exactly one of configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef is required",
      );
      return undefined;
    }
    if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const refPath = `${fromPath}.configMapKeyRef`;
      const configMap = sources.configMaps.get(ref.name ?? "");
      if (!configMap) {
        if (!ref.optional) {
          issues.error(refPath, `configmap "${ref.name ?? ""}" was not sent`);
        }
        return undefined;
      }
      const text: unknown = configMap.data?.[ref.key];
      if (text !== undefined && text !== null && typeof text !== "string") {
        issues.error(
          refPath,
          `key "${ref.key}" of configmap "${ref.name ?? ""}" must be a string, got ${shown(text)}`,
        );
        return undefined;
      }
      if (text === undefined || text === null) {
        if (!ref.optional) {
          const hint = configMapKeys(configMap).includes(ref.key)
            ? " (binaryData cannot be used in env)"
            : "";
          issues.error(refPath, `key "${ref.key}" not found in configmap "${ref.name ?? ""}"${hint}`);
        }
        return undefined;
      }
      return { value: text, secret: false };
    }
    if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const refPath = `${fromPath}.secretKeyRef`;
      const secret = sources.secrets.get(ref.name ?? "");
      if (!secret) {
        if (!ref.optional) {
          issues.error(refPath, `secret "${ref.name ?? ""}" was not sent`);
        }
        return undefined;
      }
      const lookup = secretKeyBytes(secret, ref.key);
      if (!lookup.found) {
        if (lookup.reason) {
          issues.error(refPath, lookup.reason);
        } else if (!ref.optional) {
          issues.error(refPath, `key "${ref.key}" not found in secret "${ref.name ?? ""}"`);
        }
        return undefined;
      }
      const decoded = secretText(lookup.bytes, ref.key, ref.name ?? "");
      if ("problem" in decoded) {
        issues.error(refPath, decoded.problem);
        return undefined;
      }
      return { value: decoded.text, secret: true };
    }
    if (from.fieldRef) {
      const resolution = resolveFieldPath(from.fieldRef.fieldPath, context, false);
      if (!resolution.ok) {
        issues.error(`${fromPath}.fieldRef.fieldPath`, resolution.message);
        return undefined;
      }
      return { value: resolution.value, secret: false };
    }
    const ref = from.resourceFieldRef;
    if (!ref) {
      return undefined;
    }
    if (ref.containerName && ref.containerName !== container.name) {
      issues.error(`${fromPath}.resourceFieldRef.containerName`, "must be this container's name in env");
      return undefined;
    }
    const resolution = resolveResourceField(ref.resource, ref.divisor, container, context);
    if (!resolution.ok) {
      if (resolution.soft) {
        issues.warn(`${fromPath}.resourceFieldRef`, `${resolution.message}; ${variable.name} is left unset`);
      } else {
        issues.error(`${fromPath}.resourceFieldRef`, resolution.message);
      }
      return undefined;
    }
    return { value: resolution.value, secret: false };
  }

  return [...env].map(([name, entry]) =>
    entry.secret ? { name, value: entry.value, secret: true } : { name, value: entry.value },
  );
}

/** Expands `$(VAR)` in each element of `command`/`args` from the container's final environment. */
export function expandArgv(argv: readonly string[], env: readonly EnvVarPlan[]): string[] {
  const values = new Map(env.map((variable) => [variable.name, variable.value]));
  return argv.map((argument) => expandVariables(argument, (name) => values.get(name)));
}
