import { describe, expect, it } from "vitest";
import { BoundedOutput } from "./bounded-output.js";

describe("BoundedOutput", () => {
  it("keeps everything without a limit", () => {
    const output = new BoundedOutput();
    output.push(Buffer.from("hello "));
    output.push(Buffer.from("world"));
    expect(output.text()).toBe("hello world");
    expect(output.truncated).toBe(false);
  });

  it("keeps the first limitBytes and counts the dropped rest", () => {
    const output = new BoundedOutput(10);
    output.push(Buffer.from("0123456"));
    output.push(Buffer.from("789abcdef"));
    output.push(Buffer.alloc(1024 * 1024, 0x78));
    expect(output.text()).toBe("0123456789");
    expect(output.truncated).toBe(true);
    expect(output.totalBytes).toBe(16 + 1024 * 1024);
  });

  it("is not truncated at exactly the limit", () => {
    const output = new BoundedOutput(4);
    output.push(Buffer.from("abcd"));
    expect(output.text()).toBe("abcd");
    expect(output.truncated).toBe(false);
  });
});
