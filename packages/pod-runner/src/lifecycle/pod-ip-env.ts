import type { Logger } from "@ild/common";
import type { TranslatePodOptions } from "@ild/pod-translator";
import type { Container } from "kubernetes-types/core/v1.js";
import type { PodRecord } from "../state/pod-record.js";
import type { PodTranslator } from "../translation/translator-port.js";

const POD_IP_FIELDS = new Set(["status.podIP", "status.podIPs"]);

function readsPodIp(container: Container): boolean {
  return (container.env ?? []).some(
    (variable) =>
      variable !== null &&
      typeof variable === "object" &&
      POD_IP_FIELDS.has(variable.valueFrom?.fieldRef?.fieldPath ?? ""),
  );
}

/**
 * The pod is translated before its sandbox exists, so an env `fieldRef` to `status.podIP` first holds
 * what the pod said (a virtual kubelet's placeholder). Once the sandbox has its address, env, command
 * and args are resolved again with it, as the kubelet resolves them with the pod's real IP. Pods that do
 * not read the pod IP through a fieldRef are left as they are (interLink sends env already resolved).
 */
export function resolvePodIpEnv(
  record: PodRecord,
  ip: string | undefined,
  translator: PodTranslator,
  options: TranslatePodOptions | undefined,
  logger: Logger,
): void {
  const spec = record.input.pod?.spec;
  if (ip === undefined || ip === "" || spec === undefined) {
    return;
  }
  if (![...(spec.initContainers ?? []), ...(spec.containers ?? [])].some(readsPodIp)) {
    return;
  }
  let fresh: PodRecord["plan"];
  try {
    fresh = translator.translatePod({
      pod: record.input.pod,
      containers: record.input.container ?? [],
      options: { ...options, podIP: ip },
    }).plan;
  } catch (error) {
    logger.warn({ error: String(error) }, "env not resolved again with the pod's IP");
    return;
  }
  const byName = new Map(
    [...fresh.initContainers, ...fresh.containers].map((container) => [container.name, container]),
  );
  for (const container of [...record.plan.initContainers, ...record.plan.containers]) {
    const again = byName.get(container.name);
    if (again === undefined) {
      continue;
    }
    container.env = again.env;
    if (again.entrypoint !== undefined) {
      container.entrypoint = again.entrypoint;
    }
    if (again.cmd !== undefined) {
      container.cmd = again.cmd;
    }
  }
}
