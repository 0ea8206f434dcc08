export type {
  DryRunResult,
  EngineKind,
  Hook,
  HookContext,
  HookPhase,
  LogRequestOptions,
  PodHandle,
  PodPhase,
  PodSummary,
  Runner,
  StartOptions,
  StatusResult,
} from "./runner-types.js";
