import type { IldConfig } from "./config-types.js";

const REDACTED = "[redacted]";

/** A copy of the config that is safe to log: the auth token and an inline TLS key are hidden. */
export function redactConfig(config: IldConfig): IldConfig {
  const copy = structuredClone(config) as { -readonly [K in keyof IldConfig]: IldConfig[K] } & {
    server: { authToken?: string };
    docker: { tls?: { key?: string } };
  };
  if (copy.server.authToken !== undefined) {
    copy.server.authToken = REDACTED;
  }
  const key = copy.docker.tls?.key;
  if (key?.includes("-----BEGIN") && copy.docker.tls) {
    copy.docker.tls.key = REDACTED;
  }
  return copy;
}
