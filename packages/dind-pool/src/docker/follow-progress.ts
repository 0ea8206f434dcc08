/**
 * Our replacement for docker-modem's `followProgress`: reads a pull/load/build NDJSON progress
 * stream and REJECTS on the first in-band `error`/`errorDetail` line (the engine answered HTTP 200),
 * on a malformed line, on a stream error, and when the signal aborts. Resolves with every event.
 */
import type { Readable } from "node:stream";
import { DockerStreamError } from "./docker-errors.js";
import { readJsonLines } from "./json-lines.js";

export interface ProgressEvent {
  status?: string;
  id?: string;
  progress?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  [key: string]: unknown;
}

export async function followProgress(
  source: Readable,
  operation: string,
  options: { signal?: AbortSignal; onProgress?: (event: ProgressEvent) => void } = {},
): Promise<ProgressEvent[]> {
  const { signal } = options;
  const onAbort = (): void => {
    source.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
  };
  if (signal?.aborted) {
    onAbort();
    throw signal.reason;
  }
  signal?.addEventListener("abort", onAbort, { once: true });
  const events: ProgressEvent[] = [];
  try {
    for await (const value of readJsonLines(source, operation)) {
      const event = (
        typeof value === "object" && value !== null ? value : { status: String(value) }
      ) as ProgressEvent;
      if (event.error !== undefined || event.errorDetail !== undefined) {
        const message = event.error ?? event.errorDetail?.message ?? "unknown error";
        throw new DockerStreamError(operation, message);
      }
      events.push(event);
      options.onProgress?.(event);
    }
  } catch (error) {
    if (signal?.aborted) {
      throw signal.reason;
    }
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!source.destroyed) {
      source.destroy();
    }
  }
  return events;
}
