import { once } from "node:events";
import { parseLogRequest } from "@ild/interlink-api";
import type { LogRequestOptions } from "@ild/pod-runner";
import { parseJsonBody, readBody } from "../http-io.js";
import { checkContainerName, checkPodUid } from "../pod-identity.js";
import type { RouteHandler } from "../route-context.js";
import { toHttpError } from "../to-http-error.js";

/**
 * GET /getLogs: a LogStruct → the container's raw log bytes. Every option is honoured (Tail, Bytes,
 * Timestamps, Previous, SinceSeconds, SinceTime); with Follow the answer is a chunked stream, each chunk
 * written (flushed) as it arrives, until the container ends or the client goes away.
 */
export const handleGetLogs: RouteHandler = async (context, { deps }) => {
  const body = parseJsonBody(await readBody(context.request, deps.settings.bodyLimitBytes));
  const request = parseLogRequest(body);
  checkPodUid("log request", "PodUID", request.podUID);
  checkContainerName("log request", "ContainerName", request.containerName);
  context.podUid = request.podUID;
  context.log.container = request.containerName;
  if (request.follow) {
    context.log.follow = true;
  }
  await deps.ready;
  const options: LogRequestOptions = {
    timestamps: request.timestamps,
    follow: request.follow,
    previous: request.previous,
    signal: context.signal,
  };
  if (request.tail !== undefined) {
    options.tail = request.tail;
  }
  if (request.limitBytes !== undefined) {
    options.limitBytes = request.limitBytes;
  }
  if (request.sinceSeconds !== undefined) {
    options.sinceSeconds = request.sinceSeconds;
  }
  if (request.sinceTime !== undefined) {
    options.sinceTime = request.sinceTime;
  }
  const action = `ild could not read the logs of container ${request.containerName} of pod ${request.namespace}/${request.podName} (${request.podUID})`;
  let stream: NodeJS.ReadableStream;
  try {
    stream = await deps.runner.logs(request.podUID, request.containerName, options);
  } catch (error) {
    throw toHttpError(error, action);
  }
  const response = context.response;
  response.writeHead(200, {
    "content-type": "text/plain; charset=utf-8",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
  });
  if (request.follow) {
    response.socket?.setNoDelay(true);
    response.flushHeaders();
  }
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      if (context.signal.aborted) {
        break;
      }
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      bytes += buffer.length;
      if (!response.write(buffer)) {
        await Promise.race([once(response, "drain"), once(response, "close")]);
      }
    }
  } catch (error) {
    if (!context.signal.aborted) {
      deps.logger.warn({ podUid: request.podUID, err: (error as Error).message }, "log stream failed");
    }
  } finally {
    context.log.bytes = bytes;
    destroyStream(stream);
  }
  if (!response.destroyed) {
    response.end();
  }
};

function destroyStream(stream: NodeJS.ReadableStream): void {
  const destroyable = stream as NodeJS.ReadableStream & { destroy?: () => void };
  destroyable.destroy?.();
}
