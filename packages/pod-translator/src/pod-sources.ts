import type { RetrievedContainer } from "@ild/interlink-api";
import type { ConfigMap, Secret } from "kubernetes-types/core/v1.js";

/**
 * The objects interLink sent with a pod, looked up by name across all containers' lists: interLink sends
 * ConfigMaps and Secrets per container and only for volumes, so an env reference in one container may be
 * satisfied by an object sent for another.
 */
export interface PodSources {
  /** By the ConfigMap's own `metadata.name`. */
  configMaps: Map<string, ConfigMap>;
  /** By the Secret's own `metadata.name`; `data` values are base64. */
  secrets: Map<string, Secret>;
  /** interLink's pseudo-ConfigMaps of projected and downwardAPI volumes, by VOLUME name. */
  projected: Map<string, ConfigMap>;
}

export function collectPodSources(containers: readonly RetrievedContainer[] | null | undefined): PodSources {
  const sources: PodSources = { configMaps: new Map(), secrets: new Map(), projected: new Map() };
  for (const container of containers ?? []) {
    for (const configMap of container.configMaps ?? []) {
      const name = configMap?.metadata?.name;
      if (name !== undefined && !sources.configMaps.has(name)) {
        sources.configMaps.set(name, configMap);
      }
    }
    for (const secret of container.secrets ?? []) {
      const name = secret?.metadata?.name;
      if (name !== undefined && !sources.secrets.has(name)) {
        sources.secrets.set(name, secret);
      }
    }
    for (const projected of container.projectedvolumemaps ?? []) {
      const name = projected?.metadata?.name;
      if (name !== undefined && !sources.projected.has(name)) {
        sources.projected.set(name, projected);
      }
    }
  }
  return sources;
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (what Go's `[]byte` JSON encoding produces); undefined when malformed. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!base64Pattern.test(text)) {
    return undefined;
  }
  return new Uint8Array(Buffer.from(text, "base64"));
}

export type KeyLookup = { found: true; bytes: Uint8Array } | { found: false; reason?: string };

/** A Secret key's bytes (`data` is base64; `stringData`, which interLink never sends, is tolerated). */
export function secretKeyBytes(secret: Secret, key: string): KeyLookup {
  const encoded = secret.data?.[key];
  if (encoded !== undefined && encoded !== null) {
    const bytes = decodeBase64(encoded);
    return bytes === undefined
      ? {
          found: false,
          reason: `key "${key}" of secret "${secret.metadata?.name ?? ""}" is not valid base64`,
        }
      : { found: true, bytes };
  }
  const plain = secret.stringData?.[key];
  if (plain !== undefined && plain !== null) {
    return { found: true, bytes: new TextEncoder().encode(plain) };
  }
  return { found: false };
}

/** A ConfigMap key's bytes, from `data` (UTF-8) or `binaryData` (base64). */
export function configMapKeyBytes(configMap: ConfigMap, key: string): KeyLookup {
  const text = configMap.data?.[key];
  if (text !== undefined && text !== null) {
    return { found: true, bytes: new TextEncoder().encode(text) };
  }
  const encoded = configMap.binaryData?.[key];
  if (encoded !== undefined && encoded !== null) {
    const bytes = decodeBase64(encoded);
    return bytes === undefined
      ? {
          found: false,
          reason: `binaryData key "${key}" of configmap "${configMap.metadata?.name ?? ""}" is not valid base64`,
        }
      : { found: true, bytes };
  }
  return { found: false };
}

/** All keys of a Secret (`data` then `stringData`). */
export function secretKeys(secret: Secret): string[] {
  return [...new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})])];
}

/** All keys of a ConfigMap (`data` then `binaryData`). */
export function configMapKeys(configMap: ConfigMap): string[] {
  return [...new Set([...Object.keys(configMap.data ?? {}), ...Object.keys(configMap.binaryData ?? {})])];
}
