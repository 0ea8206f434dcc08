import type { Secret } from "./wire-types.js";

/**
 * The files of a Secret as bytes: `data` values are base64-decoded, `stringData` values (never sent by
 * interLink, but allowed in hand-written payloads) are UTF-8 and win over `data` like in Kubernetes.
 */
export function decodeSecretData(secret: Pick<Secret, "data" | "stringData">): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    out[key] = Buffer.from(value, "base64");
  }
  for (const [key, value] of Object.entries(secret.stringData ?? {})) {
    out[key] = Buffer.from(value, "utf8");
  }
  return out;
}
