/** Schemas of GET /status: a list of v1.Pod (empty = ping) and the list of PodStatus answered. */
import { z } from "zod";
import { listOrNull, nonEmptyString, optionalList } from "./helpers.js";
import { podMetadataSchema, podSpecSchema } from "./pod-schemas.js";

/** A pod in a status request: metadata is required, the spec is checked when present. */
export const statusPodSchema = z
  .looseObject({
    metadata: podMetadataSchema,
    spec: podSpecSchema.nullish().transform((value) => value ?? undefined),
  })
  .meta({
    description: "The VK's current copy of a v1.Pod (metadata.name, namespace and uid are required).",
  });

export const statusRequestSchema = z.array(statusPodSchema).meta({
  description: "Body of GET /status: the pods to report (one per request since 0.5.0). `[]` is the ping.",
});

const stateWaitingSchema = z.looseObject({ reason: z.string().nullish(), message: z.string().nullish() });
const stateRunningSchema = z.looseObject({ startedAt: z.string().nullish() });
const stateTerminatedSchema = z.looseObject({
  exitCode: z.int(),
  signal: z.int().nullish(),
  reason: z.string().nullish(),
  message: z.string().nullish(),
  startedAt: z.string().nullish(),
  finishedAt: z.string().nullish(),
  containerID: z.string().nullish(),
});

export const containerStateSchema = z.looseObject({
  waiting: stateWaitingSchema.nullish(),
  running: stateRunningSchema.nullish(),
  terminated: stateTerminatedSchema.nullish(),
});

export const containerStatusSchema = z
  .looseObject({
    name: nonEmptyString(),
    state: containerStateSchema.nullish(),
    lastState: containerStateSchema.nullish(),
    ready: z.boolean().nullish(),
    restartCount: z.int().nullish(),
    image: z.string().nullish(),
    imageID: z.string().nullish(),
    containerID: z.string().nullish(),
    started: z.boolean().nullish(),
  })
  .meta({ description: "A v1.ContainerStatus: one of state.waiting / running / terminated." });

export const podStatusSchema = z
  .looseObject({
    name: nonEmptyString(),
    UID: nonEmptyString(),
    namespace: z.string(),
    JID: z.string().nullish(),
    nodeName: z
      .string()
      .nullish()
      .meta({ description: "The host the pod landed on (optional; newer interLink reads it)." }),
    containers: listOrNull(containerStatusSchema),
    initContainers: optionalList(containerStatusSchema),
  })
  .meta({ description: "One pod's status. `name` must be non-empty or the VK skips it." });

export const statusResponseSchema = z
  .array(podStatusSchema)
  .meta({ description: "Answer of GET /status: one PodStatus per known pod." });
