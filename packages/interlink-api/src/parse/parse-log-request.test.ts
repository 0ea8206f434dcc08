import { describe, expect, it } from "vitest";
import { WireValidationError } from "../errors.js";
import { type Editable, editableFixture, fixture } from "./fixtures.test-helper.js";
import { parseLogRequest } from "./parse-log-request.js";

function issuesOf(body: unknown): Array<{ path: string; message: string }> {
  try {
    parseLogRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(WireValidationError);
    return [...(error as WireValidationError).issues];
  }
  throw new Error("expected a WireValidationError");
}

function withOpts(opts: Record<string, unknown>): Editable {
  const body = editableFixture("log-request.json");
  body.Opts = { ...body.Opts, ...opts };
  return body;
}

describe("parseLogRequest", () => {
  it("turns the contract's example into friendly options (zero values are unset)", () => {
    const body = fixture("log-request.json");
    const request = parseLogRequest(body);
    expect(request).toEqual({
      namespace: "default",
      podUID: "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f",
      podName: "demo",
      containerName: "main",
      tail: 100,
      timestamps: false,
      follow: false,
      previous: false,
      raw: body,
    });
    expect(request.sinceTime).toBeUndefined();
    expect(request.limitBytes).toBeUndefined();
  });

  it("reads Bytes, SinceTime, Follow, Previous and Timestamps", () => {
    const request = parseLogRequest(
      withOpts({
        Tail: 0,
        Bytes: 512,
        SinceTime: "2026-07-14T09:00:00Z",
        Follow: true,
        Previous: true,
        Timestamps: true,
      }),
    );
    expect(request.limitBytes).toBe(512);
    expect(request.tail).toBeUndefined();
    expect(request.sinceTime?.toISOString()).toBe("2026-07-14T09:00:00.000Z");
    expect(request).toMatchObject({ follow: true, previous: true, timestamps: true });
  });

  it("reads SinceSeconds with the zero SinceTime", () => {
    expect(parseLogRequest(withOpts({ SinceSeconds: 60 })).sinceSeconds).toBe(60);
  });

  it("treats a negative Tail as all lines, and a missing or null Opts as no options", () => {
    expect(parseLogRequest(withOpts({ Tail: -1 })).tail).toBeUndefined();
    const body = editableFixture("log-request.json");
    delete body.Opts;
    expect(parseLogRequest(body)).toMatchObject({ follow: false, timestamps: false });
    body.Opts = null;
    expect(parseLogRequest(body).tail).toBeUndefined();
  });

  it("keeps unknown fields in raw", () => {
    const body = withOpts({ Stream: "stderr" });
    body.Extra = 1;
    expect(parseLogRequest(body).raw).toMatchObject({ Extra: 1, Opts: { Stream: "stderr" } });
  });

  const cases: Array<[string, Editable, string, string]> = [
    ["Tail with Bytes", withOpts({ Tail: 10, Bytes: 10 }), "Opts.Bytes", "Tail and Bytes cannot both be set"],
    [
      "SinceSeconds with SinceTime",
      withOpts({ SinceSeconds: 5, SinceTime: "2026-07-14T09:00:00Z" }),
      "Opts.SinceTime",
      "SinceSeconds and SinceTime cannot both be set",
    ],
    ["a bad SinceTime", withOpts({ SinceTime: "yesterday" }), "Opts.SinceTime", "expected an RFC 3339 time"],
    ["a fractional Tail", withOpts({ Tail: 1.5 }), "Opts.Tail", "expected an integer"],
    ["a negative Bytes", withOpts({ Tail: 0, Bytes: -1 }), "Opts.Bytes", "expected a non-negative integer"],
    [
      "a negative SinceSeconds",
      withOpts({ SinceSeconds: -3 }),
      "Opts.SinceSeconds",
      "expected a non-negative integer",
    ],
    ["Follow as a string", withOpts({ Follow: "true" }), "Opts.Follow", "expected a boolean, got 'true'"],
    [
      "Opts as a list",
      { ...editableFixture("log-request.json"), Opts: [] },
      "Opts",
      "expected an object, got an array",
    ],
    [
      "an upper-case namespace",
      { ...editableFixture("log-request.json"), Namespace: "Default" },
      "Namespace",
      "expected a DNS label",
    ],
    [
      "a PodUID that is not a lowercase UUID",
      { ...editableFixture("log-request.json"), PodUID: "3F5B6C1E-8A2D-4F7B-9C1E-2D4A6B8C0E1F" },
      "PodUID",
      "expected a lowercase UUID",
    ],
    [
      "a container name with underscores",
      { ...editableFixture("log-request.json"), ContainerName: "my_container" },
      "ContainerName",
      "expected a DNS label",
    ],
    [
      "a too long container name",
      { ...editableFixture("log-request.json"), ContainerName: "a".repeat(64) },
      "ContainerName",
      "at most 63 characters",
    ],
    [
      "an empty PodName",
      { ...editableFixture("log-request.json"), PodName: "" },
      "PodName",
      "expected a non-empty string",
    ],
    [
      "a missing Namespace",
      { ...editableFixture("log-request.json"), Namespace: undefined },
      "Namespace",
      "required",
    ],
  ];

  it.each(cases)("rejects %s", (_name, body, path, message) => {
    expect(issuesOf(body)).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("rejects a body that is not an object", () => {
    expect(issuesOf("logs please")).toEqual([{ path: "", message: "expected an object, got 'logs please'" }]);
  });
});
