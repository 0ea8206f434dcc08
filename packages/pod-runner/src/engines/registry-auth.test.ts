import { describe, expect, it } from "vitest";
import { credentialsFor, registryOf } from "./registry-auth.js";

describe("registry credentials", () => {
  it("finds the registry of an image reference", () => {
    expect(registryOf("ild/busybox:1")).toBe("docker.io");
    expect(registryOf("busybox")).toBe("docker.io");
    expect(registryOf("registry.example.org/team/app:2")).toBe("registry.example.org");
    expect(registryOf("localhost:5000/app")).toBe("localhost:5000");
  });

  it("picks the imagePullSecret entry of the image's registry (Docker Hub aliases included)", () => {
    const auths = [
      { registry: "https://index.docker.io/v1/", username: "hub", password: "p1" },
      { registry: "registry.example.org", auth: "dXNlcjpwYXNz" },
    ];
    expect(credentialsFor("library/redis:7", auths)).toMatchObject({ username: "hub", password: "p1" });
    expect(credentialsFor("registry.example.org/app:1", auths)).toEqual({
      serveraddress: "registry.example.org",
      auth: "dXNlcjpwYXNz",
    });
    expect(credentialsFor("quay.io/app:1", auths)).toBeUndefined();
  });
});
