import { isUnsetTime, logStructSchema } from "../schemas/log-schemas.js";
import type { LogRequest, LogStruct } from "../wire-types.js";
import { runSchema } from "./run-schema.js";

/**
 * Checks a GET /getLogs body (LogStruct) with interLink 0.6.2's rules (DNS-label Namespace and
 * ContainerName, lowercase-UUID PodUID, not Tail with Bytes, not SinceSeconds with SinceTime) and returns
 * friendly options: zero values and Go's zero time become undefined; a negative Tail means "all".
 */
export function parseLogRequest(body: unknown): LogRequest {
  const parsed = runSchema(logStructSchema, body, "log request");
  const opts = parsed.Opts;
  const request: LogRequest = {
    namespace: parsed.Namespace,
    podUID: parsed.PodUID,
    podName: parsed.PodName,
    containerName: parsed.ContainerName,
    timestamps: opts.Timestamps === true,
    follow: opts.Follow === true,
    previous: opts.Previous === true,
    raw: parsed as unknown as LogStruct,
  };
  if (opts.Tail !== undefined && opts.Tail !== null && opts.Tail > 0) {
    request.tail = opts.Tail;
  }
  if (opts.Bytes !== undefined && opts.Bytes !== null && opts.Bytes > 0) {
    request.limitBytes = opts.Bytes;
  }
  if (opts.SinceSeconds !== undefined && opts.SinceSeconds !== null && opts.SinceSeconds > 0) {
    request.sinceSeconds = opts.SinceSeconds;
  }
  if (!isUnsetTime(opts.SinceTime)) {
    request.sinceTime = new Date(opts.SinceTime as string);
  }
  return request;
}
