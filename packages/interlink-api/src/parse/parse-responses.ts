import { createStructSchema } from "../schemas/create-schemas.js";
import { pingResponseSchema } from "../schemas/ping-schemas.js";
import { statusResponseSchema } from "../schemas/status-schemas.js";
import type { CreateStruct, PingResponse, PodStatus } from "../wire-types.js";
import { runSchema } from "./run-schema.js";

/** Checks a /create answer: ONE `{PodUID, PodJID}` object (a list is an error, as in the VK). */
export function parseCreateResponse(body: unknown): CreateStruct {
  return runSchema(createStructSchema, body, "create response") as CreateStruct;
}

/** Checks a /status answer: a list of PodStatus; null container lists become `[]`. */
export function parseStatusResponse(body: unknown): PodStatus[] {
  return runSchema(statusResponseSchema, body, "status response") as unknown as PodStatus[];
}

/**
 * Reads a ping answer the way the VK (>= 0.6.2) does: a PingResponse object when the body is one,
 * otherwise undefined (any 200 body is a successful ping).
 */
export function parsePingResponse(body: unknown): PingResponse | undefined {
  const result = pingResponseSchema.safeParse(body);
  return result.success ? (result.data as PingResponse) : undefined;
}
