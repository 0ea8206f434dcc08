import { buildOpenApiDocument } from "@ild/interlink-api";

let cached: Record<string, unknown> | undefined;

/**
 * The OpenAPI document of the plugin API: @ild/interlink-api's `buildOpenApiDocument()` (the wire format
 * as interLink really sends it), extended with the sidecar's operator routes. Built once.
 */
export function buildOpenApi(): unknown {
  if (cached !== undefined) {
    return cached;
  }
  const document = buildOpenApiDocument() as Record<string, unknown>;
  const paths = { ...((document.paths as Record<string, unknown> | undefined) ?? {}) };
  paths["/healthz"] = {
    get: {
      summary: "Liveness of the sidecar, with pool and pod counts (no token needed)",
      responses: { "200": { description: "ok" } },
    },
  };
  paths["/metrics"] = {
    get: {
      summary: "Prometheus metrics (text format 0.0.4)",
      responses: { "200": { description: "metrics", content: { "text/plain": {} } } },
    },
  };
  cached = { ...document, paths };
  return cached;
}
