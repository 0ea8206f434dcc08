import * as interlinkApi from "@ild/interlink-api";

/**
 * The OpenAPI document of the plugin API: @ild/interlink-api's `buildOpenApiDocument()` (the wire format
 * as interLink really sends it), extended with the sidecar's own operator routes.
 */
export function buildOpenApi(): unknown {
  const build = (interlinkApi as Record<string, unknown>).buildOpenApiDocument;
  const document: Record<string, unknown> =
    typeof build === "function"
      ? ((build as () => Record<string, unknown>)() ?? {})
      : {
          openapi: "3.1.0",
          info: { title: "interLink plugin API (ild)", version: "0.0.0" },
          paths: {
            "/create": { post: { summary: "Create a pod (RetrievedPodData → CreateStruct)" } },
            "/status": { get: { summary: "Pod statuses ([]v1.Pod → []PodStatus); [] is the ping" } },
            "/getLogs": { get: { summary: "Container logs (LogStruct → text/plain, streamed with Follow)" } },
            "/delete": { post: { summary: "Delete a pod (v1.Pod); idempotent" } },
          },
        };
  const paths = { ...((document.paths as Record<string, unknown> | undefined) ?? {}) };
  paths["/healthz"] = {
    get: {
      summary: "Liveness of the sidecar (no token needed)",
      responses: { "200": { description: "ok" } },
    },
  };
  paths["/metrics"] = {
    get: {
      summary: "Prometheus metrics (text format 0.0.4)",
      responses: { "200": { description: "metrics", content: { "text/plain": {} } } },
    },
  };
  return { ...document, paths };
}
