import type { Secret } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "./issues.js";
import type { PullPolicy, RegistryAuth } from "./plan-types.js";
import { decodeBase64 } from "./pod-sources.js";

export const DOCKER_HUB = "docker.io";

/** Splits an image reference into registry host, repository path, tag and digest. */
export function parseImageReference(image: string): {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
} {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > rest.lastIndexOf("/")) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
  }
  const slash = rest.indexOf("/");
  const first = slash === -1 ? "" : rest.slice(0, slash);
  const hasRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  const registry = hasRegistry ? normalizeRegistry(first) : DOCKER_HUB;
  const repository = hasRegistry ? rest.slice(slash + 1) : rest;
  const result: { registry: string; repository: string; tag?: string; digest?: string } = {
    registry,
    repository,
  };
  if (tag !== undefined) {
    result.tag = tag;
  }
  if (digest !== undefined) {
    result.digest = digest;
  }
  return result;
}

/** Kubernetes' imagePullPolicy defaulting: `:latest` or no tag (and no digest) → Always, else IfNotPresent. */
export function defaultPullPolicy(image: string): PullPolicy {
  const reference = parseImageReference(image);
  if (reference.digest !== undefined) {
    return "IfNotPresent";
  }
  return reference.tag === undefined || reference.tag === "latest" ? "Always" : "IfNotPresent";
}

/** `https://index.docker.io/v1/` → `docker.io`; `registry.example.org:5000/x` → `registry.example.org:5000`. */
export function normalizeRegistry(value: string): string {
  let host = value.trim().replace(/^[a-z]+:\/\//i, "");
  host = host.split("/")[0] ?? host;
  host = host.toLowerCase();
  if (host === "index.docker.io" || host === "registry-1.docker.io" || host === "registry.hub.docker.com") {
    return DOCKER_HUB;
  }
  return host;
}

interface DockerConfigEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
}

/** Registry credentials from `kubernetes.io/dockerconfigjson` and `kubernetes.io/dockercfg` secrets. */
export function registryAuthsFromSecret(
  secret: Secret,
  path: string,
  issues: IssueCollector,
): RegistryAuth[] {
  const name = secret.metadata?.name ?? "";
  const raw = secret.data?.[".dockerconfigjson"] ?? secret.data?.[".dockercfg"];
  const legacy = secret.data?.[".dockerconfigjson"] === undefined;
  if (raw === undefined || raw === null) {
    issues.warn(
      path,
      `secret "${name}" holds no .dockerconfigjson or .dockercfg; no registry auth taken from it`,
    );
    return [];
  }
  const bytes = decodeBase64(raw);
  let parsed: unknown;
  try {
    parsed = bytes === undefined ? undefined : JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null) {
    issues.error(path, `secret "${name}" does not hold a valid docker config`);
    return [];
  }
  const auths = legacy ? parsed : (parsed as { auths?: unknown }).auths;
  if (typeof auths !== "object" || auths === null) {
    issues.error(path, `secret "${name}": docker config has no "auths"`);
    return [];
  }
  const result: RegistryAuth[] = [];
  for (const [registry, value] of Object.entries(auths as Record<string, unknown>)) {
    if (typeof value !== "object" || value === null) {
      continue;
    }
    const entry = value as DockerConfigEntry;
    const auth: RegistryAuth = { registry: normalizeRegistry(registry) };
    let { username, password } = entry;
    if ((username === undefined || password === undefined) && typeof entry.auth === "string") {
      const decoded = decodeBase64(entry.auth);
      const text = decoded === undefined ? "" : new TextDecoder().decode(decoded);
      const colon = text.indexOf(":");
      if (colon !== -1) {
        username ??= text.slice(0, colon);
        password ??= text.slice(colon + 1);
      }
    }
    if (typeof username === "string") {
      auth.username = username;
    }
    if (typeof password === "string") {
      auth.password = password;
    }
    if (typeof entry.auth === "string") {
      auth.auth = entry.auth;
    }
    if (typeof entry.identitytoken === "string") {
      auth.identitytoken = entry.identitytoken;
    }
    result.push(auth);
  }
  return result;
}

/** The first credentials matching the image's registry host. */
export function findRegistryAuth(image: string, auths: readonly RegistryAuth[]): RegistryAuth | undefined {
  const registry = parseImageReference(image).registry;
  return auths.find((auth) => auth.registry === registry);
}
