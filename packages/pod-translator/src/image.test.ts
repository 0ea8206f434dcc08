import type { Pod, Secret } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { defaultPullPolicy, findRegistryAuth, normalizeRegistry, parseImageReference } from "./image.js";
import { translatePod } from "./translate-pod.js";

describe("imagePullPolicy defaulting", () => {
  it.each([
    ["busybox", "Always"],
    ["busybox:latest", "Always"],
    ["library/busybox:1.36", "IfNotPresent"],
    ["ild/busybox:1", "IfNotPresent"],
    ["registry.example.org:5000/team/app", "Always"],
    ["registry.example.org:5000/team/app:latest", "Always"],
    ["registry.example.org:5000/team/app:v2", "IfNotPresent"],
    ["busybox@sha256:0123456789abcdef", "IfNotPresent"],
    ["busybox:latest@sha256:0123456789abcdef", "IfNotPresent"],
  ])("%s → %s", (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });

  it("an explicit policy wins, an invalid one is an error", () => {
    const pod = (imagePullPolicy: string): Pod => ({
      metadata: { name: "p", uid: "u" },
      spec: { containers: [{ name: "c", image: "busybox", imagePullPolicy }] },
    });
    expect(translatePod({ pod: pod("Never") }).plan.containers[0]?.pullPolicy).toBe("Never");
    expect(() => translatePod({ pod: pod("Sometimes") })).toThrow(/spec.containers\[0\].imagePullPolicy/);
  });
});

describe("image references", () => {
  it.each([
    ["busybox", { registry: "docker.io", repository: "busybox" }],
    ["ghcr.io/org/app:1", { registry: "ghcr.io", repository: "org/app", tag: "1" }],
    ["localhost:5000/app", { registry: "localhost:5000", repository: "app" }],
    ["localhost/app", { registry: "localhost", repository: "app" }],
    ["org/app@sha256:ab", { registry: "docker.io", repository: "org/app", digest: "sha256:ab" }],
  ])("%s", (image, expected) => {
    expect(parseImageReference(image)).toEqual(expected);
  });

  it.each([
    ["https://index.docker.io/v1/", "docker.io"],
    ["registry-1.docker.io", "docker.io"],
    ["Registry.Example.org:5000/some/path", "registry.example.org:5000"],
  ])("normalises %s → %s", (value, host) => {
    expect(normalizeRegistry(value)).toBe(host);
  });
});

describe("imagePullSecrets", () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
  const pod: Pod = {
    metadata: { name: "p", uid: "u" },
    spec: {
      imagePullSecrets: [{ name: "json" }, { name: "legacy" }, { name: "missing" }],
      containers: [
        { name: "a", image: "registry.example.org/team/app:1" },
        { name: "b", image: "busybox:1" },
        { name: "c", image: "other.example.org/x:1" },
      ],
    },
  };
  const secrets: Secret[] = [
    {
      metadata: { name: "json" },
      type: "kubernetes.io/dockerconfigjson",
      data: {
        ".dockerconfigjson": encode({
          auths: { "registry.example.org": { auth: Buffer.from("user:p:ss").toString("base64") } },
        }),
      },
    },
    {
      metadata: { name: "legacy" },
      type: "kubernetes.io/dockercfg",
      data: { ".dockercfg": encode({ "https://index.docker.io/v1/": { username: "hub", password: "pw" } }) },
    },
  ];

  it("turns docker config secrets into registry auth per image; a missing secret is a warning", () => {
    const { plan, warnings } = translatePod({ pod, containers: [{ name: "a", secrets }] });
    expect(plan.imagePullSecrets).toEqual([
      { registry: "registry.example.org", username: "user", password: "p:ss", auth: "dXNlcjpwOnNz" },
      { registry: "docker.io", username: "hub", password: "pw" },
    ]);
    expect(plan.containers.map((container) => container.registryAuth?.registry)).toEqual([
      "registry.example.org",
      "docker.io",
      undefined,
    ]);
    expect(warnings).toEqual([
      {
        path: "spec.imagePullSecrets[2]",
        message: 'secret "missing" was not sent; images are pulled without its credentials',
      },
    ]);
    expect(findRegistryAuth("busybox", plan.imagePullSecrets)?.username).toBe("hub");
  });

  it("reports a docker config secret that is not JSON", () => {
    expect(() =>
      translatePod({
        pod: {
          ...pod,
          spec: { ...pod.spec, containers: pod.spec?.containers ?? [], imagePullSecrets: [{ name: "bad" }] },
        },
        containers: [
          {
            name: "a",
            secrets: [{ metadata: { name: "bad" }, data: { ".dockerconfigjson": "bm90IGpzb24=" } }],
          },
        ],
      }),
    ).toThrow(/spec.imagePullSecrets\[0\]: secret "bad" does not hold a valid docker config/);
  });
});
