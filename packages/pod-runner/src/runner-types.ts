import type { Readable } from "node:stream";
import type { PodStatus, RetrievedPodData } from "@ild/interlink-api";
import type { PodPlan } from "@ild/pod-translator";

export type EngineKind = "dind" | "host";

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

export interface PodHandle {
  podUid: string;
  /** Job id reported to interLink (PodJID): the sandbox container id. */
  jobId: string;
  engine: EngineKind;
}

export interface StartOptions {
  signal?: AbortSignal;
  dryRun?: boolean;
  engine?: EngineKind;
}

export interface DryRunResult {
  dryRun: true;
  plan: PodPlan;
  hooks: Array<{ name: string; phase: HookPhase; priority: number }>;
  warnings: Array<{ path: string; message: string }>;
}

export type HookPhase = "pre-create" | "pre-run" | "post-run" | "pre-stop" | "post-stop";

export interface HookContext {
  plan: PodPlan;
  podUid: string;
  engine: EngineKind;
  signal: AbortSignal;
  logger: import("@ild/common").Logger;
  /** Present from pre-run on. */
  sandbox?: { id: string; ip: string };
}

export interface Hook {
  name: string;
  /** Lower runs first. */
  priority: number;
  phases: Partial<Record<HookPhase, (context: HookContext) => Promise<void> | void>>;
}

export interface LogRequestOptions {
  tail?: number;
  limitBytes?: number;
  timestamps?: boolean;
  follow?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  sinceTime?: Date;
  signal?: AbortSignal;
}

export interface PodSummary {
  podUid: string;
  name: string;
  namespace: string;
  phase: PodPhase;
  engine: EngineKind;
}

export interface StatusResult {
  found: boolean;
  phase: PodPhase;
  /** interLink's shape, containers AND initContainers. For an unknown pod: waiting with a message. */
  status: PodStatus;
}

export interface Runner {
  start(input: RetrievedPodData, options?: StartOptions): Promise<PodHandle | DryRunResult>;
  waitForCompletion(
    handle: PodHandle | string,
    options?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<StatusResult>;
  stop(
    handle: PodHandle | string,
    options?: { gracePeriodSeconds?: number; signal?: AbortSignal },
  ): Promise<void>;
  status(podUid: string, fallback?: { name: string; namespace: string }): StatusResult;
  logs(podUid: string, container: string, options?: LogRequestOptions): Promise<Readable>;
  list(): PodSummary[];
  /** Rebuild state from labels and the data root after a restart. */
  recover(options?: { signal?: AbortSignal }): Promise<void>;
  /** Stop watching; leaves pods running. */
  close(): Promise<void>;
}
