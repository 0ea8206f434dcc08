import type { RetrievedContainer } from "@ild/interlink-api";
import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { PodTranslationError } from "./errors.js";
import { type TranslatePodOptions, translatePod } from "./translate-pod.js";

function pod(container: Partial<Container>): Pod {
  return {
    metadata: { name: "wire", namespace: "default", uid: "11111111-2222-4333-8444-555555555555" },
    spec: { containers: [{ name: "main", image: "ild/busybox:1", ...container }] },
  };
}

function base64(bytes: number[] | string): string {
  return (typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes)).toString("base64");
}

const sent: RetrievedContainer[] = [
  {
    name: "main",
    secrets: [
      {
        metadata: { name: "bytes" },
        data: {
          text: base64("\ufeffgrüße 名前 ✓"),
          binary: base64([0x00, 0xff, 0xfe, 0x41]),
        },
      },
    ],
    configMaps: [{ metadata: { name: "odd" }, data: { count: 3 as unknown as string } }],
  },
];

function translate(container: Partial<Container>, options?: TranslatePodOptions) {
  return translatePod({ pod: pod(container), containers: sent, ...(options ? { options } : {}) }).plan
    .containers[0];
}

function issues(container: Partial<Container>) {
  try {
    translate(container);
  } catch (error) {
    if (error instanceof PodTranslationError) {
      return error.issues;
    }
    throw error;
  }
  throw new Error("translated without an error");
}

describe("env expansion switch (interLink already expanded env)", () => {
  const container = {
    env: [
      { name: "GREETING", value: "hi" },
      { name: "PRICE", value: "a$$b" },
      { name: "REF", value: "$(GREETING) there" },
    ],
    command: ["echo", "$(GREETING)", "$$HOME"],
  };

  it("expandEnv false keeps env values as interLink sent them; command and args are still expanded", () => {
    const main = translate(container, { expandEnv: false });
    expect(main?.env).toEqual([
      { name: "GREETING", value: "hi" },
      { name: "PRICE", value: "a$$b" },
      { name: "REF", value: "$(GREETING) there" },
    ]);
    expect(main?.entrypoint).toEqual(["echo", "hi", "$HOME"]);
  });

  it("expands as the kubelet by default (raw pods, ild-run, library users)", () => {
    const main = translate(container);
    expect(main?.env).toEqual([
      { name: "GREETING", value: "hi" },
      { name: "PRICE", value: "a$b" },
      { name: "REF", value: "hi there" },
    ]);
  });
});

describe("env from the wire: types and bytes", () => {
  it("a non-string env name is a field-path error, not a TypeError", () => {
    expect(issues({ env: [{ name: 42 as unknown as string, value: "x" }] })).toEqual([
      { path: "spec.containers[0].env[0].name", message: "must be a string, got 42" },
    ]);
    expect(issues({ env: [null as unknown as { name: string }] })).toEqual([
      { path: "spec.containers[0].env[0]", message: "must be an object with a name, got null" },
    ]);
    expect(issues({ env: "A=1" as unknown as [] })).toEqual([
      { path: "spec.containers[0].env", message: 'must be a list, got "A=1"' },
    ]);
  });

  it("passes valid UTF-8 secret bytes exactly (a leading BOM and multibyte characters kept)", () => {
    const main = translate({
      env: [{ name: "TEXT", valueFrom: { secretKeyRef: { name: "bytes", key: "text" } } }],
    });
    expect(main?.env).toEqual([{ name: "TEXT", value: "\ufeffgrüße 名前 ✓", secret: true }]);
  });

  it("refuses invalid UTF-8 secret bytes naming the key, never mangling them", () => {
    const byRef = issues({
      env: [{ name: "BIN", valueFrom: { secretKeyRef: { name: "bytes", key: "binary" } } }],
    });
    expect(byRef).toHaveLength(1);
    expect(byRef[0]?.path).toBe("spec.containers[0].env[0].valueFrom.secretKeyRef");
    expect(byRef[0]?.message).toMatch(/^key "binary" of secret "bytes" is not valid UTF-8/);
    const byEnvFrom = issues({ envFrom: [{ secretRef: { name: "bytes" } }] });
    expect(byEnvFrom.map((issue) => issue.path)).toEqual(["spec.containers[0].envFrom[0].secretRef"]);
    expect(byEnvFrom[0]?.message).toMatch(/key "binary"/);
  });

  it("a non-string ConfigMap value is a field-path error", () => {
    expect(
      issues({ env: [{ name: "N", valueFrom: { configMapKeyRef: { name: "odd", key: "count" } } }] }),
    ).toEqual([
      {
        path: "spec.containers[0].env[0].valueFrom.configMapKeyRef",
        message: 'key "count" of configmap "odd" must be a string, got 3',
      },
    ]);
    expect(issues({ envFrom: [{ configMapRef: { name: "odd" } }] })[0]?.path).toBe(
      "spec.containers[0].envFrom[0].configMapRef",
    );
  });
});
