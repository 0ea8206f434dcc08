import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { escapeControl, IldError } from "@ild/common";
import { createTokenCheck } from "./auth.js";
import { type CreateRegistry, createCreateRegistry } from "./create-registry.js";
import { HttpError } from "./errors.js";
import { sendText } from "./http-io.js";
import { maxRunningCreates, tooManyConnections } from "./limits.js";
import type { RequestContext, RouteHandler, RouteState, ServerDependencies } from "./route-context.js";
import { handleHealthz, handleMetrics, handleOpenApi } from "./routes/ops.js";
import { handlePluginRoute } from "./routes/plugin.js";
import { toHttpError } from "./to-http-error.js";
import type { Span } from "./tracing.js";

interface Route {
  /** Undefined: the handler checks the method itself (the plugin routes: @ild/interlink-api does). */
  methods?: string[];
  handler: RouteHandler;
  /** Routes answered without the bearer token. */
  open?: boolean;
}

/**
 * interLink's four calls (GET with JSON bodies for /status and /getLogs; POST for the others; the VK's
 * DELETE is tolerated on /delete), served through @ild/interlink-api's server layer, plus the operator
 * routes. Nothing here runs anything on the host.
 */
const ROUTES: Record<string, Route> = {
  "/create": { handler: handlePluginRoute },
  "/status": { handler: handlePluginRoute },
  "/getLogs": { handler: handlePluginRoute },
  "/delete": { handler: handlePluginRoute },
  "/healthz": { methods: ["GET", "HEAD"], handler: handleHealthz, open: true },
  "/metrics": { methods: ["GET"], handler: handleMetrics },
  "/openapi.json": { methods: ["GET"], handler: handleOpenApi },
};

export interface SidecarHandler {
  listener: RequestListener;
  creates: CreateRegistry;
  inFlight(): number;
  /** Resolves true once no request is in flight, false when `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Ends every open request (log streams, creates) at shutdown. */
  abortAll(reason: string): void;
}

/** The whole HTTP behaviour as a pure factory: dependencies in, a node:http request listener out. */
export function createSidecarHandler(deps: ServerDependencies): SidecarHandler {
  const creates = createCreateRegistry({ maxRunning: maxRunningCreates(deps.settings) });
  let ready = deps.ready === undefined;
  deps.ready?.then(
    () => {
      ready = true;
    },
    () => undefined,
  );
  const state: RouteState = { deps, creates, isReady: () => ready };
  const isAuthorized = createTokenCheck(deps.settings.authToken);
  const active = new Set<AbortController>();
  let idle: Array<() => void> = [];

  const settle = (): void => {
    if (active.size === 0) {
      const waiting = idle;
      idle = [];
      for (const resolve of waiting) {
        resolve();
      }
    }
  };

  const listener: RequestListener = (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const url = request.url ?? "/";
    const path = url.split("?", 1)[0] ?? "/";
    const route = ROUTES[path];
    const routeName = route === undefined ? "unknown" : path;
    const controller = new AbortController();
    active.add(controller);
    response.on("close", () => {
      if (!response.writableFinished) {
        controller.abort(new Error("the client went away"));
      }
      active.delete(controller);
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.requestDuration.observe({ route: routeName, method: request.method ?? "?" }, seconds);
      deps.metrics.countRequest(routeName, response.statusCode);
      const line = {
        method: request.method,
        route: routeName,
        status: response.statusCode,
        durationMs: Math.round(seconds * 10000) / 10,
        ...(context.podUid === undefined ? {} : { podUid: context.podUid }),
        ...(typeof request.headers["interlink-http-session"] === "string"
          ? { session: request.headers["interlink-http-session"] }
          : {}),
        ...context.log,
        ...(response.writableFinished ? {} : { aborted: true }),
      };
      const message = `${request.method} ${path} ${response.statusCode} ${line.durationMs} ms`;
      if (response.statusCode >= 500) {
        deps.logger.warn(line, message);
      } else if (routeName === "/healthz" || routeName === "/metrics") {
        deps.logger.debug(line, message);
      } else {
        deps.logger.info(line, message);
      }
      if (context.span !== undefined) {
        endRequestSpan(context.span, context, response.statusCode, seconds, response.writableFinished);
      }
      settle();
    });
    const context: RequestContext = {
      request,
      response,
      route: routeName,
      signal: controller.signal,
      log: {},
      ...(deps.tracer?.enabled === true
        ? { span: deps.tracer.startSpan(`${request.method} ${routeName}`) }
        : {}),
    };

    const run = async (): Promise<void> => {
      if (route === undefined) {
        throw new HttpError(
          404,
          "ILD_SIDECAR_NO_ROUTE",
          `no route ${path}: the plugin API is POST /create, GET /status, GET /getLogs, POST /delete (and /healthz, /metrics, /openapi.json)`,
        );
      }
      if (route.methods !== undefined && !route.methods.includes(request.method ?? "")) {
        throw new HttpError(405, "ILD_SIDECAR_METHOD", `${request.method} is not allowed on ${path}`, {
          headers: { allow: route.methods.join(", ") },
        });
      }
      const connections = deps.connections;
      if (connections?.isOver(request.socket) === true) {
        // a connection past Ild.server.maxConnections: /healthz answered, anything else 503; closed after
        if (path !== "/healthz") {
          throw tooManyConnections(deps.settings, connections.max);
        }
        response.setHeader("connection", "close");
      }
      if (route.open !== true && !isAuthorized(request)) {
        throw new HttpError(401, "ILD_SIDECAR_UNAUTHORIZED", "missing or wrong bearer token", {
          headers: { "www-authenticate": 'Bearer realm="ild"' },
        });
      }
      await route.handler(context, state);
    };

    run().catch((error: unknown) => {
      const answer = toHttpError(error, `ild could not answer ${request.method} ${path}`);
      context.log.error = answer.code;
      if (answer.status >= 500) {
        context.log.reason = answer.message;
        const cause = answer.cause;
        if (!IldError.isInstance(cause) && cause instanceof Error && !(cause instanceof HttpError)) {
          deps.logger.error(
            { err: cause, route: routeName },
            `unexpected error on ${path}: ${cause.message}`,
          );
        }
      } else {
        context.log.reason = answer.message;
      }
      if (response.headersSent) {
        response.destroy();
        return;
      }
      // never echo a control character (NUL, escapes) a request put into a message
      sendText(response, answer.status, escapeControl(answer.message), answer.headers);
      if (answer.headers.connection === "close") {
        request.resume();
      }
    });
  };

  return {
    listener,
    creates,
    inFlight: () => active.size,
    drain(timeoutMs) {
      if (active.size === 0) {
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
        idle.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    abortAll(reason) {
      creates.abortAll(reason);
      for (const controller of active) {
        controller.abort(new Error(reason));
      }
    },
  };
}

/** One span per request: route, pod UID, namespace, status code, duration; 5xx and aborted ones are errors. */
function endRequestSpan(
  span: Span,
  context: RequestContext,
  status: number,
  seconds: number,
  finished: boolean,
): void {
  span.setAttribute("http.route", context.route);
  span.setAttribute("http.request.method", context.request.method ?? "?");
  span.setAttribute("http.response.status_code", status);
  span.setAttribute("ild.duration_ms", Math.round(seconds * 10000) / 10);
  if (context.podUid !== undefined) {
    span.setAttribute("k8s.pod.uid", context.podUid);
    span.setAttribute("podUID", context.podUid);
  }
  if (context.namespace !== undefined) {
    span.setAttribute("k8s.namespace.name", context.namespace);
  }
  if (!finished) {
    span.setAttribute("ild.aborted", true);
  }
  const reason = context.log.reason;
  span.end(
    status >= 500 || !finished
      ? new Error(typeof reason === "string" && reason !== "" ? reason : `status ${status}`)
      : undefined,
  );
}
