import { Readable } from "node:stream";
import type { LogRequest, NormalizedRetrievedPodData, PodStatus, StatusPod } from "../wire-types.js";
import type { PluginImplementation, RequestContext } from "./plugin-handlers.js";

export interface Recorded {
  creates: NormalizedRetrievedPodData[];
  statusCalls: StatusPod[][];
  logs: LogRequest[];
  deletes: string[];
  contexts: RequestContext[];
}

/** A small in-memory plugin: remembers pods, reports them running, serves two log lines. */
export function samplePlugin(overrides: Partial<PluginImplementation> = {}): {
  implementation: PluginImplementation;
  recorded: Recorded;
} {
  const recorded: Recorded = { creates: [], statusCalls: [], logs: [], deletes: [], contexts: [] };
  const implementation: PluginImplementation = {
    create(data, context) {
      recorded.creates.push(data);
      recorded.contexts.push(context);
      return { PodUID: data.pod.metadata.uid, PodJID: `job-${recorded.creates.length}` };
    },
    status(pods, context) {
      recorded.statusCalls.push(pods);
      recorded.contexts.push(context);
      return pods.map(
        (pod): PodStatus => ({
          name: pod.metadata.name,
          UID: pod.metadata.uid,
          namespace: pod.metadata.namespace,
          containers: (pod.spec?.containers ?? []).map((container) => ({
            name: container.name,
            image: container.image ?? "",
            imageID: "",
            ready: true,
            restartCount: 0,
            state: { running: { startedAt: "2026-07-14T09:01:10Z" } },
          })),
        }),
      );
    },
    logs(request, context) {
      recorded.logs.push(request);
      recorded.contexts.push(context);
      return { stream: Readable.from([`hello from ${request.containerName}\n`, "bye\n"]) };
    },
    delete(pod, context) {
      recorded.deletes.push(pod.metadata.uid);
      recorded.contexts.push(context);
      return undefined;
    },
    ...overrides,
  };
  return { implementation, recorded };
}
