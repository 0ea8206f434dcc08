import { statusRequestSchema } from "../schemas/status-schemas.js";
import type { StatusPod } from "../wire-types.js";
import { runSchema } from "./run-schema.js";

/**
 * Checks a GET /status body: a list of v1.Pod of any length. An empty list is interLink's ping (see
 * isPingRequest). Throws WireValidationError with paths like `[0].metadata.uid`.
 */
export function parseStatusRequest(body: unknown): StatusPod[] {
  return runSchema(statusRequestSchema, body, "status request") as unknown as StatusPod[];
}

/** True for the ping: GET /status with the body `[]`. */
export function isPingRequest(pods: readonly unknown[]): boolean {
  return pods.length === 0;
}
