import { createHash, timingSafeEqual } from "node:crypto";
import { escapeControl, noopLogger } from "@ild/common";
import { WireValidationError } from "../errors.js";
import { parseCreateRequest } from "../parse/parse-create-request.js";
import { parseDeleteRequest } from "../parse/parse-delete-request.js";
import { parseLogRequest } from "../parse/parse-log-request.js";
import { parseCreateResponse, parseStatusResponse } from "../parse/parse-responses.js";
import { parseStatusRequest } from "../parse/parse-status-request.js";
import { runSchema } from "../parse/run-schema.js";
import { pingResponseSchema } from "../schemas/ping-schemas.js";
import { errorToMessage, errorToStatus } from "./error-status.js";
import type { LogStreamSource, PluginHandlers, RequestContext } from "./plugin-handlers.js";

/** One HTTP request, framework-agnostic. GET requests may (and for /status, /getLogs do) carry a body. */
export interface PluginRequest {
  method: string;
  /** Path, optionally with a query string (ignored). */
  path: string;
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  body?: Uint8Array | string;
  /** Aborts when the client goes away. */
  signal?: AbortSignal;
}

/** The answer: `body` for everything but logs, `stream` for /getLogs. */
export interface PluginResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
  stream?: AsyncIterable<Uint8Array>;
}

export const SESSION_HEADER = "interlink-http-session";

/** The four paths interLink calls, and the methods accepted on each. */
export const PLUGIN_ROUTES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  "/create": ["POST"],
  "/delete": ["POST", "DELETE"],
  "/status": ["GET", "POST"],
  // interLink calls GET /getLogs with a JSON body; a POST is a wrong call (405), not an empty log
  "/getLogs": ["GET"],
});

const TEXT = "text/plain; charset=utf-8";
const JSON_TYPE = "application/json";

/** A plain-text answer; control characters a request put into it are escaped (never echoed raw). */
function text(status: number, body: string, headers: Record<string, string> = {}): PluginResponse {
  const safe = escapeControl(body);
  return {
    status,
    headers: { "content-type": TEXT, ...headers },
    body: safe.endsWith("\n") ? safe : `${safe}\n`,
  };
}

function json(value: unknown): PluginResponse {
  return { status: 200, headers: { "content-type": JSON_TYPE }, body: JSON.stringify(value) };
}

function headerValue(headers: PluginRequest["headers"], name: string): string | undefined {
  const value = headers?.[name] ?? headers?.[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function sameToken(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function decodeJson(body: PluginRequest["body"], what: string, expected: string): unknown {
  const raw = body === undefined ? "" : typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  if (raw.trim() === "") {
    throw new WireValidationError(what, [{ path: "", message: `the body is empty: expected ${expected}` }]);
  }
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new WireValidationError(
      what,
      [{ path: "", message: `the body is not JSON: ${(error as Error).message}` }],
      {
        cause: error,
      },
    );
  }
}

async function* toByteStream(source: LogStreamSource): AsyncIterable<Uint8Array> {
  if (typeof source === "string") {
    yield Buffer.from(source, "utf8");
    return;
  }
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
  }
}

/** Checks what the implementation returned; a wrong shape is the plugin's fault (500), not the client's. */
function checkResponse(enabled: boolean, check: () => unknown, fallback: unknown): unknown {
  if (!enabled) {
    return fallback;
  }
  try {
    return check();
  } catch (error) {
    if (error instanceof WireValidationError) {
      throw new Error(`the plugin produced an ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Runs one request through the plugin API: route, method, optional bearer token, JSON decoding, wire
 * validation, the implementation, response checks. Exactly 200 on success; 400 with field paths on bad
 * input (bad JSON included); 401 without the configured token; 404 for an unknown path; 405 (with
 * `Allow`) for a wrong method; otherwise the error's mapped status (500 by default) with its message as
 * a plain-text body, which interLink shows in pod.status.message. Never throws.
 */
export async function handlePluginRequest(
  request: PluginRequest,
  handlers: PluginHandlers,
): Promise<PluginResponse> {
  const { implementation, options } = handlers;
  const logger = options.logger ?? noopLogger;
  const path = request.path.split("?")[0] ?? "";
  const method = request.method.toUpperCase();
  const allowed = PLUGIN_ROUTES[path];
  if (allowed === undefined || !Object.hasOwn(PLUGIN_ROUTES, path)) {
    return text(
      404,
      `no such endpoint: ${path} (the plugin API has ${Object.keys(PLUGIN_ROUTES).join(", ")})`,
    );
  }
  if (!allowed.includes(method)) {
    return text(405, `method ${method} is not allowed on ${path} (use ${allowed.join(" or ")})`, {
      allow: allowed.join(", "),
    });
  }
  if (options.authToken !== undefined) {
    const authorization = headerValue(request.headers, "authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1] === undefined || !sameToken(match[1], options.authToken)) {
      return text(401, "missing or wrong bearer token", { "www-authenticate": "Bearer" });
    }
  }
  const sessionId = headerValue(request.headers, SESSION_HEADER);
  const context: RequestContext = {
    headers: request.headers ?? {},
    signal: request.signal ?? new AbortController().signal,
    ...(sessionId === undefined ? {} : { sessionId }),
  };
  const validate = options.validateResponses !== false;

  try {
    switch (path) {
      case "/create": {
        const data = parseCreateRequest(
          decodeJson(request.body, "create request", "one RetrievedPodData JSON object"),
        );
        const result = await implementation.create(data, context);
        return json(checkResponse(validate, () => parseCreateResponse(result), result));
      }
      case "/delete": {
        const pod = parseDeleteRequest(
          decodeJson(request.body, "delete request", "the v1.Pod JSON to delete"),
        );
        const result = await implementation.delete(pod, context);
        return text(200, typeof result === "string" ? result : `pod ${pod.metadata.uid} deleted`);
      }
      case "/status": {
        const pods = parseStatusRequest(
          decodeJson(request.body, "status request", "a JSON array of pods ([] for the ping)"),
        );
        if (pods.length === 0 && implementation.ping !== undefined) {
          const answer = (await implementation.ping(context)) ?? { status: "ok" };
          return json(
            checkResponse(
              validate,
              (): unknown => runSchema(pingResponseSchema, answer, "ping response"),
              answer,
            ),
          );
        }
        const statuses = await implementation.status(pods, context);
        return json(checkResponse(validate, () => parseStatusResponse(statuses), statuses));
      }
      default: {
        const logRequest = parseLogRequest(
          decodeJson(request.body, "log request", "a LogStruct JSON object"),
        );
        const result = await implementation.logs(logRequest, context);
        return {
          status: 200,
          headers: { "content-type": result.contentType ?? TEXT },
          stream: toByteStream(result.stream),
        };
      }
    }
  } catch (error) {
    const status = errorToStatus(error, options.errorStatuses);
    const message = errorToMessage(error);
    const code = (error as { code?: unknown }).code;
    const headers: Record<string, string> = typeof code === "string" ? { "x-ild-error-code": code } : {};
    if (status >= 500) {
      logger.error({ path, sessionId, status, code }, `plugin ${path} failed: ${message}`);
    } else {
      logger.warn({ path, sessionId, status, code }, `plugin ${path} rejected: ${message}`);
    }
    if (error instanceof WireValidationError) {
      const lines = error.issues.map((issue) =>
        issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`,
      );
      return text(status, `invalid ${error.what}:\n${lines.map((line) => `  ${line}`).join("\n")}`, headers);
    }
    return text(status, message, headers);
  }
}
