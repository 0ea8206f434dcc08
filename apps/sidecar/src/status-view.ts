import type { ContainerStatus, PodStatus, StatusPod } from "@ild/interlink-api";
import type { StatusResult } from "@ild/pod-runner";

export interface WaitingReason {
  reason: string;
  message: string;
}

export const CREATING: WaitingReason = {
  reason: "ContainerCreating",
  message: "ild is creating the pod's sandbox and containers",
};

export const UNKNOWN_POD: WaitingReason = {
  reason: "PodUnknownToProvider",
  message: "ild has no record of this pod: its /create has not arrived yet, or the pod was deleted",
};

/**
 * The PodStatus interLink gets for one requested pod. Every container and init container of the pod's
 * spec gets an entry: the runner's when it has one, else `waiting` with a reason. An empty list would be
 * dangerous: the VK counts only the statuses it receives, so "all zero containers terminated" could end
 * the pod.
 */
export function toPodStatus(
  pod: StatusPod,
  result: StatusResult,
  creating: boolean,
  nodeName?: string,
): PodStatus {
  const status = result.status;
  const waiting = creating || result.found ? CREATING : UNKNOWN_POD;
  // An unknown pod (or one still being created) has nothing real to report: say why it waits.
  const reported = (list: ContainerStatus[] | null | undefined) => (result.found ? (list ?? []) : []);
  const reportedContainers = reported(status.containers);
  const reportedInit = reported(status.initContainers);
  // A native sidecar (an init container with restartPolicy Always) is reported once, where the runner
  // puts it (`containers` by default): no placeholder for it in the other list.
  const inContainers = new Set(reportedContainers.map((entry) => entry.name));
  const inInit = new Set(reportedInit.map((entry) => entry.name));
  const containers = fill(
    reportedContainers,
    (pod.spec?.containers ?? []).filter((container) => !inInit.has(container.name)),
    waiting,
  );
  const initContainers = fill(
    reportedInit,
    (pod.spec?.initContainers ?? []).filter((container) => !inContainers.has(container.name)),
    waiting,
  );
  const answer: PodStatus = {
    name: status.name || pod.metadata.name,
    UID: status.UID || pod.metadata.uid,
    namespace: status.namespace || pod.metadata.namespace,
    containers,
    initContainers,
  };
  if (status.JID !== undefined && status.JID !== "") {
    answer.JID = status.JID;
  }
  if (result.found && nodeName !== undefined && nodeName !== "") {
    answer.nodeName = nodeName;
  }
  return answer;
}

function fill(
  reported: ContainerStatus[],
  spec: Array<{ name: string; image?: string | undefined }>,
  waiting: WaitingReason,
): ContainerStatus[] {
  const byName = new Map(reported.map((entry) => [entry.name, entry]));
  const result: ContainerStatus[] = spec.map(
    (container) =>
      byName.get(container.name) ?? {
        name: container.name,
        state: { waiting: { reason: waiting.reason, message: waiting.message } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: container.image ?? "",
        imageID: "",
      },
  );
  const known = new Set(spec.map((container) => container.name));
  for (const entry of reported) {
    if (!known.has(entry.name)) {
      result.push(entry);
    }
  }
  return result;
}
