import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { DockerProtocolError } from "./docker-errors.js";
import { JsonLineSplitter, readJsonLines } from "./json-lines.js";

describe("json lines", () => {
  it("returns only complete lines when a chunk holds one and a half objects", () => {
    const splitter = new JsonLineSplitter();
    expect(splitter.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(splitter.push(':2}\n\n{"c":3}')).toEqual(['{"b":2}']);
    expect(splitter.flush()).toEqual(['{"c":3}']);
  });

  it("keeps a multi-byte character split across chunks intact", () => {
    const splitter = new JsonLineSplitter();
    const bytes = Buffer.from('{"s":"é"}\n');
    const cut = bytes.indexOf(0xc3) + 1;
    expect(splitter.push(bytes.subarray(0, cut))).toEqual([]);
    expect(splitter.push(bytes.subarray(cut))).toEqual(['{"s":"é"}']);
  });

  it("parses a stream cut every few bytes", async () => {
    const payload = Buffer.from('{"n":1}\n{"n":2}\n{"n":3}\n');
    const chunks = [];
    for (let offset = 0; offset < payload.length; offset += 5) {
      chunks.push(payload.subarray(offset, offset + 5));
    }
    const values = [];
    for await (const value of readJsonLines(Readable.from(chunks), "test")) {
      values.push(value);
    }
    expect(values).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("turns a malformed line into a typed protocol error", async () => {
    const iterate = async (): Promise<void> => {
      for await (const _value of readJsonLines(Readable.from([Buffer.from('{"ok":1}\n{broken\n')]), "test")) {
        // consume
      }
    };
    await expect(iterate()).rejects.toBeInstanceOf(DockerProtocolError);
    await expect(iterate()).rejects.toMatchObject({ code: "ILD_DOCKER_PROTOCOL" });
  });
});
