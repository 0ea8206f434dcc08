import type { ContainerInspect } from "@ild/dind-pool";
import {
  LABEL_CONTAINER_KIND,
  LABEL_CONTAINER_NAME,
  LABEL_GENERATION,
  LABEL_POD_UID,
  SANDBOX_KIND,
} from "../engines/labels.js";
import type { Sandbox } from "../engines/sandbox-engine.js";
import type { Clock } from "../runner-types.js";
import type { ContainerStateRecord, PodRecord } from "../state/pod-record.js";

function validIso(value: string | undefined): string | undefined {
  return value !== undefined && value !== "" && !value.startsWith("0001-") ? value : undefined;
}

export function stateFromInspect(info: ContainerInspect, clock: Clock): ContainerStateRecord {
  const startedAt = validIso(info.state.startedAt);
  if (info.state.running) {
    return { kind: "running", startedAt: startedAt ?? new Date(clock.now()).toISOString() };
  }
  if (info.state.status === "created") {
    return { kind: "waiting", reason: "ContainerCreating" };
  }
  const finishedAt = validIso(info.state.finishedAt);
  const exitCode = info.state.exitCode;
  return {
    kind: "terminated",
    exitCode,
    reason: info.state.oomKilled ? "OOMKilled" : exitCode === 0 ? "Completed" : "Error",
    ...(info.state.error ? { message: info.state.error } : {}),
    ...(startedAt ? { startedAt } : {}),
    ...(finishedAt ? { finishedAt } : {}),
  };
}

/** Rebuilds container records from the labels and states of the pod's containers (after a restart). */
export async function recoverContainerRecords(
  record: PodRecord,
  sandbox: Sandbox,
  clock: Clock,
): Promise<void> {
  const found = await sandbox.docker.listContainers({ all: true, label: [`${LABEL_POD_UID}=${record.uid}`] });
  for (const container of [...record.initContainers, ...record.containers]) {
    const instances = found
      .filter(
        (item) =>
          item.labels[LABEL_CONTAINER_KIND] !== SANDBOX_KIND &&
          item.labels[LABEL_CONTAINER_NAME] === container.plan.name &&
          item.labels[LABEL_CONTAINER_KIND] === container.plan.kind,
      )
      .sort((a, b) => Number(b.labels[LABEL_GENERATION] ?? 0) - Number(a.labels[LABEL_GENERATION] ?? 0));
    const current = instances[0];
    if (current === undefined) {
      continue;
    }
    const info = await sandbox.docker.inspectContainer(current.id).catch(() => undefined);
    if (info === undefined) {
      continue;
    }
    container.restartCount = Number(current.labels[LABEL_GENERATION] ?? 0);
    container.containerId = current.id;
    const previous = instances[1];
    if (previous !== undefined) {
      container.previousContainerId = previous.id;
      const previousInfo = await sandbox.docker.inspectContainer(previous.id).catch(() => undefined);
      if (previousInfo !== undefined) {
        container.lastState = stateFromInspect(previousInfo, clock);
      }
    }
    container.state = stateFromInspect(info, clock);
    if (container.state.kind === "waiting") {
      // Created but never started: remove it, the supervisor creates it again.
      await sandbox.docker.removeContainer(current.id).catch(() => {});
      container.containerId = container.previousContainerId;
      container.previousContainerId = undefined;
    }
    const probes = container.plan.probes;
    container.started = probes.startup === undefined;
    container.ready =
      container.state.kind === "running" && probes.readiness === undefined && probes.startup === undefined;
    if (
      container.plan.kind === "init" &&
      container.state.kind === "terminated" &&
      container.state.exitCode === 0
    ) {
      container.final = true;
    }
  }
}
