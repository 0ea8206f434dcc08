import { describe, expect, it, vi } from "vitest";

describe("README usage", () => {
  it("runs as written", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    // --- README: Usage (keep identical) ---
    const { toDockerCreateBodies, translatePod } = await import("@ild/pod-translator");

    const { plan, warnings } = translatePod({
      pod: {
        metadata: { name: "hello", namespace: "default", uid: "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f" },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "main",
              image: "ild/busybox:1",
              command: ["echo"],
              args: ["hello $(WHO)"],
              env: [{ name: "WHO", value: "world" }],
            },
          ],
        },
      },
    });
    for (const { name, body } of toDockerCreateBodies(plan, {
      podDataDir: "/var/lib/ild/pods/default-3f5b6c1e",
      podSecretDir: "/run/ild/secrets/default-3f5b6c1e",
      networkMode: "host", // inside a DIND; "container:<sandbox id>" on a host engine
    })) {
      console.log(name, body.Entrypoint, body.Cmd, warnings.length);
      // default-hello-3f5b6c1e-main [ 'echo' ] [ 'hello world' ] 0
    }
    // --- end ---
    expect(log).toHaveBeenCalledWith("default-hello-3f5b6c1e-main", ["echo"], ["hello world"], 0);
  });
});
