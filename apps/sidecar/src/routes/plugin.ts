import { once } from "node:events";
import type { ServerResponse } from "node:http";
import {
  createPluginHandlers,
  handlePluginRequest,
  type RequestContext as PluginContext,
  type PluginHandlers,
} from "@ild/interlink-api/server";
import { readBody } from "../http-io.js";
import { retryAfterSeconds } from "../limits.js";
import { createSidecarPlugin } from "../plugin-implementation.js";
import type { RequestContext, RouteHandler, RouteState } from "../route-context.js";
import { statusForCode } from "../to-http-error.js";

/** Every `ILD_*` code maps to a status by its kind (see to-http-error.ts). */
const errorStatuses: Record<string, number> = new Proxy({} as Record<string, number>, {
  get: (_target, code) => (typeof code === "string" ? statusForCode(code) : undefined),
});

const contexts = new WeakMap<AbortSignal, RequestContext>();
const handlersByState = new WeakMap<RouteState, PluginHandlers>();

function handlersFor(state: RouteState): PluginHandlers {
  let handlers = handlersByState.get(state);
  if (handlers === undefined) {
    const plugin = createSidecarPlugin(state.deps, state.creates, (context: PluginContext) =>
      contexts.get(context.signal),
    );
    // Authentication is the sidecar's (it also covers /metrics and /openapi.json), not passed here.
    handlers = createPluginHandlers(plugin, { errorStatuses, logger: state.deps.logger });
    handlersByState.set(state, handlers);
  }
  return handlers;
}

/**
 * interLink's four calls through @ild/interlink-api's server layer (JSON decoding, wire validation with
 * field paths, exactly 200 on success, responses checked against the wire schemas), after the sidecar's
 * own body limit. Log streams are written chunk by chunk as they arrive (flushed), until they end or the
 * client goes away.
 */
export const handlePluginRoute: RouteHandler = async (context, state) => {
  const { request, response } = context;
  const body = await readBody(request, state.deps.settings.bodyLimitBytes);
  contexts.set(context.signal, context);
  const answer = await handlePluginRequest(
    {
      method: request.method ?? "GET",
      path: request.url ?? "/",
      headers: request.headers,
      body,
      signal: context.signal,
    },
    handlersFor(state),
  );
  if (answer.status !== 200) {
    context.log.error = answer.headers["x-ild-error-code"] ?? answer.status;
    context.log.reason = answer.body?.trim();
  }
  if (answer.status === 429 || answer.status === 503) {
    // past a limit (creates in flight, pool exhausted): when to come back
    answer.headers["retry-after"] ??= String(retryAfterSeconds(state.deps.settings));
  }
  if (answer.stream === undefined) {
    const text = answer.body ?? "";
    response.writeHead(answer.status, {
      ...answer.headers,
      "content-length": Buffer.byteLength(text),
      "cache-control": "no-store",
      ...(answer.headers["content-type"]?.startsWith("text/") ? { "x-content-type-options": "nosniff" } : {}),
    });
    response.end(text);
    return;
  }
  await writeStream(response, answer.status, answer.headers, answer.stream, context);
};

async function writeStream(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  stream: AsyncIterable<Uint8Array>,
  context: RequestContext,
): Promise<void> {
  response.writeHead(status, {
    ...headers,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  response.socket?.setNoDelay(true);
  response.flushHeaders();
  let bytes = 0;
  const iterator = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true || context.signal.aborted) {
        break;
      }
      bytes += next.value.length;
      if (!response.write(next.value)) {
        await Promise.race([once(response, "drain"), once(response, "close")]);
      }
    }
  } catch (error) {
    if (!context.signal.aborted) {
      context.log.streamError = (error as Error).message;
    }
  } finally {
    context.log.bytes = bytes;
    await iterator.return?.().catch(() => undefined);
  }
  if (!response.destroyed) {
    response.end();
  }
}
