import { randomUUID } from "node:crypto";
import type { Pod, RetrievedContainer, RetrievedPodData } from "@ild/interlink-api";

type Container = NonNullable<NonNullable<Pod["spec"]>["containers"]>[number];

/** A pod as the VK sends it (abbreviated), with a fresh UUID. */
export function makePod(
  name: string,
  spec: Partial<NonNullable<Pod["spec"]>> & { containers: Container[] },
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString(),
      annotations: {},
    },
    spec: { restartPolicy: "Never", terminationGracePeriodSeconds: 2, nodeName: "virtual-kubelet", ...spec },
    status: { phase: "Pending", hostIP: "127.0.0.1", podIP: "127.0.0.1" },
  };
}

/** The RetrievedPodData interLink builds: init containers first, then containers, null lists. */
export function retrieved(
  pod: Pod,
  extra: Record<string, Partial<RetrievedContainer>> = {},
): RetrievedPodData {
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  return {
    pod,
    container: names.map((name) => ({
      name,
      configMaps: null,
      projectedvolumemaps: null,
      secrets: null,
      emptyDirs: null,
      ...(extra[name] ?? {}),
    })),
    jobConfig: {
      SingularityHubProxy: { server: "", master_token: "", cache_validity_seconds: 0 },
      ApptainerOptions: {},
      Volumes: {},
    },
  };
}

export const BUSYBOX = "ild/busybox:1";
export const PYTHON = "ild/python:3-slim-offline";
