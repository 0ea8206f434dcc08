import type { PodStatus } from "@ild/interlink-api";
import type { ContainerState, ContainerStatus } from "kubernetes-types/core/v1.js";
import type { StatusResult } from "../runner-types.js";
import type { ContainerRecord, ContainerStateRecord, PodRecord } from "./pod-record.js";

export const NOT_FOUND_MESSAGE = "pod not known to this plugin";

function toState(state: ContainerStateRecord): ContainerState {
  switch (state.kind) {
    case "waiting":
      return { waiting: { reason: state.reason, ...(state.message ? { message: state.message } : {}) } };
    case "running":
      return { running: { startedAt: state.startedAt } };
    case "terminated":
      return {
        terminated: {
          exitCode: state.exitCode,
          reason: state.reason,
          ...(state.message ? { message: state.message } : {}),
          ...(state.startedAt ? { startedAt: state.startedAt } : {}),
          ...(state.finishedAt ? { finishedAt: notBefore(state.finishedAt, state.startedAt) } : {}),
        },
      };
  }
}

/**
 * The engine stamps start and end from different clocks paths: a container that ends within
 * microseconds can show an end before its start. Kubernetes never does; clamp to the start.
 */
export function notBefore(finishedAt: string, startedAt: string | undefined): string {
  if (startedAt === undefined) {
    return finishedAt;
  }
  return toNanoseconds(finishedAt) < toNanoseconds(startedAt) ? startedAt : finishedAt;
}

/** RFC 3339 with up to nanoseconds (Docker's stamps) as nanoseconds since the epoch. */
function toNanoseconds(stamp: string): bigint {
  const match = /^(.*:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(stamp);
  if (match === null) {
    return BigInt(Date.parse(stamp) || 0) * 1_000_000n;
  }
  const seconds = Date.parse(`${match[1]}${match[3]}`) || 0;
  const fraction = (match[2] ?? "").padEnd(9, "0").slice(0, 9);
  return BigInt(seconds) * 1_000_000n + BigInt(fraction);
}

/**
 * interLink ignores `ready` and treats `running` as ready (contract §2.2): a running container that is
 * not ready (readiness or startup probe pending) is therefore reported as `waiting`.
 */
export function toContainerStatus(container: ContainerRecord, podHasInit = false): ContainerStatus {
  let state = toState(container.state);
  if (podHasInit && container.state.kind === "waiting" && container.state.reason === "ContainerCreating") {
    // the kubelet's default waiting reason in a pod with init containers
    state = { waiting: { reason: "PodInitializing" } };
  }
  if (
    container.plan.kind === "sidecar" &&
    container.stoppedByRunner &&
    container.state.kind === "terminated" &&
    container.final
  ) {
    // A native sidecar's exit code on termination does not count for the pod (Kubernetes); the VK would
    // otherwise fail a completed pod on the sidecar's 143.
    state = {
      terminated: {
        exitCode: 0,
        reason: "Completed",
        message: `sidecar stopped after the regular containers completed (exit code ${container.state.exitCode})`,
        ...(container.state.startedAt ? { startedAt: container.state.startedAt } : {}),
        ...(container.state.finishedAt
          ? { finishedAt: notBefore(container.state.finishedAt, container.state.startedAt) }
          : {}),
      },
    };
  }
  const probed = container.plan.probes.readiness !== undefined || container.plan.probes.startup !== undefined;
  if (container.state.kind === "running" && probed && !container.ready) {
    state = {
      waiting: {
        reason: container.started ? "ContainerNotReady" : "ContainerNotStarted",
        message: container.started
          ? "container is running but its readiness probe has not succeeded"
          : "container is running but its startup probe has not succeeded",
      },
    };
  }
  // the kubelet: an init container is ready once it exited 0; others while running (and probed ready)
  const ready =
    container.plan.kind === "init"
      ? container.state.kind === "terminated" && container.state.exitCode === 0
      : container.state.kind === "running" && (probed ? container.ready : true);
  return {
    name: container.plan.name,
    state,
    lastState: container.lastState ? toState(container.lastState) : {},
    ready,
    started: container.state.kind === "running" && container.started,
    restartCount: container.restartCount,
    image: container.plan.image,
    imageID: "",
    ...(container.containerId ? { containerID: `docker://${container.containerId}` } : {}),
  };
}

export function toStatusResult(
  record: PodRecord,
  sidecarStatusIn: "containers" | "initContainers" = "containers",
): StatusResult {
  const sidecars = record.initContainers.filter((container) => container.plan.kind === "sidecar");
  const initOnly = record.initContainers.filter((container) => container.plan.kind !== "sidecar");
  const initContainers = sidecarStatusIn === "initContainers" ? record.initContainers : initOnly;
  const containers =
    sidecarStatusIn === "containers" ? [...record.containers, ...sidecars] : record.containers;
  const podHasInit = record.initContainers.length > 0;
  const status: PodStatus = {
    name: record.name,
    UID: record.uid,
    namespace: record.namespace,
    JID: record.jobId,
    containers: containers.map((container) => toContainerStatus(container, podHasInit)),
    initContainers: initContainers.map((container) => toContainerStatus(container, podHasInit)),
  };
  return {
    found: true,
    phase: record.phase,
    ...(record.reason ? { reason: record.reason } : {}),
    ...(record.message ? { message: record.message } : {}),
    ...(record.podIp ? { podIp: record.podIp } : {}),
    status,
  };
}

export interface StatusFallback {
  name: string;
  namespace: string;
  /** Container names of the pod's spec: each gets a waiting entry. */
  containers?: string[];
  initContainers?: string[];
}

function waitingNotFound(name: string): ContainerStatus {
  return {
    name,
    state: { waiting: { reason: "PodNotFound", message: NOT_FOUND_MESSAGE } },
    lastState: {},
    ready: false,
    restartCount: 0,
    image: "",
    imageID: "",
  };
}

export function notFoundStatus(podUid: string, fallback?: StatusFallback): StatusResult {
  return {
    found: false,
    phase: "Unknown",
    message: NOT_FOUND_MESSAGE,
    status: {
      name: fallback?.name ?? podUid,
      UID: podUid,
      namespace: fallback?.namespace ?? "",
      containers: (fallback?.containers ?? []).map(waitingNotFound),
      initContainers: (fallback?.initContainers ?? []).map(waitingNotFound),
    },
  };
}
