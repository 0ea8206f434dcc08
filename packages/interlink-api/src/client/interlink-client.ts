import { randomInt, randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { Agent, type Dispatcher, request } from "undici";
import { WireValidationError } from "../errors.js";
import { parseCreateResponse, parsePingResponse, parseStatusResponse } from "../parse/parse-responses.js";
import type {
  CreateStruct,
  LogStruct,
  PingResponse,
  Pod,
  PodStatus,
  RetrievedPodData,
} from "../wire-types.js";
import { PluginHttpError } from "./plugin-http-error.js";

export interface InterlinkClientOptions {
  /** `http://127.0.0.1:4000` (no path). One of baseUrl / socketPath is required. */
  baseUrl?: string;
  /** A unix socket: requests go to `http://localhost/<path>` over it. */
  socketPath?: string;
  /** Sent as `Authorization: Bearer <token>` (ild's optional auth; interLink itself sends none). */
  token?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Time to wait for response headers, like interLink's ResponseHeaderTimeout. Default 120 000 ms. */
  headersTimeoutMs?: number;
  /** Use this undici dispatcher instead of the client's own Agent (then close() leaves it open). */
  dispatcher?: Dispatcher;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** `InterLink-Http-Session` value; default like interLink's (`CreatePod#123456`, `Request-<uuid>`). */
  sessionId?: string;
}

export interface PingResult {
  /** The raw 200 body. */
  body: string;
  /** The body as a PingResponse when it is one (interLink >= 0.6.2), as the VK reads it. */
  response?: PingResponse;
}

/** A client for the plugin API that speaks exactly like interLink (GET with JSON bodies included). */
export interface InterlinkClient {
  create(data: RetrievedPodData, options?: CallOptions): Promise<CreateStruct>;
  status(pods: readonly Pod[], options?: CallOptions): Promise<PodStatus[]>;
  ping(options?: CallOptions): Promise<PingResult>;
  /** The log bytes as a stream; with `Opts.Follow` it stays open until the plugin ends it. */
  logs(request: LogStruct, options?: CallOptions): Promise<Readable>;
  /** Returns the 200 body. */
  delete(pod: Pod, options?: CallOptions): Promise<string>;
  close(): Promise<void>;
}

type Operation = "CreatePod" | "DeletePod" | "GetStatus" | "GetLogs" | "Ping";

function defaultSession(operation: Operation): string {
  return operation === "Ping" ? `Request-${randomUUID()}` : `${operation}#${randomInt(1, 1_000_000)}`;
}

/**
 * Creates a plugin API client over TCP (`baseUrl`) or a unix socket (`socketPath`), on undici's own
 * `request` and an undici Agent. Non-200 answers throw PluginHttpError (status + body); answers that do
 * not match the wire contract throw WireValidationError.
 */
export function createInterlinkClient(options: InterlinkClientOptions): InterlinkClient {
  if ((options.baseUrl === undefined) === (options.socketPath === undefined)) {
    throw new TypeError("createInterlinkClient: give exactly one of baseUrl or socketPath");
  }
  const origin = options.baseUrl === undefined ? "http://localhost" : new URL(options.baseUrl).origin;
  const ownDispatcher =
    options.dispatcher === undefined
      ? new Agent(options.socketPath === undefined ? {} : { connect: { socketPath: options.socketPath } })
      : undefined;
  const dispatcher = options.dispatcher ?? (ownDispatcher as Dispatcher);
  const headersTimeout = options.headersTimeoutMs ?? 120_000;

  async function call(
    method: "GET" | "POST",
    path: string,
    payload: unknown,
    operation: Operation,
    callOptions: CallOptions = {},
    streaming = false,
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      ...options.headers,
      "content-type": "application/json",
      "interlink-http-session": callOptions.sessionId ?? defaultSession(operation),
    };
    if (options.token !== undefined) {
      headers.authorization = `Bearer ${options.token}`;
    }
    const response = await request(`${origin}${path}`, {
      method,
      headers,
      body: JSON.stringify(payload),
      dispatcher,
      headersTimeout,
      // Follow streams may be quiet for a long time.
      bodyTimeout: streaming ? 0 : headersTimeout,
      ...(callOptions.signal === undefined ? {} : { signal: callOptions.signal }),
    });
    if (response.statusCode !== 200) {
      const body = await response.body.text();
      throw new PluginHttpError(path, response.statusCode, body);
    }
    return response;
  }

  async function jsonBody(response: Dispatcher.ResponseData, what: string): Promise<unknown> {
    const raw = await response.body.text();
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw new WireValidationError(
        what,
        [{ path: "", message: `the body is not JSON: ${raw.slice(0, 200)}` }],
        {
          cause: error,
        },
      );
    }
  }

  return {
    async create(data, callOptions) {
      const response = await call("POST", "/create", data, "CreatePod", callOptions);
      return parseCreateResponse(await jsonBody(response, "create response"));
    },
    async status(pods, callOptions) {
      const response = await call("GET", "/status", pods, "GetStatus", callOptions);
      return parseStatusResponse(await jsonBody(response, "status response"));
    },
    async ping(callOptions) {
      const response = await call("GET", "/status", [], "Ping", callOptions);
      const body = await response.body.text();
      let parsed: PingResponse | undefined;
      try {
        parsed = parsePingResponse(JSON.parse(body));
      } catch {
        parsed = undefined;
      }
      return parsed === undefined ? { body } : { body, response: parsed };
    },
    async logs(logRequest, callOptions) {
      const response = await call("GET", "/getLogs", logRequest, "GetLogs", callOptions, true);
      return response.body as unknown as Readable;
    },
    async delete(pod, callOptions) {
      const response = await call("POST", "/delete", pod, "DeletePod", callOptions);
      return response.body.text();
    },
    async close() {
      await ownDispatcher?.close();
    },
  };
}
