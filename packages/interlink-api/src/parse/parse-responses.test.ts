import { describe, expect, it } from "vitest";
import { WireValidationError } from "../errors.js";
import { fixture } from "./fixtures.test-helper.js";
import { parseCreateResponse, parsePingResponse, parseStatusResponse } from "./parse-responses.js";

describe("response parsers", () => {
  it("parses the contract's CreateStruct and rejects a list (as the VK does)", () => {
    expect(parseCreateResponse(fixture("create-response.json"))).toEqual({
      PodUID: "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f",
      PodJID: "123456",
    });
    expect(() => parseCreateResponse([fixture("create-response.json")])).toThrow(WireValidationError);
    expect(() => parseCreateResponse({ PodJID: "1" })).toThrow("invalid create response: PodUID: required");
  });

  it("parses the contract's status answer with init containers, and the minimal accepted form", () => {
    const statuses = parseStatusResponse(fixture("status-response.json"));
    expect(statuses[0]?.initContainers?.[0]?.state?.terminated?.exitCode).toBe(0);
    expect(statuses[0]?.containers[0]?.state?.running?.startedAt).toBe("2026-07-14T09:01:10Z");
    const minimal = [
      {
        name: "demo",
        UID: "u",
        namespace: "default",
        containers: [{ name: "main", state: { waiting: {} } }],
      },
    ];
    expect(parseStatusResponse(minimal)).toEqual(minimal);
    expect(
      parseStatusResponse([{ name: "demo", UID: "u", namespace: "d", containers: null }])[0]?.containers,
    ).toEqual([]);
  });

  it("names the path of a bad status answer", () => {
    expect(() => parseStatusResponse([{ name: "", UID: "u", namespace: "d", containers: [] }])).toThrow(
      "invalid status response: [0].name: expected a non-empty string",
    );
    expect(() =>
      parseStatusResponse([
        {
          name: "p",
          UID: "u",
          namespace: "d",
          containers: [{ name: "c", state: { terminated: { exitCode: "1" } } }],
        },
      ]),
    ).toThrow("[0].containers[0].state.terminated.exitCode: expected a number, got '1'");
  });

  it("reads a structured ping answer and ignores anything else, as the VK does", () => {
    expect(parsePingResponse(fixture("ping-response.json"))).toMatchObject({
      status: "ok",
      resources: { accelerators: [{ resourceType: "nvidia.com/gpu", available: "8" }] },
      taints: [{ key: "vendor.io/maintenance", effect: "NoSchedule" }],
    });
    expect(parsePingResponse([])).toBeUndefined();
    expect(parsePingResponse("pong")).toBeUndefined();
  });
});
