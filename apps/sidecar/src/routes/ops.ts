import type { PodPhase } from "@ild/pod-runner";
import { HttpError } from "../errors.js";
import { sendJson, sendText } from "../http-io.js";
import { renderGauge } from "../metrics.js";
import type { RouteHandler } from "../route-context.js";

const PHASES: PodPhase[] = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];

/**
 * GET /healthz: the process serves (liveness); `ready` once the pods of a previous run are recovered and
 * pod routes answer without waiting; pool and pod counts for a quick look. No authentication.
 */
export const handleHealthz: RouteHandler = async (context, { deps, isReady }) => {
  sendJson(context.response, 200, {
    status: "ok",
    ready: isReady(),
    pods: deps.runner.list().length,
    pool: deps.poolStats?.() ?? null,
  });
};

/** GET /metrics: Prometheus text format. */
export const handleMetrics: RouteHandler = async (context, { deps, creates }) => {
  if (deps.metricsEnabled === false) {
    throw new HttpError(404, "ILD_SIDECAR_NO_ROUTE", "metrics are disabled (Ild.metrics.enabled: false)");
  }
  const counts = new Map<PodPhase, number>(PHASES.map((phase) => [phase, 0]));
  for (const pod of deps.runner.list()) {
    counts.set(pod.phase, (counts.get(pod.phase) ?? 0) + 1);
  }
  const gauges = [
    renderGauge(
      "ild_pods",
      "Pods tracked by the runner, by phase.",
      PHASES.map((phase) => [{ phase }, counts.get(phase) ?? 0]),
    ),
    renderGauge("ild_pod_creates_in_flight", "Creates being processed.", [[{}, creates.size()]]),
  ];
  const stats = deps.poolStats?.();
  if (stats !== undefined) {
    gauges.push(
      renderGauge("ild_pool_dinds", "DIND sandboxes of the pool, by state.", [
        [{ state: "warm" }, stats.warm],
        [{ state: "leased" }, stats.leased],
        [{ state: "building" }, stats.building],
        [{ state: "failed" }, stats.failed],
      ]),
      renderGauge("ild_pool_size", "Warm DINDs the pool keeps ready.", [[{}, stats.size]]),
      renderGauge("ild_pool_waiting", "Creates waiting for a warm DIND.", [[{}, stats.waiting]]),
    );
  }
  const capacity = deps.deviceCapacity?.() ?? [];
  if (capacity.length > 0) {
    gauges.push(
      renderGauge(
        "ild_devices",
        "Devices (GPUs, …) by resource and state.",
        capacity.flatMap(
          (entry): Array<[Record<string, string>, number]> => [
            [{ resource: entry.resource, state: "total" }, entry.total],
            [{ resource: entry.resource, state: "free" }, entry.free],
          ],
        ),
      ),
    );
  }
  sendText(context.response, 200, deps.metrics.render(gauges), {
    "content-type": "text/plain; version=0.0.4; charset=utf-8",
  });
};

/** GET /openapi.json: the plugin API as interLink really calls it. */
export const handleOpenApi: RouteHandler = async (context, { deps }) => {
  sendJson(context.response, 200, deps.openApi());
};
