import { z } from "zod";

/** A string that must not be empty. */
export const nonEmptyString = (): z.ZodString => z.string().min(1, "expected a non-empty string");

/**
 * An optional list that may arrive as `null` (Go marshals a nil slice as null): null becomes undefined,
 * so the parsed object matches the Kubernetes types. The JSON schema still shows `array | null`.
 */
export function optionalList<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((value) => value ?? undefined);
}

/** A list that interLink may send as `null`: null and a missing key both become `[]`. */
export function listOrNull<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((value) => value ?? []);
}

/** A string map (labels, annotations, ConfigMap data) that may be null. */
export function optionalStringMap() {
  return z
    .record(z.string(), z.string())
    .nullish()
    .transform((value) => value ?? undefined);
}
