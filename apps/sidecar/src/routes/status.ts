import { parseStatusRequest } from "@ild/interlink-api";
import { parseJsonBody, readBody, sendJson } from "../http-io.js";
import { buildPingResponse } from "../ping.js";
import { checkPodUid } from "../pod-identity.js";
import type { RouteHandler } from "../route-context.js";
import { toPodStatus } from "../status-view.js";

/**
 * GET /status: a list of pods → a list of PodStatus (containers AND initContainers); an unknown pod is
 * `waiting` with a message, never an HTTP error. `[]` is interLink's ping: a PingResponse, at once.
 */
export const handleStatus: RouteHandler = async (context, { deps, creates }) => {
  const body = parseJsonBody(await readBody(context.request, deps.settings.bodyLimitBytes));
  const pods = parseStatusRequest(body);
  if (pods.length === 0) {
    context.log.ping = true;
    sendJson(context.response, 200, buildPingResponse(deps.settings.ping, deps.deviceCapacity ?? (() => [])));
    return;
  }
  for (const [index, pod] of pods.entries()) {
    checkPodUid("status request", `[${index}].metadata.uid`, pod.metadata.uid);
  }
  if (pods.length === 1 && pods[0] !== undefined) {
    context.podUid = pods[0].metadata.uid;
  } else {
    context.log.pods = pods.length;
  }
  await deps.ready;
  const answer = pods.map((pod) => {
    const result = deps.runner.status(pod.metadata.uid, {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      containers: (pod.spec?.containers ?? []).map((container) => container.name),
      initContainers: (pod.spec?.initContainers ?? []).map((container) => container.name),
    });
    return toPodStatus(pod, result, creates.has(pod.metadata.uid));
  });
  sendJson(context.response, 200, answer);
};
