import { describe, expect, it } from "vitest";
import { LogLineSplitter } from "./demux.js";

describe("LogLineSplitter with a line length cap", () => {
  it("hands on a line without newline in pieces of maxLineBytes, never holding more", () => {
    const splitter = new LogLineSplitter(false, 8);
    const out = [
      ...splitter.push({ stream: "stdout", data: Buffer.from("abcde") }),
      ...splitter.push({ stream: "stdout", data: Buffer.from("fghijklmnopqrst") }),
    ];
    expect(out.map((line) => line.data.toString())).toEqual(["abcdefgh", "ijklmnop"]);
    expect(splitter.flush().map((line) => line.data.toString())).toEqual(["qrst"]);
  });

  it("keeps ordinary lines whole and joins a line split over frames", () => {
    const splitter = new LogLineSplitter(false, 8);
    const out = [
      ...splitter.push({ stream: "stdout", data: Buffer.from("one\ntw") }),
      ...splitter.push({ stream: "stderr", data: Buffer.from("err\n") }),
      ...splitter.push({ stream: "stdout", data: Buffer.from("o\n") }),
    ];
    expect(out.map((line) => `${line.stream}:${line.data.toString()}`)).toEqual([
      "stdout:one\n",
      "stderr:err\n",
      "stdout:two\n",
    ]);
    expect(splitter.flush()).toEqual([]);
  });
});
