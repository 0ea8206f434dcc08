import { describe, expect, it } from "vitest";
import { WireValidationError } from "../errors.js";
import { type Editable, editableFixture, fixture } from "./fixtures.test-helper.js";
import { parseDeleteRequest } from "./parse-delete-request.js";
import { isPingRequest, parseStatusRequest } from "./parse-status-request.js";

function issuesOf(parse: () => unknown): Array<{ path: string; message: string }> {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(WireValidationError);
    return [...(error as WireValidationError).issues];
  }
  throw new Error("expected a WireValidationError");
}

describe("parseStatusRequest", () => {
  it("parses the contract's status request and keeps the VK's status untouched", () => {
    const body = fixture("status-request.json");
    const pods = parseStatusRequest(body);
    expect(pods).toHaveLength(1);
    expect(pods[0]?.metadata).toMatchObject({ name: "demo", namespace: "default", uid: expect.any(String) });
    expect(pods[0]?.metadata.annotations).toEqual({ JobID: "123456" });
    expect(JSON.parse(JSON.stringify(pods))).toEqual(body);
    expect(isPingRequest(pods)).toBe(false);
  });

  it("treats [] as the ping", () => {
    const pods = parseStatusRequest([]);
    expect(pods).toEqual([]);
    expect(isPingRequest(pods)).toBe(true);
  });

  it("accepts several pods and pods without a spec", () => {
    const body = editableFixture("status-request.json") as unknown as Editable[];
    const second = structuredClone(body[0]) as Editable;
    second.metadata.uid = "other";
    delete second.spec;
    const pods = parseStatusRequest([...body, second]);
    expect(pods.map((p) => p.metadata.uid)).toEqual(["3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f", "other"]);
    expect(pods[1]?.spec).toBeUndefined();
  });

  it("rejects a body that is not a list", () => {
    expect(issuesOf(() => parseStatusRequest({}))).toEqual([
      { path: "", message: "expected an array, got an object" },
    ]);
    expect(issuesOf(() => parseStatusRequest(null))).toEqual([
      { path: "", message: "expected an array, got null" },
    ]);
  });

  it("names the pod index and field of each problem", () => {
    const body = editableFixture("status-request.json") as unknown as Editable[];
    const second = structuredClone(body[0]) as Editable;
    delete body[0]?.metadata.uid;
    second.metadata.name = 7;
    second.spec.containers[0].image = "";
    expect(issuesOf(() => parseStatusRequest([...body, second]))).toEqual([
      { path: "[0].metadata.uid", message: "required" },
      { path: "[1].metadata.name", message: "expected a string, got 7" },
      { path: "[1].spec.containers[0].image", message: "expected a non-empty string" },
    ]);
  });

  it("rejects an element that is not a pod", () => {
    expect(issuesOf(() => parseStatusRequest(["demo"]))).toEqual([
      { path: "[0]", message: "expected an object, got 'demo'" },
    ]);
  });
});

describe("parseDeleteRequest", () => {
  it("parses the contract's delete example and keeps everything", () => {
    const body = fixture("delete-request.json");
    const pod = parseDeleteRequest(body);
    expect(pod.metadata.uid).toBe("3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f");
    expect(pod.status?.reason).toBe("VKProviderPodDeleted");
    expect(JSON.parse(JSON.stringify(pod))).toEqual(body);
  });

  it("needs only metadata.uid", () => {
    expect(parseDeleteRequest({ metadata: { uid: "u-1" } }).metadata.uid).toBe("u-1");
  });

  it("names the missing uid", () => {
    expect(issuesOf(() => parseDeleteRequest({ metadata: { name: "demo" } }))).toEqual([
      { path: "metadata.uid", message: "required" },
    ]);
    expect(issuesOf(() => parseDeleteRequest({}))).toEqual([{ path: "metadata", message: "required" }]);
    expect(issuesOf(() => parseDeleteRequest([]))).toEqual([
      { path: "", message: "expected an object, got an array" },
    ]);
    expect(issuesOf(() => parseDeleteRequest({ metadata: { uid: "" } }))).toEqual([
      { path: "metadata.uid", message: "expected a non-empty string" },
    ]);
  });
});
