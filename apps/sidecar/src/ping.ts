import { availableParallelism, totalmem } from "node:os";
import type { ResourceCapacity } from "@ild/gpu";
import type { PingAccelerator, PingResponse, PingTaint } from "@ild/interlink-api";

export interface PingSettings {
  /** Kubernetes quantity; default: the host's CPU count. */
  cpu?: string;
  /** Kubernetes quantity; default: the host's memory in Mi. */
  memory?: string;
  /** Pod capacity advertised to the virtual node. */
  pods: number;
  /** Replaces the node's non-system taints when set (even `[]`); left untouched when undefined. */
  taints?: PingTaint[];
}

/**
 * The ping answer (GET /status with `[]`): node capacity for the virtual kubelet. Quantities are totals,
 * not what is free (the scheduler subtracts what it placed). A resource with zero devices is left out:
 * interLink applies "0" verbatim and would drain the node (interLink#558).
 */
export function buildPingResponse(settings: PingSettings, capacity: () => ResourceCapacity[]): PingResponse {
  const accelerators: PingAccelerator[] = capacity()
    .filter((entry) => entry.total > 0)
    .map((entry) => ({ resourceType: entry.resource, available: String(entry.total) }));
  const response: PingResponse = {
    status: "ok",
    resources: {
      cpu: settings.cpu ?? String(availableParallelism()),
      memory: settings.memory ?? `${Math.floor(totalmem() / (1024 * 1024))}Mi`,
      pods: String(settings.pods),
      ...(accelerators.length > 0 ? { accelerators } : {}),
    },
  };
  if (settings.taints !== undefined) {
    response.taints = settings.taints;
  }
  return response;
}
