import { IldError } from "@ild/common";
import { describe, expect, it } from "vitest";
import { WireValidationError } from "../errors.js";
import { decodeSecretData } from "../secret-data.js";
import { type Editable, editableFixture, fixture } from "./fixtures.test-helper.js";
import { parseCreateRequest } from "./parse-create-request.js";

function issuesOf(body: unknown): Array<{ path: string; message: string }> {
  try {
    parseCreateRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(WireValidationError);
    return [...(error as WireValidationError).issues];
  }
  throw new Error("expected parseCreateRequest to throw");
}

describe("parseCreateRequest", () => {
  it("parses the contract's create example and keeps every field it does not check", () => {
    const body = fixture("create-request.json");
    const data = parseCreateRequest(body);
    expect(data.pod.metadata).toMatchObject({ name: "demo", namespace: "default" });
    expect(data.pod.metadata.uid).toBe("3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f");
    expect(data.pod.spec.containers.map((c) => c.name)).toEqual(["main"]);
    expect(data.pod.spec.initContainers?.map((c) => c.name)).toEqual(["prepare"]);
    expect(data.container.map((c) => c.name)).toEqual(["prepare", "main"]);
    // null lists became []
    expect(data.container[0]).toEqual({
      name: "prepare",
      configMaps: [],
      projectedvolumemaps: [],
      secrets: [],
      emptyDirs: [],
    });
    // fields we never check are kept untouched
    expect(data.pod.spec.tolerations).toEqual([
      { key: "virtual-node.interlink/no-schedule", operator: "Exists" },
    ]);
    expect(data.pod.status?.conditions?.[0]).toEqual({
      type: "Initialized",
      status: "False",
      lastProbeTime: null,
      lastTransitionTime: null,
    });
    expect(data.jobConfig?.ApptainerOptions).toMatchObject({ fuseMode: "", noInit: false });
    expect(data.container[1]?.projectedvolumemaps[0]?.data?.namespace).toBe("default");
  });

  it("round-trips: the parsed object serialises back to the same JSON, null lists aside", () => {
    const body = editableFixture("create-request.json");
    const reparsed = JSON.parse(JSON.stringify(parseCreateRequest(body)));
    for (const entry of body.container) {
      for (const key of ["configMaps", "projectedvolumemaps", "secrets", "emptyDirs"]) {
        entry[key] ??= [];
      }
    }
    expect(reparsed).toEqual(body);
  });

  it("leaves secret data base64 in the object and decodes it on request", () => {
    const data = parseCreateRequest(fixture("create-request.json"));
    const secret = data.container[1]?.secrets[0];
    expect(secret?.data).toEqual({ password: "czNjcjN0" });
    expect(secret && decodeSecretData(secret).password?.toString("utf8")).toBe("s3cr3t");
  });

  it("accepts interLink <= 0.4's one-element array and returns the same object", () => {
    const legacy = parseCreateRequest(fixture("create-request-legacy-array.json"));
    expect(legacy.pod.metadata.uid).toBe("3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f");
    expect(legacy.jobConfig).toBeUndefined();
    const { jobConfig: _unused, ...modern } = parseCreateRequest(fixture("create-request.json"));
    expect(legacy).toEqual(modern);
  });

  it("rejects arrays of zero or several elements", () => {
    const one = fixture("create-request.json");
    expect(issuesOf([])).toEqual([
      {
        path: "",
        message: "expected one RetrievedPodData object (or a legacy array of exactly one), got an array of 0",
      },
    ]);
    expect(issuesOf([one, one])[0]?.message).toContain("got an array of 2");
  });

  it("names the field path inside a legacy array with a [0] prefix", () => {
    const body = editableFixture("create-request.json");
    delete body.pod.metadata.uid;
    expect(issuesOf([body])).toEqual([{ path: "[0].pod.metadata.uid", message: "required" }]);
  });

  it("rejects a body that is not an object", () => {
    expect(issuesOf("hello")).toEqual([
      { path: "", message: "expected a RetrievedPodData object, got 'hello'" },
    ]);
    expect(issuesOf(null)[0]?.message).toBe("expected a RetrievedPodData object, got null");
  });

  it("treats a missing or null container list as empty", () => {
    const body = editableFixture("create-request.json");
    body.container = null;
    expect(parseCreateRequest(body).container).toEqual([]);
    delete body.container;
    expect(parseCreateRequest(body).container).toEqual([]);
  });

  it("keeps unknown top-level and nested fields (future interLink fields, jobScript)", () => {
    const body = editableFixture("create-request.json");
    body.jobScript = "#!/bin/bash\necho hi\n";
    body.futureField = { a: 1 };
    body.container[1].futureList = [1, 2];
    body.pod.spec.containers[0].futureKnob = true;
    const data = parseCreateRequest(body) as unknown as Editable;
    expect(data.jobScript).toBe("#!/bin/bash\necho hi\n");
    expect(data.futureField).toEqual({ a: 1 });
    expect(data.container[1].futureList).toEqual([1, 2]);
    expect(data.pod.spec.containers[0].futureKnob).toBe(true);
  });

  it("is a typed IldError with code ILD_WIRE_INVALID and a message listing every path", () => {
    const body = editableFixture("create-request.json");
    body.pod.metadata.name = "";
    body.pod.spec.containers[0].image = 42;
    try {
      parseCreateRequest(body);
      expect.unreachable();
    } catch (error) {
      expect(IldError.hasCode(error, "ILD_WIRE_INVALID")).toBe(true);
      expect((error as Error).message).toBe(
        "invalid create request: pod.metadata.name: expected a non-empty string; pod.spec.containers[0].image: expected a string, got 42",
      );
    }
  });

  const cases: Array<[string, (body: Editable) => void, string, string]> = [
    ["missing pod", (b) => delete b.pod, "pod", "required"],
    ["pod not an object", (b) => (b.pod = []), "pod", "expected an object, got an array"],
    ["missing metadata", (b) => delete b.pod.metadata, "pod.metadata", "required"],
    ["empty uid", (b) => (b.pod.metadata.uid = ""), "pod.metadata.uid", "expected a non-empty string"],
    ["missing name", (b) => delete b.pod.metadata.name, "pod.metadata.name", "required"],
    ["missing namespace", (b) => delete b.pod.metadata.namespace, "pod.metadata.namespace", "required"],
    [
      "annotation not a string",
      (b) => (b.pod.metadata.annotations["slurm-job.vk.io/flags"] = 3),
      'pod.metadata.annotations["slurm-job.vk.io/flags"]',
      "expected a string, got 3",
    ],
    ["missing spec", (b) => delete b.pod.spec, "pod.spec", "required"],
    [
      "containers not a list",
      (b) => (b.pod.spec.containers = {}),
      "pod.spec.containers",
      "expected an array, got an object",
    ],
    [
      "container without name",
      (b) => delete b.pod.spec.containers[0].name,
      "pod.spec.containers[0].name",
      "required",
    ],
    [
      "container without image",
      (b) => delete b.pod.spec.containers[0].image,
      "pod.spec.containers[0].image",
      "required",
    ],
    [
      "init container without image",
      (b) => (b.pod.spec.initContainers[0].image = ""),
      "pod.spec.initContainers[0].image",
      "expected a non-empty string",
    ],
    [
      "command not strings",
      (b) => (b.pod.spec.containers[0].command = ["python", 1]),
      "pod.spec.containers[0].command[1]",
      "expected a string, got 1",
    ],
    [
      "args not a list",
      (b) => (b.pod.spec.containers[0].args = "print(1)"),
      "pod.spec.containers[0].args",
      "expected an array, got 'print(1)'",
    ],
    [
      "env without name",
      (b) => delete b.pod.spec.containers[0].env[1].name,
      "pod.spec.containers[0].env[1].name",
      "required",
    ],
    [
      "env value not a string",
      (b) => (b.pod.spec.containers[0].env[0].value = 5),
      "pod.spec.containers[0].env[0].value",
      "expected a string, got 5",
    ],
    [
      "volumeMount without mountPath",
      (b) => delete b.pod.spec.containers[0].volumeMounts[2].mountPath,
      "pod.spec.containers[0].volumeMounts[2].mountPath",
      "required",
    ],
    [
      "resource limit not a quantity",
      (b) => (b.pod.spec.containers[0].resources.limits.cpu = true),
      "pod.spec.containers[0].resources.limits.cpu",
      "expected a quantity",
    ],
    ["volume without name", (b) => delete b.pod.spec.volumes[3].name, "pod.spec.volumes[3].name", "required"],
    ["container entry without name", (b) => delete b.container[0].name, "container[0].name", "required"],
    [
      "container entry not an object",
      (b) => (b.container[0] = "x"),
      "container[0]",
      "expected an object, got 'x'",
    ],
    [
      "configMap without metadata.name",
      (b) => delete b.container[1].configMaps[0].metadata.name,
      "container[1].configMaps[0].metadata.name",
      "required",
    ],
    [
      "configMap data not strings",
      (b) => (b.container[1].configMaps[0].data["app.conf"] = 1),
      'container[1].configMaps[0].data["app.conf"]',
      "expected a string, got 1",
    ],
    [
      "projected map data not a map",
      (b) => (b.container[1].projectedvolumemaps[0].data = "x"),
      "container[1].projectedvolumemaps[0].data",
      "expected an object, got 'x'",
    ],
    [
      "secret data not base64",
      (b) => (b.container[1].secrets[0].data.password = "s3cr3t!"),
      "container[1].secrets[0].data.password",
      "expected a base64 string",
    ],
    [
      "secret data not a map",
      (b) => (b.container[1].secrets[0].data = ["czNjcjN0"]),
      "container[1].secrets[0].data",
      "expected an object, got an array",
    ],
    [
      "emptyDirs not strings",
      (b) => (b.container[1].emptyDirs = [1]),
      "container[1].emptyDirs[0]",
      "expected a string, got 1",
    ],
    ["jobScript not a string", (b) => (b.jobScript = 1), "jobScript", "expected a string, got 1"],
    ["jobConfig not an object", (b) => (b.jobConfig = "x"), "jobConfig", "expected an object, got 'x'"],
  ];

  it.each(cases)("reports %s at its field path", (_name, edit, path, message) => {
    const body = editableFixture("create-request.json");
    edit(body);
    const issues = issuesOf(body);
    expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });
});
