import { parseDeleteRequest } from "@ild/interlink-api";
import { parseJsonBody, readBody, sendText } from "../http-io.js";
import { checkPodUid } from "../pod-identity.js";
import type { RouteHandler } from "../route-context.js";
import { toHttpError } from "../to-http-error.js";

/**
 * POST /delete: the v1.Pod being deleted. Stops and removes the pod (its sandbox, files and device
 * bookings). Idempotent: an unknown or already deleted pod is a 200 too.
 */
export const handleDelete: RouteHandler = async (context, { deps, creates }) => {
  const body = parseJsonBody(await readBody(context.request, deps.settings.bodyLimitBytes));
  const pod = parseDeleteRequest(body);
  const uid = pod.metadata.uid;
  checkPodUid("delete request", "metadata.uid", uid);
  context.podUid = uid;
  const name = `${pod.metadata.namespace ?? "?"}/${pod.metadata.name ?? "?"}`;
  await deps.ready;
  try {
    await creates.cancel(uid, "the pod was deleted while it was being created");
    const grace =
      pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? undefined;
    await deps.runner.stop(uid, {
      ...(typeof grace === "number" ? { gracePeriodSeconds: grace } : {}),
    });
  } catch (error) {
    throw toHttpError(error, `ild could not delete pod ${name} (${uid})`);
  }
  sendText(context.response, 200, `ild: pod ${name} (${uid}) deleted`);
};
