import type { Readable } from "node:stream";
import type { Logger } from "@ild/common";
import type {
  CreateStruct,
  DeletePod,
  LogRequest,
  NormalizedRetrievedPodData,
  PingResponse,
  PodStatus,
  StatusPod,
} from "../wire-types.js";
import type { ErrorStatusMap } from "./error-status.js";

/** What every handler call gets besides its input. */
export interface RequestContext {
  /** interLink's `InterLink-Http-Session` header (`CreatePod#123`, `Request-<uuid>` for the ping). */
  readonly sessionId?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Aborts when the client goes away (interLink cancels /getLogs that way). */
  readonly signal: AbortSignal;
}

export type LogStreamSource = Readable | AsyncIterable<Uint8Array | string> | string | Uint8Array;

export interface LogsResult {
  /** The log bytes: streamed as they come (flushed per chunk), so Follow works. */
  readonly stream: LogStreamSource;
  /** Default `text/plain; charset=utf-8`. */
  readonly contentType?: string;
}

/** What a plugin implements: plain functions on parsed, validated wire objects. */
export interface PluginImplementation {
  create(data: NormalizedRetrievedPodData, context: RequestContext): Promise<CreateStruct> | CreateStruct;
  /** Should be idempotent. The returned text (default `pod <uid> deleted`) is the 200 body. */
  delete(pod: DeletePod, context: RequestContext): Promise<string | undefined> | string | undefined;
  /** `pods` is `[]` for the ping when `ping` is not implemented. */
  status(pods: StatusPod[], context: RequestContext): Promise<PodStatus[]> | PodStatus[];
  /** The ping (GET /status with `[]`); undefined means `{"status":"ok"}`. */
  ping?(context: RequestContext): Promise<PingResponse | undefined> | PingResponse | undefined;
  logs(request: LogRequest, context: RequestContext): Promise<LogsResult> | LogsResult;
}

export interface PluginHandlerOptions {
  /** IldError code → HTTP status, on top of the defaults (ILD_WIRE_INVALID → 400). */
  errorStatuses?: ErrorStatusMap;
  /** When set, every request needs `Authorization: Bearer <token>` (401 otherwise). interLink sends none. */
  authToken?: string;
  /** Check what the implementation answers against the wire schemas (500 when wrong). Default true. */
  validateResponses?: boolean;
  logger?: Logger;
}

/** The plugin API, ready for handlePluginRequest or toNodeHandler. */
export interface PluginHandlers {
  readonly implementation: PluginImplementation;
  readonly options: Readonly<PluginHandlerOptions>;
}

/** Binds an implementation to the plugin API's routes and rules. */
export function createPluginHandlers(
  implementation: PluginImplementation,
  options: PluginHandlerOptions = {},
): PluginHandlers {
  return Object.freeze({ implementation, options: Object.freeze({ ...options }) });
}
