import { describe, expect, it } from "vitest";
import { decodeSecretData } from "./secret-data.js";

describe("decodeSecretData", () => {
  it("decodes base64 data to bytes, binary included, and lets stringData win", () => {
    const files = decodeSecretData({
      data: { password: "czNjcjN0", blob: Buffer.from([0, 255, 10]).toString("base64"), both: "b2xk" },
      stringData: { both: "new" },
    });
    expect(files.password?.toString("utf8")).toBe("s3cr3t");
    expect([...(files.blob ?? [])]).toEqual([0, 255, 10]);
    expect(files.both?.toString("utf8")).toBe("new");
  });

  it("returns no files for a secret without data", () => {
    expect(decodeSecretData({})).toEqual({});
  });
});
