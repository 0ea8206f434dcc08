import type { Container, LifecycleHandler, Probe } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "./issues.js";
import type { HandlerPlan, ProbePlan } from "./plan-types.js";

/** Kubernetes probe defaults. */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

type AnyHandler = LifecycleHandler & Pick<Probe, "grpc">;

function resolvePort(
  port: number | string | undefined,
  container: Container,
  path: string,
  issues: IssueCollector,
): number | undefined {
  if (typeof port === "number") {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      issues.error(path, `port ${port} must be between 1 and 65535`);
      return undefined;
    }
    return port;
  }
  if (typeof port === "string" && /^\d+$/.test(port)) {
    return resolvePort(Number(port), container, path, issues);
  }
  const named = (container.ports ?? []).find((candidate) => candidate.name === port);
  if (!named) {
    issues.error(path, `named port "${port ?? ""}" is not declared in the container's ports`);
    return undefined;
  }
  return named.containerPort;
}

/** One handler (exec, httpGet, tcpSocket, grpc, sleep) with defaults and named ports resolved. */
export function planHandler(
  handler: AnyHandler,
  container: Container,
  path: string,
  allowed: ReadonlyArray<HandlerPlan["kind"]>,
  issues: IssueCollector,
): HandlerPlan | undefined {
  const kinds = (["exec", "httpGet", "tcpSocket", "grpc", "sleep"] as const).filter(
    (kind) => handler[kind] !== undefined && handler[kind] !== null,
  );
  if (kinds.length !== 1) {
    issues.error(path, `exactly one handler is required (${allowed.join(", ")})`);
    return undefined;
  }
  const kind = kinds[0] as HandlerPlan["kind"];
  if (!allowed.includes(kind)) {
    issues.error(`${path}.${kind}`, `${kind} is not allowed here`);
    return undefined;
  }
  switch (kind) {
    case "exec": {
      const command = handler.exec?.command ?? [];
      if (command.length === 0) {
        issues.error(`${path}.exec.command`, "must not be empty");
        return undefined;
      }
      return { kind, command: [...command] };
    }
    case "httpGet": {
      const action = handler.httpGet;
      const port = resolvePort(action?.port, container, `${path}.httpGet.port`, issues);
      if (port === undefined || !action) {
        return undefined;
      }
      const scheme = action.scheme ?? "HTTP";
      if (scheme !== "HTTP" && scheme !== "HTTPS") {
        issues.error(`${path}.httpGet.scheme`, `"${scheme}" must be HTTP or HTTPS`);
        return undefined;
      }
      let requestPath = action.path ?? "/";
      if (!requestPath.startsWith("/")) {
        requestPath = `/${requestPath}`;
      }
      return {
        kind,
        scheme,
        host: action.host ?? "",
        port,
        path: requestPath,
        headers: (action.httpHeaders ?? []).map((header) => ({ name: header.name, value: header.value })),
      };
    }
    case "tcpSocket": {
      const port = resolvePort(handler.tcpSocket?.port, container, `${path}.tcpSocket.port`, issues);
      return port === undefined ? undefined : { kind, host: handler.tcpSocket?.host ?? "", port };
    }
    case "grpc": {
      const port = resolvePort(handler.grpc?.port, container, `${path}.grpc.port`, issues);
      if (port === undefined) {
        return undefined;
      }
      const service = handler.grpc?.service;
      return service ? { kind, port, service } : { kind, port };
    }
    default: {
      const seconds = handler.sleep?.seconds ?? -1;
      if (!Number.isInteger(seconds) || seconds < 0) {
        issues.error(`${path}.sleep.seconds`, "must be a non-negative integer");
        return undefined;
      }
      return { kind: "sleep", seconds };
    }
  }
}

/** A probe with Kubernetes' defaults filled in. Liveness and startup probes need successThreshold 1. */
export function planProbe(
  probe: Probe,
  which: "liveness" | "readiness" | "startup",
  container: Container,
  path: string,
  issues: IssueCollector,
): ProbePlan | undefined {
  const handler = planHandler(probe, container, path, ["exec", "httpGet", "tcpSocket", "grpc"], issues);
  const numbers = {
    initialDelaySeconds: probe.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds,
    periodSeconds: probe.periodSeconds ?? PROBE_DEFAULTS.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds,
    successThreshold: probe.successThreshold ?? PROBE_DEFAULTS.successThreshold,
    failureThreshold: probe.failureThreshold ?? PROBE_DEFAULTS.failureThreshold,
  };
  let ok = handler !== undefined;
  for (const [field, value] of Object.entries(numbers)) {
    const minimum = field === "initialDelaySeconds" ? 0 : 1;
    if (!Number.isInteger(value) || value < minimum) {
      issues.error(`${path}.${field}`, `${value} must be an integer >= ${minimum}`);
      ok = false;
    }
  }
  if (which !== "readiness" && numbers.successThreshold !== 1) {
    issues.error(`${path}.successThreshold`, `must be 1 for a ${which} probe`);
    ok = false;
  }
  if (!ok || !handler) {
    return undefined;
  }
  const plan: ProbePlan = { handler, ...numbers };
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds !== null) {
    plan.terminationGracePeriodSeconds = probe.terminationGracePeriodSeconds;
  }
  return plan;
}
