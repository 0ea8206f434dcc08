import type { RetrievedContainer } from "@ild/interlink-api";
import type { ConfigMap, Secret } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "./issues.js";

/** Kubernetes' limit on a ConfigMap's or a Secret's data (core.MaxSecretSize): 1 MiB. */
export const MAX_OBJECT_DATA_BYTES = 1024 * 1024;

/** Bytes a base64 text decodes to (what the API server counts for binaryData and Secret data). */
function decodedLength(encoded: string): number {
  const padding = encoded.endsWith("==") ? 2 : encoded.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((encoded.length * 3) / 4) - padding);
}

function textLength(value: unknown): number {
  return typeof value === "string" ? Buffer.byteLength(value, "utf8") : 0;
}

function configMapBytes(configMap: ConfigMap): number {
  let total = 0;
  for (const value of Object.values(configMap.data ?? {})) {
    total += textLength(value);
  }
  for (const value of Object.values(configMap.binaryData ?? {})) {
    total += typeof value === "string" ? decodedLength(value) : 0;
  }
  return total;
}

function secretBytes(secret: Secret): number {
  let total = 0;
  for (const value of Object.values(secret.data ?? {})) {
    total += typeof value === "string" ? decodedLength(value) : 0;
  }
  for (const value of Object.values(secret.stringData ?? {})) {
    total += textLength(value);
  }
  return total;
}

/**
 * Refuses a ConfigMap or Secret interLink sent whose data is over 1 MiB, as the API server would
 * (`data` + `binaryData`, values only), naming the field of the request it came in.
 */
export function checkSourceSizes(
  containers: readonly RetrievedContainer[] | null | undefined,
  issues: IssueCollector,
): void {
  (containers ?? []).forEach((container, index) => {
    const check = (
      kind: string,
      list: string,
      objects: readonly unknown[] | null | undefined,
      size: (o: never) => number,
    ) => {
      (objects ?? []).forEach((object, position) => {
        if (object === null || typeof object !== "object") {
          return;
        }
        const bytes = size(object as never);
        if (bytes > MAX_OBJECT_DATA_BYTES) {
          const name = (object as { metadata?: { name?: unknown } }).metadata?.name;
          issues.error(
            `container[${index}].${list}[${position}]`,
            `${kind} ${JSON.stringify(typeof name === "string" ? name : "")} has ${bytes} bytes of data: must have at most ${MAX_OBJECT_DATA_BYTES} bytes (1 MiB, the Kubernetes limit)`,
          );
        }
      });
    };
    check("configmap", "configMaps", container?.configMaps, configMapBytes);
    check("secret", "secrets", container?.secrets, secretBytes);
  });
}
