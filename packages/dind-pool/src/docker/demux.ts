/**
 * Docker's multiplexed stream format (non-TTY attach, logs and exec): every frame is an 8-byte header
 * `[stream, 0, 0, 0, size (u32 big-endian)]` followed by `size` bytes. stream 0 = stdin, 1 = stdout,
 * 2 = stderr. Pure code: works on Buffers (non-follow logs) and on streams (follow logs, exec).
 */
import type { Readable } from "node:stream";
import type { LogLine } from "./docker-client.js";

export interface Frame {
  stream: "stdout" | "stderr";
  data: Buffer;
}

const headerSize = 8;

/** Incremental frame decoder: feed chunks as they come, get complete frames back. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= headerSize) {
      const type = this.pending[offset];
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - headerSize < size) {
        break;
      }
      const data = this.pending.subarray(offset + headerSize, offset + headerSize + size);
      offset += headerSize + size;
      // stdin (0) never carries output; treat unknown types as stdout rather than dropping bytes
      frames.push({ stream: type === 2 ? "stderr" : "stdout", data: Buffer.from(data) });
    }
    this.pending = offset === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(offset);
    return frames;
  }

  /** Bytes of an incomplete frame left at the end (a truncated stream). */
  get remainder(): number {
    return this.pending.length;
  }
}

/** Demultiplexes a complete buffer (what `logs` without `follow` returns). */
export function demuxBuffer(buffer: Buffer): Frame[] {
  return new FrameDecoder().push(buffer);
}

/** Splits a timestamped log line `2024-01-01T00:00:00.123456789Z text` into its parts. */
export function splitTimestamp(line: Buffer): { timestamp: string | undefined; data: Buffer } {
  const space = line.indexOf(0x20);
  if (space > 0 && space <= 40) {
    const candidate = line.subarray(0, space).toString("latin1");
    if (/^\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})$/.test(candidate)) {
      return { timestamp: candidate, data: line.subarray(space + 1) };
    }
  }
  return { timestamp: undefined, data: line };
}

/** A line longer than this is handed on in pieces of this size (a log without newlines stays bounded). */
export const MAX_LOG_LINE_BYTES = 1024 * 1024;

/**
 * Turns frames into lines, per stream (a line split over two frames of the same stream is joined;
 * stdout and stderr keep their relative order of completion). Call `flush()` at the end. A line is
 * never held past `maxLineBytes`: a longer one comes out in pieces.
 */
export class LogLineSplitter {
  private readonly partial: Record<"stdout" | "stderr", Buffer[]> = { stdout: [], stderr: [] };
  private readonly partialBytes: Record<"stdout" | "stderr", number> = { stdout: 0, stderr: 0 };

  constructor(
    private readonly timestamps: boolean,
    private readonly maxLineBytes = MAX_LOG_LINE_BYTES,
  ) {}

  push(frame: Frame): LogLine[] {
    const lines: LogLine[] = [];
    let data = frame.data;
    let newline = data.indexOf(0x0a);
    while (newline !== -1) {
      const head = data.subarray(0, newline + 1);
      const parts = this.partial[frame.stream];
      const whole = parts.length > 0 ? Buffer.concat([...parts, head]) : Buffer.from(head);
      this.partial[frame.stream] = [];
      this.partialBytes[frame.stream] = 0;
      lines.push(this.toLine(frame.stream, whole));
      data = data.subarray(newline + 1);
      newline = data.indexOf(0x0a);
    }
    while (data.length > 0) {
      const room = this.maxLineBytes - this.partialBytes[frame.stream];
      this.partial[frame.stream].push(Buffer.from(data.subarray(0, room)));
      this.partialBytes[frame.stream] += Math.min(room, data.length);
      data = data.subarray(room);
      if (this.partialBytes[frame.stream] >= this.maxLineBytes) {
        lines.push(this.toLine(frame.stream, Buffer.concat(this.partial[frame.stream])));
        this.partial[frame.stream] = [];
        this.partialBytes[frame.stream] = 0;
      }
    }
    return lines;
  }

  flush(): LogLine[] {
    const lines: LogLine[] = [];
    for (const stream of ["stdout", "stderr"] as const) {
      const parts = this.partial[stream];
      if (parts.length > 0) {
        lines.push(this.toLine(stream, Buffer.concat(parts)));
        this.partial[stream] = [];
        this.partialBytes[stream] = 0;
      }
    }
    return lines;
  }

  private toLine(stream: "stdout" | "stderr", whole: Buffer): LogLine {
    if (!this.timestamps) {
      return { stream, data: whole };
    }
    const { timestamp, data } = splitTimestamp(whole);
    return timestamp === undefined ? { stream, data } : { stream, timestamp, data };
  }
}

/** Log lines of a complete multiplexed buffer, in engine order. */
export function demuxLogBuffer(
  buffer: Buffer,
  options: { timestamps?: boolean; tty?: boolean } = {},
): LogLine[] {
  const splitter = new LogLineSplitter(options.timestamps === true);
  const frames: Frame[] = options.tty ? [{ stream: "stdout", data: buffer }] : demuxBuffer(buffer);
  const lines: LogLine[] = [];
  for (const frame of frames) {
    lines.push(...splitter.push(frame));
  }
  lines.push(...splitter.flush());
  return lines;
}

/** Frames of a multiplexed stream (or raw TTY output as stdout frames), ending with the stream. */
export async function* demuxStream(source: Readable, options: { tty?: boolean } = {}): AsyncGenerator<Frame> {
  const decoder = new FrameDecoder();
  for await (const chunk of source) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    if (options.tty) {
      yield { stream: "stdout", data: buffer };
      continue;
    }
    for (const frame of decoder.push(buffer)) {
      yield frame;
    }
  }
}

/** Log lines of a multiplexed stream, ending with the stream (a last line without newline included). */
export async function* demuxLogStream(
  source: Readable,
  options: { timestamps?: boolean; tty?: boolean } = {},
): AsyncGenerator<LogLine> {
  const splitter = new LogLineSplitter(options.timestamps === true);
  for await (const frame of demuxStream(source, options)) {
    yield* splitter.push(frame);
  }
  yield* splitter.flush();
}
