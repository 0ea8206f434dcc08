/**
 * A memory emptyDir lives as long as the pod, as in Kubernetes: what a container wrote there is still
 * there after the container restarted, and it is still a tmpfs. Host engine: a tmpfs volume the sandbox
 * holds mounted; dind engine: a tmpfs the DIND holds, bound by a named inner volume.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineKind } from "../runner-types.js";
import { createEngineFixture, type EngineFixture } from "../test-support/engine-fixture.js";
import { podInput, shell } from "../test-support/pods.js";
import { asHandle, containerState, readAll } from "../test-support/runner-fixture.js";

describe.each<EngineKind>(["host", "dind"])("memory emptyDir across a restart (%s engine)", (engine) => {
  let fixture: EngineFixture;

  beforeAll(async () => {
    fixture = await createEngineFixture(`memory-emptydir-${engine}`, engine, {
      backoff: { initialMs: 500, maxMs: 2000 },
    });
  }, 120_000);

  afterAll(async () => {
    await fixture?.cleanup();
  }, 120_000);

  it("keeps what the container's first instance wrote, still on tmpfs", async () => {
    const input = podInput("memory-restart", {
      restartPolicy: "OnFailure",
      volumes: [{ name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }],
      containers: [
        {
          ...shell(
            "app",
            "if [ -f /scratch/first ]; then cat /scratch/first; grep ' /scratch ' /proc/mounts | cut -d' ' -f3; exit 0; fi; echo kept > /scratch/first; exit 1",
          ),
          volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
        },
      ],
    });
    const handle = asHandle(await fixture.runner.start(input));
    const final = await fixture.runner.waitForCompletion(handle, { timeoutMs: 60_000 });
    expect(final.phase).toBe("Succeeded");
    expect(containerState(final, "app")?.restartCount).toBe(1);
    expect(await readAll(await fixture.runner.logs(handle.podUid, "app"))).toBe("kept\ntmpfs\n");
    await fixture.runner.stop(handle);
  }, 90_000);
});
