import { randomUUID } from "node:crypto";
import type { RetrievedContainer, RetrievedPodData } from "@ild/interlink-api";
import type { PodSpec } from "kubernetes-types/core/v1.js";

export const BUSYBOX = "ild/busybox:1";
export const PYTHON = "ild/python:3-slim-offline";

/** A pod as interLink sends it, with a fresh UID. */
export function podInput(
  name: string,
  spec: PodSpec,
  extra: { annotations?: Record<string, string>; containers?: RetrievedContainer[]; namespace?: string } = {},
): RetrievedPodData {
  return {
    pod: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: extra.namespace ?? "default",
        uid: randomUUID(),
        ...(extra.annotations ? { annotations: extra.annotations } : {}),
      },
      spec,
    },
    container: extra.containers ?? spec.containers.map((container) => ({ name: container.name })),
  };
}

/** A busybox container running a shell script (argv: sh -c <script>). */
export function shell(name: string, script: string, image = BUSYBOX) {
  return { name, image, command: ["sh", "-c", script] };
}
