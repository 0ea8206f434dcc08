import { hostname } from "node:os";
import type { CreateStruct, PodStatus } from "@ild/interlink-api";
import type { RequestContext as PluginContext, PluginImplementation } from "@ild/interlink-api/server";
import type { LogRequestOptions, PodHandle } from "@ild/pod-runner";
import type { CreateRegistry } from "./create-registry.js";
import { HttpError } from "./errors.js";
import { checkCreateCapacity } from "./limits.js";
import { buildPingResponse } from "./ping.js";
import { checkContainerName, checkContainerNames, checkPodIdentity, checkPodUid } from "./pod-identity.js";
import type { RequestContext, ServerDependencies } from "./route-context.js";
import { toPodStatus } from "./status-view.js";
import { toHttpError } from "./to-http-error.js";

/**
 * The sidecar's answers to interLink's four calls, as @ild/interlink-api's server layer wants them: plain
 * functions on parsed, validated wire objects. `contextOf` finds the request's own context (pod UID and
 * extra fields for its log line) from the abort signal the server layer passes through.
 */
export function createSidecarPlugin(
  deps: ServerDependencies,
  creates: CreateRegistry,
  contextOf: (context: PluginContext) => RequestContext | undefined,
): PluginImplementation {
  const note = (
    context: PluginContext,
    podUid: string | undefined,
    fields: Record<string, unknown> = {},
    namespace?: string,
  ) => {
    const own = contextOf(context);
    if (own !== undefined) {
      if (podUid !== undefined) {
        own.podUid = podUid;
      }
      if (namespace !== undefined) {
        own.namespace = namespace;
      }
      Object.assign(own.log, fields);
    }
  };

  // the host the pods land on, for PodStatus.nodeName
  const nodeName = hostname();
  return {
    /** Exactly one `{PodUID, PodJID}` once the sandbox and the containers exist; idempotent per pod UID. */
    async create(data, context): Promise<CreateStruct> {
      const started = performance.now();
      const pod = data.pod;
      checkPodIdentity("create request", "pod.", pod.metadata);
      checkContainerNames("create request", "pod.", pod.spec);
      const uid = pod.metadata.uid;
      note(context, uid, { pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, pod.metadata.namespace);
      const span = contextOf(context)?.span;
      const waiting = span?.child("create: wait for recovery");
      await deps.ready;
      waiting?.end();
      const action = `ild could not create pod ${pod.metadata.namespace}/${pod.metadata.name} (${uid})`;
      checkCreateCapacity(creates, deps.settings, uid, `${pod.metadata.namespace}/${pod.metadata.name}`);
      let outcome = "error";
      // one deadline for the whole create, the wait for a slot included (interLink's 120 s budget)
      const deadline = AbortSignal.timeout(deps.settings.createTimeoutMs);
      try {
        const handle = await creates.run(
          uid,
          async (signal) => {
            const starting = span?.child("create: start pod");
            const result = await deps.runner
              // No engine here: the runner applies Ild.engine.default, and the pod's ild.io/engine
              // annotation when Ild.engine.allowPodOverride is true (an explicit engine would override it).
              .start(data, { signal: AbortSignal.any([signal, deadline]) })
              .then(
                (value) => {
                  starting?.end();
                  return value;
                },
                (error: unknown) => {
                  starting?.end(error);
                  throw error;
                },
              );
            if (typeof (result as PodHandle).jobId !== "string") {
              throw new HttpError(500, "ILD_SIDECAR_INTERNAL", `${action}: the runner answered a dry run`);
            }
            return result as PodHandle;
          },
          deadline,
        );
        outcome = "created";
        note(context, uid, { jobId: handle.jobId });
        return { PodUID: uid, PodJID: handle.jobId };
      } catch (error) {
        throw toHttpError(error, action);
      } finally {
        deps.metrics.createDuration.observe({ outcome }, (performance.now() - started) / 1000);
      }
    },

    /** Every container and init container of every pod; unknown pods are `waiting` with a message. */
    async status(pods, context): Promise<PodStatus[]> {
      for (const [index, pod] of pods.entries()) {
        checkPodUid("status request", `[${index}].metadata.uid`, pod.metadata.uid);
      }
      if (pods.length === 1) {
        note(context, pods[0]?.metadata.uid, {}, pods[0]?.metadata.namespace);
      } else {
        note(context, undefined, { pods: pods.length });
      }
      await deps.ready;
      return pods.map((pod) => {
        const result = deps.runner.status(pod.metadata.uid, {
          name: pod.metadata.name,
          namespace: pod.metadata.namespace,
          containers: (pod.spec?.containers ?? []).map((container) => container.name),
          initContainers: (pod.spec?.initContainers ?? []).map((container) => container.name),
        });
        return toPodStatus(pod, result, creates.has(pod.metadata.uid), nodeName);
      });
    },

    /** `GET /status` with `[]`: answered at once from memory (capacity, accelerators, taints). */
    ping(context) {
      note(context, undefined, { ping: true });
      return buildPingResponse(deps.settings.ping, deps.deviceCapacity ?? (() => []));
    },

    /** Stops and removes the pod; an unknown or already deleted pod is a 200 too. */
    async delete(pod, context) {
      const uid = pod.metadata.uid;
      checkPodUid("delete request", "metadata.uid", uid);
      note(context, uid, {}, pod.metadata.namespace);
      const name = `${pod.metadata.namespace ?? "?"}/${pod.metadata.name ?? "?"}`;
      await deps.ready;
      try {
        await creates.cancel(uid, "the pod was deleted while it was being created");
        const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds;
        await deps.runner.stop(uid, typeof grace === "number" ? { gracePeriodSeconds: grace } : {});
      } catch (error) {
        throw toHttpError(error, `ild could not delete pod ${name} (${uid})`);
      }
      return `ild: pod ${name} (${uid}) deleted`;
    },

    /** Every LogStruct option; with Follow the stream stays open until the container ends. */
    async logs(request, context) {
      checkPodUid("log request", "PodUID", request.podUID);
      checkContainerName("log request", "ContainerName", request.containerName);
      note(
        context,
        request.podUID,
        {
          container: request.containerName,
          ...(request.follow ? { follow: true } : {}),
        },
        request.namespace,
      );
      await deps.ready;
      const options: LogRequestOptions = {
        timestamps: request.timestamps,
        follow: request.follow,
        previous: request.previous,
        signal: context.signal,
        ...(request.tail === undefined ? {} : { tail: request.tail }),
        ...(request.limitBytes === undefined ? {} : { limitBytes: request.limitBytes }),
        ...(request.sinceSeconds === undefined ? {} : { sinceSeconds: request.sinceSeconds }),
        ...(request.sinceTime === undefined ? {} : { sinceTime: request.sinceTime }),
      };
      try {
        const stream = await deps.runner.logs(request.podUID, request.containerName, options);
        return { stream };
      } catch (error) {
        throw toHttpError(
          error,
          `ild could not read the logs of container ${request.containerName} of pod ${request.namespace}/${request.podName} (${request.podUID})`,
        );
      }
    },
  };
}
