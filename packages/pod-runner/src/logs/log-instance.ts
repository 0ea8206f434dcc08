import type { ContainerRecord } from "../state/pod-record.js";

export type LogInstance = { id: string } | { id: undefined; message: string };

/**
 * The engine container whose logs the kubelet would serve. `Previous` is the last terminated
 * instance: during CrashLoopBackOff (waiting, not yet replaced) that is the current engine container,
 * which just ended; once the next instance exists, it is the one before. Without `Previous`, a
 * container waiting for its restart serves the instance that ended (the kubelet's lastState).
 */
export function logInstance(container: ContainerRecord, previous: boolean, podName: string): LogInstance {
  const name = container.plan.name;
  const replaced = container.state.kind !== "waiting";
  if (previous) {
    // the instance whose exit was recorded last; after a runner restart, by the container's state (a
    // new instance may already have its id while its state still reads waiting)
    const id =
      container.state.kind === "terminated"
        ? container.previousContainerId
        : (container.lastTerminatedId ?? (replaced ? container.previousContainerId : container.containerId));
    return id !== undefined && container.lastState?.kind === "terminated"
      ? { id }
      : { id: undefined, message: `previous terminated container "${name}" in pod "${podName}" not found` };
  }
  return container.containerId !== undefined
    ? { id: container.containerId }
    : { id: undefined, message: `container "${name}" in pod "${podName}" is waiting to start` };
}
