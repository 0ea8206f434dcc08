export type {
  DockerContainerCreateBody,
  DockerDeviceMapping,
  DockerDeviceRequest,
  DockerHostConfig,
  DockerMount,
} from "./docker-types.js";
export {
  POD_INVALID_CODE,
  PodTranslationError,
  RENDER_CONTEXT_INVALID_CODE,
  RenderContextError,
} from "./errors.js";
export { expandVariables } from "./expand.js";
export { defaultPullPolicy, findRegistryAuth, parseImageReference } from "./image.js";
export { checkRelativePath } from "./paths.js";
export type {
  AssignedDevice,
  ContainerKind,
  ContainerPlan,
  DirectoryPlan,
  EnvVarPlan,
  HandlerPlan,
  MaterializedFile,
  MountPlan,
  MountSource,
  PodPlan,
  PortPlan,
  ProbePlan,
  PullPolicy,
  RegistryAuth,
  ResourcePlan,
  RestartPolicy,
  SecurityPlan,
  TranslationIssue,
  VolumeKind,
  VolumePlan,
} from "./plan-types.js";
export {
  BASELINE_ADDABLE_CAPABILITIES,
  DOCKER_DEFAULT_CAPABILITIES,
  RESTRICTED_ADDABLE_CAPABILITIES,
} from "./policy/capability-sets.js";
export type { PolicyLevel, PrivilegedPolicy } from "./policy/levels.js";
export { POLICY_LEVELS } from "./policy/levels.js";
export { SAFE_SYSCTLS } from "./policy/safe-sysctls.js";
export type { Quantity } from "./quantity.js";
export { parseQuantity, quantityMilliValue, quantityValue } from "./quantity.js";
export { milliCpuToShares } from "./resources.js";
export type {
  DockerCreateBody,
  DockerRenderContext,
  SandboxHostConfig,
} from "./to-docker-create-bodies.js";
export {
  dockerContainerName,
  POD_LABELS,
  PRIVILEGED_CAPABILITY_SET,
  SANDBOX_MEMORY_VOLUME_DIR,
  toDockerCreateBodies,
  toDockerSandboxSettings,
} from "./to-docker-create-bodies.js";
export type {
  TranslatePodInput,
  TranslatePodOptions,
  TranslatePodResult,
  TranslationPolicy,
} from "./translate-pod.js";
export {
  DEFAULT_POLICY,
  translatePod,
  translateRetrievedPodData,
} from "./translate-pod.js";
