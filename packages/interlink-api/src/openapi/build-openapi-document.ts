import { z } from "zod";
import {
  configMapSchema,
  createStructSchema,
  jobConfigSchema,
  retrievedContainerSchema,
  retrievedPodDataSchema,
  secretSchema,
} from "../schemas/create-schemas.js";
import { containerLogOptsSchema, logStructSchema } from "../schemas/log-schemas.js";
import { pingResponseSchema } from "../schemas/ping-schemas.js";
import {
  containerSchema,
  deletePodSchema,
  podMetadataSchema,
  podSchema,
  podSpecSchema,
  volumeSchema,
} from "../schemas/pod-schemas.js";
import {
  containerStateSchema,
  containerStatusSchema,
  podStatusSchema,
  statusPodSchema,
} from "../schemas/status-schemas.js";

/** The wire format version these schemas were checked against. */
export const WIRE_CONTRACT_VERSION = "0.6.2";

type JsonObject = Record<string, unknown>;

const components: ReadonlyArray<[string, z.ZodType]> = [
  ["RetrievedPodData", retrievedPodDataSchema],
  ["RetrievedContainer", retrievedContainerSchema],
  ["ConfigMap", configMapSchema],
  ["Secret", secretSchema],
  ["JobConfig", jobConfigSchema],
  ["Pod", podSchema],
  ["PodSpec", podSpecSchema],
  ["PodMetadata", podMetadataSchema],
  ["Container", containerSchema],
  ["Volume", volumeSchema],
  ["CreateStruct", createStructSchema],
  ["StatusPod", statusPodSchema],
  ["PodStatus", podStatusSchema],
  ["ContainerStatus", containerStatusSchema],
  ["ContainerState", containerStateSchema],
  ["PingResponse", pingResponseSchema],
  ["LogStruct", logStructSchema],
  ["ContainerLogOpts", containerLogOptsSchema],
  ["DeletePod", deletePodSchema],
];

function componentSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of components) {
    registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, {
    io: "input",
    target: "draft-2020-12",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonObject> };
  const out: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema;
    out[id] = rest;
  }
  return out;
}

const ref = (id: string): JsonObject => ({ $ref: `#/components/schemas/${id}` });

const sessionHeader: JsonObject = {
  name: "InterLink-Http-Session",
  in: "header",
  required: false,
  description:
    "Session id set by interLink: `CreatePod#<n>`, `DeletePod#<n>`, `GetStatus#<n>`, `GetLogs#<n>`; `Request-<uuid>` for the ping.",
  schema: { type: "string" },
};

const textBody = (description: string): JsonObject => ({
  description,
  content: { "text/plain": { schema: { type: "string" } } },
});

const errors: JsonObject = {
  "400": textBody(
    "The body does not match the wire contract (or is not JSON). One `path: message` line per problem, e.g. `pod.metadata.uid: required`.",
  ),
  "500": textBody("The plugin failed. interLink shows this text in pod.status.message (HTML-escaped)."),
};

/**
 * The OpenAPI 3.1 document of the plugin API exactly as interLink calls it: four paths, GET requests
 * with JSON bodies, the ping as `GET /status` with `[]`, and only 200 as success. Schemas come from
 * the zod schemas of this package (request form; unknown fields allowed everywhere).
 */
export function buildOpenApiDocument(): JsonObject {
  return {
    openapi: "3.1.0",
    info: {
      title: "interLink plugin API",
      version: WIRE_CONTRACT_VERSION,
      description:
        "The HTTP API an interLink plugin serves, as interLink >= 0.5 really calls it (checked against 0.6.2). Transport: HTTP/1.1 over TCP or a unix socket. Only HTTP 200 counts as success. `GET /status` and `GET /getLogs` carry JSON bodies.",
    },
    paths: {
      "/create": {
        post: {
          operationId: "createPod",
          summary: "Create one pod",
          description:
            "Body: ONE RetrievedPodData object (interLink <= 0.4 sent a one-element array, also accepted). Must be idempotent per pod UID.",
          parameters: [sessionHeader],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  oneOf: [
                    ref("RetrievedPodData"),
                    { type: "array", items: ref("RetrievedPodData"), minItems: 1, maxItems: 1 },
                  ],
                },
              },
            },
          },
          responses: {
            "200": {
              description: "ONE CreateStruct object (a list makes the VK fail the pod).",
              content: { "application/json": { schema: ref("CreateStruct") } },
            },
            ...errors,
          },
        },
      },
      "/status": {
        get: {
          operationId: "getStatus",
          summary: "Pod statuses, or the ping",
          description:
            "GET with a JSON body: a list of v1.Pod (one per request since 0.5.0). The body `[]` is interLink's ping (every ~30 s): answer 200 quickly, optionally with a PingResponse. Unknown pods are reported as waiting, never with an HTTP error.",
          parameters: [sessionHeader],
          requestBody: {
            required: true,
            content: { "application/json": { schema: { type: "array", items: ref("StatusPod") } } },
          },
          responses: {
            "200": {
              description:
                "A list of PodStatus; for the ping any body, ideally a PingResponse (interLink >= 0.6.2).",
              content: {
                "application/json": {
                  schema: { oneOf: [{ type: "array", items: ref("PodStatus") }, ref("PingResponse")] },
                },
              },
            },
            ...errors,
          },
        },
      },
      "/getLogs": {
        get: {
          operationId: "getLogs",
          summary: "Container logs",
          description:
            "GET with a JSON LogStruct body. With Opts.Follow the answer stays open and is written incrementally until the container ends. interLink disconnecting cancels it.",
          parameters: [sessionHeader],
          requestBody: { required: true, content: { "application/json": { schema: ref("LogStruct") } } },
          responses: { "200": textBody("The raw log bytes, streamed."), ...errors },
        },
      },
      "/delete": {
        post: {
          operationId: "deletePod",
          summary: "Delete one pod",
          description:
            "Body: the v1.Pod being deleted, forwarded byte for byte. Idempotent: 200 also when it is already gone.",
          parameters: [sessionHeader],
          requestBody: { required: true, content: { "application/json": { schema: ref("DeletePod") } } },
          responses: { "200": textBody("Any text; interLink only logs it."), ...errors },
        },
      },
    },
    components: { schemas: componentSchemas() },
  };
}
