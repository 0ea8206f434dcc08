import type { Container } from "kubernetes-types/core/v1.js";
import { type DownwardContext, resolveFieldPath, resolveResourceField } from "./downward-api.js";
import { expandVariables } from "./expand.js";
import type { IssueCollector } from "./issues.js";
import type { EnvVarPlan } from "./plan-types.js";
import { configMapKeys, type PodSources, secretKeyBytes, secretKeys } from "./pod-sources.js";

const utf8 = new TextDecoder("utf-8", { fatal: false });

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
): EnvVarPlan[] {
  const env = new Map<string, EnvEntry>();
  const set = (name: string, entry: EnvEntry): void => {
    env.delete(name);
    env.set(name, entry);
  };

  (container.envFrom ?? []).forEach((source, index) => {
    const sourcePath = `${path}.envFrom[${index}]`;
    const prefix = source.prefix ?? "";
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
        addFromSource(`${prefix}${key}`, utf8.decode(lookup.bytes), true, `${sourcePath}.secretRef`);
      }
      return;
    }
    issues.error(sourcePath, "one of configMapRef or secretRef is required");
  });

  function addFromSource(name: string, value: string, secret: boolean, sourcePath: string): void {
    const problem = checkEnvName(name) ?? (value.includes("\0") ? "value contains NUL" : undefined);
    if (problem) {
      issues.warn(sourcePath, `key "${name}" skipped: ${problem}`);
      return;
    }
    set(name, { value, secret });
  }

  (container.env ?? []).forEach((variable, index) => {
    const variablePath = `${path}.env[${index}]`;
    const nameProblem = checkEnvName(variable.name ?? "");
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
      const value = expandVariables(variable.value ?? "", lookup);
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
      const text = configMap.data?.[ref.key];
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
      return { value: utf8.decode(lookup.bytes), secret: true };
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
