/** Schema of the structured ping answer (interLink >= 0.6.2). */
import { z } from "zod";
import { nonEmptyString } from "./helpers.js";

export const pingAcceleratorSchema = z.looseObject({
  resourceType: nonEmptyString(),
  available: z.string(),
});

export const pingTaintSchema = z.looseObject({
  key: nonEmptyString(),
  value: z.string().nullish(),
  effect: z.string(),
});

export const pingResponseSchema = z
  .looseObject({
    status: z.string(),
    resources: z
      .looseObject({
        cpu: z.string().nullish(),
        memory: z.string().nullish(),
        pods: z.string().nullish(),
        accelerators: z.array(pingAcceleratorSchema).nullish(),
      })
      .nullish(),
    taints: z.array(pingTaintSchema).nullish(),
  })
  .meta({
    description:
      "Answer of the ping (GET /status with body []). Quantities are strings; non-empty fields overwrite node capacity; `taints` (even []) replaces the node's non-system taints.",
  });
