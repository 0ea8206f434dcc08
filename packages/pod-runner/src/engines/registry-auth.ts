import type { RegistryCredentials } from "@ild/dind-pool";
import type { RegistryAuth } from "@ild/pod-translator";

/** The registry host of an image reference (`docker.io` when none is named). */
export function registryOf(image: string): string {
  const first = image.split("/")[0] ?? "";
  if (image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) {
    return first;
  }
  return "docker.io";
}

export function credentialsFor(image: string, auths: RegistryAuth[]): RegistryCredentials | undefined {
  const registry = registryOf(image);
  const aliases =
    registry === "docker.io" ? ["docker.io", "index.docker.io", "registry-1.docker.io"] : [registry];
  const match = auths.find((auth) => {
    const host = auth.registry.replace(/^https?:\/\//, "").split("/")[0] ?? "";
    return aliases.includes(host);
  });
  if (match === undefined) {
    return undefined;
  }
  return {
    serveraddress: match.registry,
    ...(match.username !== undefined ? { username: match.username } : {}),
    ...(match.password !== undefined ? { password: match.password } : {}),
    ...(match.auth !== undefined ? { auth: match.auth } : {}),
    ...(match.identitytoken !== undefined ? { identitytoken: match.identitytoken } : {}),
  };
}
