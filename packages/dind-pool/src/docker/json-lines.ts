/**
 * Newline-delimited JSON (events, pull/load progress). Chunk boundaries never align with objects:
 * a chunk may hold one and a half objects, so we buffer up to the newline before parsing.
 */
import type { Readable } from "node:stream";
import { DockerProtocolError } from "./docker-errors.js";

/** Incremental line splitter: push chunks, get complete (non-empty) lines. */
export class JsonLineSplitter {
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8");

  push(chunk: Buffer | string): string[] {
    this.pending += typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    const parts = this.pending.split("\n");
    this.pending = parts.pop() ?? "";
    return parts.map((line) => line.trim()).filter((line) => line !== "");
  }

  flush(): string[] {
    this.pending += this.decoder.decode();
    const rest = this.pending.trim();
    this.pending = "";
    return rest === "" ? [] : [rest];
  }
}

/** Parses one line; a malformed line is a typed protocol error, never an uncaught throw. */
export function parseJsonLine(operation: string, line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new DockerProtocolError(operation, `malformed JSON line: ${line.slice(0, 200)}`, { cause: error });
  }
}

/** Parsed objects of an NDJSON stream, in order, ending with the stream. */
export async function* readJsonLines(source: Readable, operation: string): AsyncGenerator<unknown> {
  const splitter = new JsonLineSplitter();
  for await (const chunk of source) {
    for (const line of splitter.push(chunk as Buffer)) {
      yield parseJsonLine(operation, line);
    }
  }
  for (const line of splitter.flush()) {
    yield parseJsonLine(operation, line);
  }
}
