import { WireValidationError } from "../errors.js";
import { retrievedPodDataSchema } from "../schemas/create-schemas.js";
import { describeValue } from "../schemas/issue-path.js";
import type { NormalizedRetrievedPodData } from "../wire-types.js";
import { runSchema } from "./run-schema.js";

const WHAT = "create request";

/**
 * Checks and normalises a POST /create body (already JSON-decoded): ONE RetrievedPodData object, or the
 * one-element array interLink <= 0.4 sent. Null lists become `[]`, unknown fields are kept, secret `data`
 * stays base64 (see decodeSecretData). Throws WireValidationError (ILD_WIRE_INVALID) with field paths;
 * paths inside a legacy array start with `[0]`.
 */
export function parseCreateRequest(body: unknown): NormalizedRetrievedPodData {
  if (Array.isArray(body)) {
    if (body.length !== 1) {
      throw new WireValidationError(WHAT, [
        {
          path: "",
          message: `expected one RetrievedPodData object (or a legacy array of exactly one), got an array of ${body.length}`,
        },
      ]);
    }
    return runSchema(retrievedPodDataSchema, body[0], WHAT, "[0]") as unknown as NormalizedRetrievedPodData;
  }
  if (typeof body !== "object" || body === null) {
    throw new WireValidationError(WHAT, [
      { path: "", message: `expected a RetrievedPodData object, got ${describeValue(body)}` },
    ]);
  }
  return runSchema(retrievedPodDataSchema, body, WHAT) as unknown as NormalizedRetrievedPodData;
}
