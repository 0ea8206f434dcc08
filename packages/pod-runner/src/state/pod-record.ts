import type { RetrievedPodData } from "@ild/interlink-api";
import type { ContainerPlan, PodPlan } from "@ild/pod-translator";
import type { EngineKind, PodPhase } from "../runner-types.js";

export type ContainerStateRecord =
  | { kind: "waiting"; reason: string; message?: string }
  | { kind: "running"; startedAt: string }
  | {
      kind: "terminated";
      exitCode: number;
      reason: string;
      message?: string;
      startedAt?: string;
      finishedAt?: string;
    };

export interface ContainerRecord {
  plan: ContainerPlan;
  state: ContainerStateRecord;
  /** The previous terminated instance, after a restart. */
  lastState?: ContainerStateRecord;
  ready: boolean;
  /** Startup probe passed (or none). */
  started: boolean;
  restartCount: number;
  /** Docker id of the current instance. */
  containerId?: string;
  /** Docker id of the previous (terminated) instance, kept for `Previous` logs. */
  previousContainerId?: string;
  /** Docker id of the instance whose exit was recorded last (what `Previous` logs serve). */
  lastTerminatedId?: string;
  /** Set when the runner decided this container will not run again. */
  final: boolean;
  /** The runner stopped this instance (sidecar after the regular containers, pod stop). */
  stoppedByRunner?: boolean;
  /** Why the runner killed the current instance (probe, postStart), for its terminated message. */
  failureMessage?: string | undefined;
  /** The current instance was killed by its liveness or startup probe (restarted even after exit 0). */
  killedByProbe?: boolean;
  /** The runner's clock when the current instance started running (crash-loop back-off reset). */
  runningSinceMs?: number | undefined;
  /** restartCount when the back-off was last reset (it counts from 10 s again from there). */
  backoffBase?: number;
}

export interface PodRecord {
  uid: string;
  name: string;
  namespace: string;
  engine: EngineKind;
  input: RetrievedPodData;
  plan: PodPlan;
  jobId: string;
  podIp?: string;
  phase: PodPhase;
  reason?: string;
  message?: string;
  initContainers: ContainerRecord[];
  containers: ContainerRecord[];
  /** Epoch ms when the pod was first started (activeDeadlineSeconds counts from here). */
  startedAt: number;
}

export function newContainerRecord(plan: ContainerPlan): ContainerRecord {
  return {
    plan,
    state: { kind: "waiting", reason: "ContainerCreating" },
    ready: false,
    started: false,
    restartCount: 0,
    final: false,
  };
}

export function allContainerRecords(record: PodRecord): ContainerRecord[] {
  return [...record.initContainers, ...record.containers];
}

export function findContainerRecord(record: PodRecord, name: string): ContainerRecord | undefined {
  return allContainerRecords(record).find((container) => container.plan.name === name);
}

/**
 * The phase the regular containers imply, as the kubelet's getPhase (pod-level failures are set by the
 * controller): a container waiting for its first start keeps the pod Pending; one waiting for a restart
 * (CrashLoopBackOff, with a terminated lastState) has run, so the pod is Running.
 */
export function computePhase(record: PodRecord): PodPhase {
  if (record.phase === "Failed" && record.reason !== undefined) {
    return "Failed";
  }
  const regular = record.containers;
  if (regular.length > 0 && regular.every((container) => container.final)) {
    const failed = regular.some(
      (container) => container.state.kind !== "terminated" || container.state.exitCode !== 0,
    );
    return failed ? "Failed" : "Succeeded";
  }
  const neverStarted = regular.some(
    (container) => container.state.kind === "waiting" && container.lastState?.kind !== "terminated",
  );
  return neverStarted || regular.length === 0 ? "Pending" : "Running";
}
