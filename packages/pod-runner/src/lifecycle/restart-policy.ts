import type { PodPlan } from "@ild/pod-translator";
import type { ContainerRecord } from "../state/pod-record.js";

/**
 * Whether the kubelet starts a container again after its instance ended:
 * - a native sidecar while regular containers still run (or the pod has none);
 * - an init container that failed, unless restartPolicy is Never;
 * - a regular container under Always; under OnFailure when it failed or when the kubelet killed it
 *   (liveness or startup probe: restarted whatever its exit code, as any policy but Never does).
 */
export function shouldRestartContainer(
  plan: PodPlan,
  container: ContainerRecord,
  regular: readonly ContainerRecord[],
  exitCode: number,
): boolean {
  const policy = plan.restartPolicy;
  switch (container.plan.kind) {
    case "sidecar":
      return !regular.every((item) => item.final) || regular.length === 0;
    case "init":
      return exitCode !== 0 && policy !== "Never";
    default:
      return (
        policy === "Always" ||
        (policy === "OnFailure" && (exitCode !== 0 || container.killedByProbe === true))
      );
  }
}
