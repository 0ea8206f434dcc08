import type { Pod } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { toDockerCreateBodies } from "./to-docker-create-bodies.js";
import { translatePod } from "./translate-pod.js";

describe("smoke", () => {
  it("hello world", () => {
    const pod: Pod = {
      metadata: { name: "hello", namespace: "default", uid: "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f" },
      spec: {
        containers: [
          {
            name: "main",
            image: "ild/busybox:1",
            command: ["echo"],
            args: ["hello $(X)"],
            env: [{ name: "X", value: "w" }],
          },
        ],
      },
    };
    const { plan } = translatePod({ pod });
    const bodies = toDockerCreateBodies(plan, { podDataDir: "/d", podSecretDir: "/s", networkMode: "host" });
    expect(bodies[0]?.body.Cmd).toEqual(["hello w"]);
    expect(bodies[0]?.name).toBe("default-hello-3f5b6c1e-main");
  });
});
