export {
  configMapSchema,
  createRequestBodySchema,
  createStructSchema,
  jobConfigSchema,
  retrievedContainerSchema,
  retrievedPodDataSchema,
  secretSchema,
} from "./create-schemas.js";
export { formatIssuePath } from "./issue-path.js";
export { containerLogOptsSchema, GO_ZERO_TIME, isUnsetTime, logStructSchema } from "./log-schemas.js";
export { pingAcceleratorSchema, pingResponseSchema, pingTaintSchema } from "./ping-schemas.js";
export {
  containerSchema,
  deletePodSchema,
  podMetadataSchema,
  podSchema,
  podSpecSchema,
  volumeSchema,
} from "./pod-schemas.js";
export {
  containerStateSchema,
  containerStatusSchema,
  podStatusSchema,
  statusPodSchema,
  statusRequestSchema,
  statusResponseSchema,
} from "./status-schemas.js";
