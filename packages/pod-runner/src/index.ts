export { systemClock } from "./clock.js";
export { createRunner, ENGINE_ANNOTATION, POD_IP_ANNOTATION } from "./create-runner.js";
export { ImagePullError } from "./engines/image-pull-error.js";
export type { Sandbox, SandboxEngine, SandboxRequest } from "./engines/sandbox-engine.js";
export {
  ContainerNotFoundError,
  EngineUnavailableError,
  HookFailedError,
  InvalidPodError,
  PodNotFoundError,
  UnsafePathError,
  WaitTimeoutError,
} from "./errors.js";
export { poolPodPaths } from "./files/pod-mounts.js";
export {
  builtinHooks,
  denyPrivilegedHook,
  EGRESS_ANNOTATION,
  egressAclHook,
  hostPathAllowListHook,
  removeContainersHook,
} from "./hooks/builtin-hooks.js";
export { backoffDelay } from "./lifecycle/backoff.js";
export type {
  Clock,
  DryRunResult,
  EngineKind,
  Hook,
  HookConfig,
  HookContext,
  HookPhase,
  LogRequestOptions,
  PodHandle,
  PodIpNetworkOptions,
  PodPhase,
  PodSummary,
  Runner,
  RunnerOptions,
  StartOptions,
  StatusResult,
} from "./runner-types.js";
export type { DockerBodyOptions, PodTranslator, RenderedContainer } from "./translation/translator-port.js";
