import { Readable } from "node:stream";
import type { DockerClient, LogLine, LogOptions } from "@ild/dind-pool";
import type { Clock, LogRequestOptions } from "../runner-types.js";

/** kubectl's log options → the engine's (`since` in Unix seconds, `tail` in lines). */
export function toEngineLogOptions(options: LogRequestOptions, clock: Clock): LogOptions {
  const engine: LogOptions = { stdout: true, stderr: true, timestamps: options.timestamps === true };
  if (options.tail !== undefined && options.tail >= 0) {
    engine.tail = options.tail;
  }
  if (options.sinceSeconds !== undefined && options.sinceSeconds > 0) {
    engine.since = clock.now() / 1000 - options.sinceSeconds;
  } else if (options.sinceTime !== undefined && options.sinceTime.getTime() > 0) {
    engine.since = options.sinceTime.getTime() / 1000;
  }
  return engine;
}

export function formatLine(line: LogLine, timestamps: boolean): Buffer {
  if (timestamps && line.timestamp !== undefined) {
    return Buffer.concat([Buffer.from(`${line.timestamp} `), line.data]);
  }
  return line.data;
}

async function* limited(
  lines: AsyncIterable<LogLine> | Iterable<LogLine>,
  timestamps: boolean,
  limitBytes: number | undefined,
  done: () => void,
): AsyncGenerator<Buffer> {
  let left = limitBytes !== undefined && limitBytes > 0 ? limitBytes : Number.POSITIVE_INFINITY;
  try {
    for await (const line of lines) {
      const chunk = formatLine(line, timestamps);
      if (chunk.length >= left) {
        yield chunk.subarray(0, left);
        return;
      }
      left -= chunk.length;
      yield chunk;
    }
  } finally {
    done();
  }
}

/**
 * One container instance's logs as a byte stream, stdout and stderr interleaved in engine order,
 * read from the engine only as fast as the reader takes them (never the whole log in memory; `tail`
 * is the engine's, `limitBytes` stops reading once reached). `follow` ends when the container stops;
 * both end when `signal` aborts or the reader destroys the stream.
 */
export async function openLogs(
  docker: DockerClient,
  containerId: string,
  options: LogRequestOptions,
  clock: Clock,
): Promise<Readable> {
  const engineOptions = toEngineLogOptions(options, clock);
  const timestamps = options.timestamps === true;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const lines =
    options.follow === true
      ? docker.followLogs(containerId, { ...engineOptions, signal })
      : docker.streamLogs(containerId, { ...engineOptions, signal });
  const stream = Readable.from(
    limited(lines, timestamps, options.limitBytes, () => controller.abort()),
    { objectMode: false },
  );
  stream.once("close", () => controller.abort());
  return stream;
}
