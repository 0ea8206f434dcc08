/**
 * Runtime schemas for the parts of a Kubernetes v1.Pod that ild relies on. Every object is "loose":
 * unknown fields are kept untouched, so the parsed pod is the pod interLink sent, with the relied-on
 * fields checked. Quantities may be strings or numbers (hand-written JSON uses numbers).
 */
import { z } from "zod";
import { nonEmptyString, optionalList, optionalStringMap } from "./helpers.js";

export const quantitySchema = z.union([z.string(), z.number()], {
  error: 'expected a quantity (a string such as "500m" or "4Gi", or a number)',
});

export const envVarSchema = z.looseObject({
  name: nonEmptyString(),
  value: z.string().nullish(),
});

export const volumeMountSchema = z.looseObject({
  name: nonEmptyString(),
  mountPath: nonEmptyString(),
  readOnly: z.boolean().nullish(),
  subPath: z.string().nullish(),
});

export const resourceRequirementsSchema = z.looseObject({
  limits: z.record(z.string(), quantitySchema).nullish(),
  requests: z.record(z.string(), quantitySchema).nullish(),
});

export const containerSchema = z
  .looseObject({
    name: nonEmptyString(),
    image: nonEmptyString(),
    command: optionalList(z.string()),
    args: optionalList(z.string()),
    workingDir: z.string().nullish(),
    env: optionalList(envVarSchema),
    volumeMounts: optionalList(volumeMountSchema),
    resources: resourceRequirementsSchema.nullish(),
  })
  .meta({ description: "A v1.Container; fields not listed are accepted and kept." });

export const volumeSchema = z.looseObject({ name: nonEmptyString() }).meta({
  description: "A v1.Volume; its source (configMap, secret, emptyDir, projected, hostPath, …) is kept.",
});

export const podSpecSchema = z
  .looseObject({
    containers: z
      .array(containerSchema)
      .nullish()
      .transform((value) => value ?? []),
    initContainers: optionalList(containerSchema),
    volumes: optionalList(volumeSchema),
    restartPolicy: z.string().nullish(),
  })
  .meta({ description: "A v1.PodSpec; fields not listed are accepted and kept." });

export const podMetadataSchema = z
  .looseObject({
    name: nonEmptyString(),
    namespace: nonEmptyString(),
    uid: nonEmptyString(),
    labels: optionalStringMap(),
    annotations: optionalStringMap(),
  })
  .meta({ description: "A v1.ObjectMeta; name, namespace and uid are required." });

/** A full pod as sent in /create and /status: metadata and spec are checked, status is kept as sent. */
export const podSchema = z
  .looseObject({
    metadata: podMetadataSchema,
    spec: podSpecSchema,
    status: z.looseObject({}).nullish(),
  })
  .meta({ description: "A Kubernetes v1.Pod (standard JSON). Unknown fields are kept." });

/** The pod of a /delete request: only metadata.uid is required, the rest is kept as sent. */
export const deletePodSchema = z
  .looseObject({
    metadata: z.looseObject({
      uid: nonEmptyString(),
      name: z.string().nullish(),
      namespace: z.string().nullish(),
    }),
  })
  .meta({
    description: "The v1.Pod being deleted, forwarded byte for byte by interLink; metadata.uid is required.",
  });

export const objectMetaSchema = z.looseObject({
  name: z.string().nullish(),
  namespace: z.string().nullish(),
});
