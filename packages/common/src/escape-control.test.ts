import { describe, expect, it } from "vitest";
import { escapeControl } from "./escape-control.js";

describe("escapeControl", () => {
  it("escapes NUL, ESC, CR, DEL and C1 characters, never echoing them raw", () => {
    const escaped = escapeControl("name\u0000x \u001b[31mred\r\u007f\u0085");
    expect(escaped).toBe("name\\u0000x \\u001b[31mred\\u000d\\u007f\\u0085");
    expect([...escaped].every((char) => char.charCodeAt(0) >= 0x20 && char.charCodeAt(0) < 0x7f)).toBe(true);
  });

  it("keeps ordinary text, newlines, tabs and non-ASCII letters as they are", () => {
    const text = "invalid log request:\n\tOpts.Bytes: Tail and Bytes cannot both be set (größe, 名前)";
    expect(escapeControl(text)).toBe(text);
  });
});
