import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@ild/common";
import type { PoolStats } from "@ild/dind-pool";
import type { ResourceCapacity } from "@ild/gpu";
import type { Runner } from "@ild/pod-runner";
import type { ConnectionLimit } from "./connection-limit.js";
import type { CreateRegistry } from "./create-registry.js";
import type { SidecarMetrics } from "./metrics.js";
import type { PingSettings } from "./ping.js";
import type { Span, Tracer } from "./tracing.js";

export interface ServerSettings {
  /** Bearer token every route but /healthz needs; unset = no authentication. */
  authToken?: string;
  bodyLimitBytes: number;
  /** Deadline of one /create (interLink waits 120 s for the answer's headers). */
  createTimeoutMs: number;
  ping: PingSettings;
  /** Creates that run at once (Ild.server.maxConcurrentCreates); more wait in a FIFO queue. Default 4. */
  maxConcurrentCreates?: number;
  /** Creates that may wait for a slot (Ild.server.maxQueuedCreates); past it: 429. Default 256. */
  maxQueuedCreates?: number;
  /** Retry-After of 429/503 answers (Ild.server.retryAfterSeconds). Default 5. */
  retryAfterSeconds?: number;
}

export interface ServerDependencies {
  runner: Runner;
  settings: ServerSettings;
  logger: Logger;
  metrics: SidecarMetrics;
  poolStats?: () => PoolStats | undefined;
  deviceCapacity?: () => ResourceCapacity[];
  openApi: () => unknown;
  /** GET /metrics answers 404 when false (Ild.metrics.enabled). Default true. */
  metricsEnabled?: boolean;
  /** Resolves once the runner recovered what survived a restart; pod routes wait for it. */
  ready?: Promise<void>;
  tracer?: Tracer;
  /** Open connections over all listeners (Ild.server.maxConnections); unset: no limit. */
  connections?: ConnectionLimit;
}

/** What one request carries through its handler; logged in one line when it ends. */
export interface RequestContext {
  request: IncomingMessage;
  response: ServerResponse;
  route: string;
  /** Set by handlers as soon as they know it. */
  podUid?: string;
  /** The pod's namespace, set by handlers as soon as they know it (span attribute). */
  namespace?: string;
  /** The request's span when tracing is on (handlers open child spans for their phases). */
  span?: Span;
  /** Aborts when the client goes away or the server shuts down. */
  signal: AbortSignal;
  /** Extra fields for the request's log line. */
  log: Record<string, unknown>;
}

export interface RouteState {
  deps: ServerDependencies;
  creates: CreateRegistry;
  /** True once `deps.ready` resolved. */
  isReady: () => boolean;
}

export type RouteHandler = (context: RequestContext, state: RouteState) => Promise<void>;
