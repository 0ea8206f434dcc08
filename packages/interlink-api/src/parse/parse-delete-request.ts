import { deletePodSchema } from "../schemas/pod-schemas.js";
import type { DeletePod } from "../wire-types.js";
import { runSchema } from "./run-schema.js";

/** Checks a POST /delete body: the v1.Pod being deleted; only metadata.uid is required, the rest is kept. */
export function parseDeleteRequest(body: unknown): DeletePod {
  return runSchema(deletePodSchema, body, "delete request") as unknown as DeletePod;
}
