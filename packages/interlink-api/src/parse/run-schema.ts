import type { z } from "zod";
import { WireValidationError } from "../errors.js";
import { toWireIssues, wireErrorMap } from "../schemas/issue-path.js";

/** Parses `value` with `schema`; on failure throws a WireValidationError naming every field path. */
export function runSchema<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
  prefix = "",
): z.output<T> {
  const result = schema.safeParse(value, { error: wireErrorMap });
  if (!result.success) {
    throw new WireValidationError(what, toWireIssues(result.error, prefix), { cause: result.error });
  }
  return result.data;
}
