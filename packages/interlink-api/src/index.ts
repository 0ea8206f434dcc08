export type { WireIssue } from "./errors.js";
export { WIRE_INVALID, WireValidationError } from "./errors.js";
export { buildOpenApiDocument, WIRE_CONTRACT_VERSION } from "./openapi/build-openapi-document.js";
export { parseCreateRequest } from "./parse/parse-create-request.js";
export { parseDeleteRequest } from "./parse/parse-delete-request.js";
export { parseLogRequest } from "./parse/parse-log-request.js";
export { parseCreateResponse, parsePingResponse, parseStatusResponse } from "./parse/parse-responses.js";
export { isPingRequest, parseStatusRequest } from "./parse/parse-status-request.js";
export {
  configMapSchema,
  containerLogOptsSchema,
  containerSchema,
  containerStateSchema,
  containerStatusSchema,
  createRequestBodySchema,
  createStructSchema,
  deletePodSchema,
  formatIssuePath,
  GO_ZERO_TIME,
  isUnsetTime,
  jobConfigSchema,
  logStructSchema,
  pingAcceleratorSchema,
  pingResponseSchema,
  pingTaintSchema,
  podMetadataSchema,
  podSchema,
  podSpecSchema,
  podStatusSchema,
  retrievedContainerSchema,
  retrievedPodDataSchema,
  secretSchema,
  statusPodSchema,
  statusRequestSchema,
  statusResponseSchema,
  volumeSchema,
} from "./schemas/index.js";
export { decodeSecretData } from "./secret-data.js";
export type {
  ConfigMap,
  Container,
  ContainerLogOpts,
  ContainerStatus,
  CreateStruct,
  DeletePod,
  JobConfig,
  LogRequest,
  LogStruct,
  NormalizedRetrievedContainer,
  NormalizedRetrievedPodData,
  ObjectMeta,
  PingAccelerator,
  PingResources,
  PingResponse,
  PingTaint,
  Pod,
  PodIdentity,
  PodSpec,
  PodStatus,
  RetrievedContainer,
  RetrievedPodData,
  Secret,
  StatusPod,
  ValidatedPod,
} from "./wire-types.js";
