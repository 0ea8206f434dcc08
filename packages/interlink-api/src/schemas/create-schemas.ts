/** Schemas of POST /create: RetrievedPodData (the request) and CreateStruct (the answer). */
import { z } from "zod";
import { listOrNull, nonEmptyString, optionalStringMap } from "./helpers.js";
import { podSchema } from "./pod-schemas.js";

const namedMetadataSchema = z.looseObject({ name: nonEmptyString(), namespace: z.string().nullish() });

export const configMapSchema = z
  .looseObject({
    metadata: namedMetadataSchema,
    data: optionalStringMap(),
    binaryData: z
      .record(z.string(), z.base64("expected a base64 string"))
      .nullish()
      .transform((value) => value ?? undefined),
  })
  .meta({
    description:
      "A v1.ConfigMap. In projectedvolumemaps, metadata.name is the VOLUME name and data maps item paths to contents.",
  });

export const secretSchema = z
  .looseObject({
    metadata: namedMetadataSchema,
    data: z
      .record(z.string(), z.base64("expected a base64 string"))
      .nullish()
      .transform((value) => value ?? undefined),
    stringData: optionalStringMap(),
    type: z.string().nullish(),
  })
  .meta({
    description: "A v1.Secret; `data` values are base64 (Go []byte). Use decodeSecretData to read them.",
  });

export const retrievedContainerSchema = z
  .looseObject({
    name: nonEmptyString(),
    configMaps: listOrNull(configMapSchema),
    projectedvolumemaps: listOrNull(configMapSchema),
    secrets: listOrNull(secretSchema),
    emptyDirs: listOrNull(z.string()),
  })
  .meta({
    description:
      "Data interLink gathered for one offloaded container (init containers first). Null lists mean none.",
  });

export const jobConfigSchema = z
  .looseObject({
    SingularityHubProxy: z
      .looseObject({
        server: z.string().nullish(),
        master_token: z.string().nullish(),
        cache_validity_seconds: z.number().nullish(),
      })
      .nullish(),
    ApptainerOptions: z.looseObject({}).nullish(),
    Volumes: z.looseObject({}).nullish(),
  })
  .meta({
    description: "interLink's ScriptBuildConfig: always sent, all-zero unless a JobScriptBuilder is used.",
  });

export const retrievedPodDataSchema = z
  .looseObject({
    pod: podSchema,
    container: listOrNull(retrievedContainerSchema),
    jobConfig: jobConfigSchema.nullish().transform((value) => value ?? undefined),
    jobScript: z
      .string()
      .nullish()
      .transform((value) => value ?? undefined),
  })
  .meta({
    description:
      "Body of POST /create since interLink 0.5.0: ONE object. interLink <= 0.4 sent a one-element array of it.",
  });

export const createRequestBodySchema = z
  .union([retrievedPodDataSchema, z.array(retrievedPodDataSchema).length(1)])
  .meta({ description: "One RetrievedPodData object, or (interLink <= 0.4) a one-element array of it." });

export const createStructSchema = z
  .looseObject({
    PodUID: nonEmptyString(),
    PodJID: z.string(),
  })
  .meta({ description: "Answer of POST /create: ONE object, never a list." });
