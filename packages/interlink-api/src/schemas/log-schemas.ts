/** Schema of GET /getLogs: LogStruct, with interLink 0.6.2's validation rules. */
import { z } from "zod";
import { nonEmptyString } from "./helpers.js";

/** Go's zero time.Time, which interLink sends for an unset SinceTime. */
export const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const lowercaseUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const dnsLabelSchema = () =>
  z
    .string()
    .max(63, "expected a DNS label (at most 63 characters)")
    .regex(dnsLabel, "expected a DNS label (lowercase letters, digits and '-')");

/** True when a SinceTime value means "unset": missing, empty, or Go's zero time. */
export function isUnsetTime(value: string | null | undefined): boolean {
  return value === undefined || value === null || value === "" || value.startsWith("0001-01-01T00:00:00");
}

export const containerLogOptsSchema = z
  .looseObject({
    Tail: z.int().nullish(),
    Bytes: z.int().min(0, "expected a non-negative integer").nullish(),
    Timestamps: z.boolean().nullish(),
    Follow: z.boolean().nullish(),
    Previous: z.boolean().nullish(),
    SinceSeconds: z.int().min(0, "expected a non-negative integer").nullish(),
    SinceTime: z
      .string()
      .nullish()
      .refine((value) => isUnsetTime(value) || !Number.isNaN(Date.parse(value ?? "")), {
        message: "expected an RFC 3339 time",
      }),
  })
  .meta({
    description: `kubectl logs options. Zero values mean unset; an unset SinceTime is "${GO_ZERO_TIME}". Bytes is LimitBytes.`,
  });

export const logStructSchema = z
  .looseObject({
    Namespace: dnsLabelSchema(),
    PodUID: z.string().regex(lowercaseUuid, "expected a lowercase UUID"),
    PodName: nonEmptyString(),
    ContainerName: dnsLabelSchema(),
    Opts: containerLogOptsSchema.nullish().transform((value) => value ?? {}),
  })
  .superRefine((value, ctx) => {
    const opts = value.Opts;
    if ((opts.Tail ?? 0) > 0 && (opts.Bytes ?? 0) > 0) {
      ctx.addIssue({ code: "custom", path: ["Opts", "Bytes"], message: "Tail and Bytes cannot both be set" });
    }
    if ((opts.SinceSeconds ?? 0) > 0 && !isUnsetTime(opts.SinceTime)) {
      ctx.addIssue({
        code: "custom",
        path: ["Opts", "SinceTime"],
        message: "SinceSeconds and SinceTime cannot both be set",
      });
    }
  })
  .meta({
    description:
      "Body of GET /getLogs. interLink 0.6.2 rejects (400) non-DNS-label Namespace/ContainerName, a PodUID that is not a lowercase UUID, Tail with Bytes, and SinceSeconds with SinceTime.",
  });
