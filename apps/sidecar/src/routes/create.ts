import { parseCreateRequest } from "@ild/interlink-api";
import type { PodHandle } from "@ild/pod-runner";
import { HttpError } from "../errors.js";
import { parseJsonBody, readBody, sendJson } from "../http-io.js";
import { checkContainerNames, checkPodIdentity } from "../pod-identity.js";
import type { RouteHandler } from "../route-context.js";
import { toHttpError } from "../to-http-error.js";

const WHAT = "create request";

/**
 * POST /create: one RetrievedPodData (or interLink 0.4's one-element array). Answers exactly 200 with
 * `{PodUID, PodJID}` once the sandbox and the containers exist; idempotent per pod UID.
 */
export const handleCreate: RouteHandler = async (context, { deps, creates }) => {
  const started = performance.now();
  const body = parseJsonBody(await readBody(context.request, deps.settings.bodyLimitBytes));
  const data = parseCreateRequest(body);
  const prefix = Array.isArray(body) ? "[0].pod." : "pod.";
  const pod = data.pod;
  checkPodIdentity(WHAT, prefix, pod.metadata);
  checkContainerNames(WHAT, prefix, pod.spec);
  const uid = pod.metadata.uid;
  context.podUid = uid;
  context.log.pod = `${pod.metadata.namespace}/${pod.metadata.name}`;
  await deps.ready;
  const action = `ild could not create pod ${pod.metadata.namespace}/${pod.metadata.name} (${uid})`;
  let outcome = "error";
  try {
    const handle = await creates.run(uid, async (signal) => {
      const deadline = AbortSignal.timeout(deps.settings.createTimeoutMs);
      const result = await deps.runner.start(data, {
        signal: AbortSignal.any([signal, deadline]),
        ...(deps.settings.engine === undefined ? {} : { engine: deps.settings.engine }),
      });
      if (!isHandle(result)) {
        throw new HttpError(500, "ILD_SIDECAR_INTERNAL", `${action}: the runner answered a dry run`);
      }
      return result;
    });
    outcome = "created";
    context.log.jobId = handle.jobId;
    sendJson(context.response, 200, { PodUID: uid, PodJID: handle.jobId });
  } catch (error) {
    throw toHttpError(error, action);
  } finally {
    deps.metrics.createDuration.observe({ outcome }, (performance.now() - started) / 1000);
  }
};

function isHandle(value: unknown): value is PodHandle {
  return typeof value === "object" && value !== null && typeof (value as PodHandle).jobId === "string";
}

export { WHAT as CREATE_WHAT };
