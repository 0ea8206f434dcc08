import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { RetrievedPodData } from "@ild/interlink-api";
import { loadAll } from "js-yaml";
import type { ConfigMap, Pod, Secret } from "kubernetes-types/core/v1.js";

/** Every object of a YAML/JSON file: multi-document streams and `kind: List` are flattened. */
export async function loadObjects(file: string): Promise<Array<Record<string, unknown>>> {
  const documents = loadAll(await readFile(file, "utf8")) as unknown[];
  const objects: Array<Record<string, unknown>> = [];
  for (const document of documents) {
    if (document === null || typeof document !== "object") {
      continue;
    }
    const object = document as Record<string, unknown>;
    if (object.kind === "List" && Array.isArray(object.items)) {
      objects.push(...(object.items as Array<Record<string, unknown>>));
    } else {
      objects.push(object);
    }
  }
  return objects;
}

/** Secrets from files may use `stringData`; interLink sends base64 `data` only. */
export function toWireSecret(secret: Secret): Secret {
  const data: Record<string, string> = { ...(secret.data ?? {}) };
  for (const [key, value] of Object.entries(secret.stringData ?? {})) {
    data[key] = Buffer.from(value, "utf8").toString("base64");
  }
  const { stringData: _ignored, ...rest } = secret;
  return { ...rest, data };
}

export interface RunContext {
  name?: string;
  namespace?: string;
  dryRun?: boolean;
  timeout?: string | number;
}

/** The pod as interLink would send it: every container gets all ConfigMaps and Secrets given. */
export function toRetrievedPodData(
  pod: Pod,
  configMaps: ConfigMap[],
  secrets: Secret[],
  context: RunContext = {},
): RetrievedPodData {
  const metadata = {
    ...pod.metadata,
    name: context.name ?? pod.metadata?.name ?? "ild-run",
    namespace: context.namespace ?? pod.metadata?.namespace ?? "default",
    uid: pod.metadata?.uid ?? randomUUID(),
  };
  const spec = pod.spec ?? { containers: [] };
  const names = [...(spec.initContainers ?? []), ...spec.containers].map((container) => container.name);
  return {
    pod: { ...pod, metadata },
    container: names.map((name) => ({ name, configMaps, secrets: secrets.map(toWireSecret) })),
  };
}
