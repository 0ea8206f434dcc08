import { describe, expect, it } from "vitest";
import { IssueCollector } from "./issues.js";
import { checkSourceSizes, MAX_OBJECT_DATA_BYTES } from "./source-sizes.js";
import { translatePod } from "./translate-pod.js";

const pod = {
  metadata: { name: "big", namespace: "default", uid: "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f" },
  spec: { containers: [{ name: "app", image: "busybox:1" }] },
};

function configMap(name: string, data: Record<string, string>, binaryData?: Record<string, string>) {
  return { metadata: { name }, data, ...(binaryData ? { binaryData } : {}) };
}

describe("ConfigMaps and Secrets over 1 MiB", () => {
  it("refuses a ConfigMap whose data is over 1 MiB with 400 naming the request's field", () => {
    const over = configMap("huge", { a: "x".repeat(MAX_OBJECT_DATA_BYTES - 10), b: "y".repeat(11) });
    expect(() =>
      translatePod({
        pod,
        containers: [{ name: "app", configMaps: [configMap("small", { k: "v" }), over] }],
      }),
    ).toThrow(
      /container\[0\]\.configMaps\[1\]: configmap "huge" has 1048577 bytes of data: must have at most 1048576 bytes/,
    );
  });

  it("counts binaryData decoded, and Secret data decoded", () => {
    const issues = new IssueCollector();
    const half = Buffer.alloc(MAX_OBJECT_DATA_BYTES / 2).toString("base64");
    checkSourceSizes(
      [
        {
          name: "app",
          configMaps: [configMap("mixed", { text: "z".repeat(MAX_OBJECT_DATA_BYTES / 2) }, { bin: half })],
          secrets: [{ metadata: { name: "creds" }, data: { a: half, b: half, c: "QQ==" } }],
        },
      ],
      issues,
    );
    // exactly 1 MiB passes; one byte more does not
    expect(issues.errors.map((issue) => issue.path)).toEqual(["container[0].secrets[0]"]);
  });

  it("accepts a ConfigMap of exactly 1 MiB", () => {
    const full = configMap("full", { a: "x".repeat(MAX_OBJECT_DATA_BYTES) });
    const { plan } = translatePod({ pod, containers: [{ name: "app", configMaps: [full] }] });
    expect(plan.containers[0]?.name).toBe("app");
  });
});
