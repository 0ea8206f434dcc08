import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { encodeFrame } from "../testing/fake-engine.js";
import { demuxBuffer, demuxLogBuffer, demuxLogStream, FrameDecoder, splitTimestamp } from "./demux.js";

describe("demux", () => {
  it("splits a buffer into stdout and stderr frames in order", () => {
    const buffer = Buffer.concat([encodeFrame("stdout", "out line\n"), encodeFrame("stderr", "err line\n")]);
    const frames = demuxBuffer(buffer);
    expect(frames.map((frame) => [frame.stream, frame.data.toString()])).toEqual([
      ["stdout", "out line\n"],
      ["stderr", "err line\n"],
    ]);
  });

  it("reassembles frames whose header and payload are split across chunks", () => {
    const buffer = Buffer.concat([encodeFrame("stdout", "hello\n"), encodeFrame("stderr", "world\n")]);
    const decoder = new FrameDecoder();
    const frames = [];
    for (let offset = 0; offset < buffer.length; offset += 3) {
      frames.push(...decoder.push(buffer.subarray(offset, offset + 3)));
    }
    expect(frames.map((frame) => frame.data.toString())).toEqual(["hello\n", "world\n"]);
    expect(decoder.remainder).toBe(0);
  });

  it("reports a truncated trailing frame as remainder", () => {
    const decoder = new FrameDecoder();
    decoder.push(encodeFrame("stdout", "abcdef").subarray(0, 10));
    expect(decoder.remainder).toBe(10);
  });

  it("joins a line split over two frames of the same stream and splits several lines of one frame", () => {
    const buffer = Buffer.concat([
      encodeFrame("stdout", "par"),
      encodeFrame("stderr", "e1\n"),
      encodeFrame("stdout", "tial\nsecond\nlast"),
    ]);
    const lines = demuxLogBuffer(buffer).map((line) => [line.stream, line.data.toString()]);
    expect(lines).toEqual([
      ["stderr", "e1\n"],
      ["stdout", "partial\n"],
      ["stdout", "second\n"],
      ["stdout", "last"],
    ]);
  });

  it("splits RFC3339Nano timestamps off lines", () => {
    const buffer = encodeFrame("stdout", "2026-11-23T06:00:00.123456789Z hello world\n");
    const [line] = demuxLogBuffer(buffer, { timestamps: true });
    expect(line?.timestamp).toBe("2026-11-23T06:00:00.123456789Z");
    expect(line?.data.toString()).toBe("hello world\n");
    expect(splitTimestamp(Buffer.from("no timestamp here\n")).timestamp).toBeUndefined();
  });

  it("treats TTY output as raw stdout", () => {
    const lines = demuxLogBuffer(Buffer.from("a\nb\n"), { tty: true });
    expect(lines.map((line) => [line.stream, line.data.toString()])).toEqual([
      ["stdout", "a\n"],
      ["stdout", "b\n"],
    ]);
  });

  it("demuxes a stream into lines", async () => {
    const payload = Buffer.concat([encodeFrame("stdout", "one\n"), encodeFrame("stderr", "two\n")]);
    const chunks = [payload.subarray(0, 5), payload.subarray(5, 13), payload.subarray(13)];
    const lines = [];
    for await (const line of demuxLogStream(Readable.from(chunks))) {
      lines.push(`${line.stream}:${line.data.toString()}`);
    }
    expect(lines).toEqual(["stdout:one\n", "stderr:two\n"]);
  });
});
