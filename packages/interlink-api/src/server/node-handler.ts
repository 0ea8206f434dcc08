import type { IncomingMessage, ServerResponse } from "node:http";
import { noopLogger } from "@ild/common";
import { handlePluginRequest, type PluginResponse } from "./handle-plugin-request.js";
import type { PluginHandlers } from "./plugin-handlers.js";

export interface NodeHandlerOptions {
  /** Largest accepted body; larger ones get 413. Default 32 MiB. */
  bodyLimitBytes?: number;
}

class BodyTooLargeError extends Error {}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    throw new BodyTooLargeError();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      throw new BodyTooLargeError();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function waitForDrain(response: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    response.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

async function send(response: ServerResponse, answer: PluginResponse, signal: AbortSignal): Promise<void> {
  response.writeHead(answer.status, answer.headers);
  if (answer.stream === undefined) {
    response.end(answer.body ?? "");
    return;
  }
  // Logs: headers go out at once, every chunk is written as it comes (Node flushes each write).
  response.flushHeaders();
  for await (const chunk of answer.stream) {
    if (signal.aborted) {
      break;
    }
    if (!response.write(chunk)) {
      await waitForDrain(response, signal);
    }
  }
  response.end();
}

/**
 * A node:http request listener for the plugin API: `http.createServer(toNodeHandler(handlers))` on a TCP
 * port or a unix socket. Reads the body of every method (GET included) up to `bodyLimitBytes` (413
 * beyond), aborts the handler's signal when the client disconnects, streams /getLogs.
 */
export function toNodeHandler(
  handlers: PluginHandlers,
  options: NodeHandlerOptions = {},
): (request: IncomingMessage, response: ServerResponse) => void {
  const limit = options.bodyLimitBytes ?? 32 * 1024 * 1024;
  const logger = handlers.options.logger ?? noopLogger;
  return (request, response) => {
    const controller = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) {
        controller.abort(new Error("the client closed the connection"));
      }
    });
    const run = async (): Promise<void> => {
      let body: Buffer;
      try {
        body = await readBody(request, limit);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          response.writeHead(413, { "content-type": "text/plain; charset=utf-8", connection: "close" });
          response.end(`request body larger than ${limit} bytes\n`);
          request.resume();
          return;
        }
        throw error;
      }
      const answer = await handlePluginRequest(
        {
          method: request.method ?? "GET",
          path: request.url ?? "/",
          headers: request.headers,
          body,
          signal: controller.signal,
        },
        handlers,
      );
      await send(response, answer, controller.signal);
    };
    run().catch((error: unknown) => {
      logger.error(
        { err: (error as Error).message, path: request.url },
        "plugin request failed while responding",
      );
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        response.end(`${(error as Error).message}\n`);
      } else if (response.socket) {
        // Mid-stream failure (logs): the status is gone already. Deliver what was written, then close the
        // connection without the final chunk, so the client sees a truncated answer, not a complete one.
        response.socket.end();
      } else {
        response.destroy(error as Error);
      }
    });
  };
}
