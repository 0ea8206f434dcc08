/**
 * A memory emptyDir lives as long as the pod, as in Kubernetes: what a container wrote there is still
 * there after the container restarted (host engine: a tmpfs volume the sandbox holds mounted).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podInput, shell } from "../test-support/pods.js";
import {
  asHandle,
  containerState,
  createTestRunner,
  readAll,
  type TestRunner,
} from "../test-support/runner-fixture.js";

let fixture: TestRunner;

beforeAll(async () => {
  fixture = await createTestRunner("memory-emptydir");
}, 60_000);

afterAll(async () => {
  await fixture?.cleanup();
}, 60_000);

describe("memory emptyDir across a restart (host engine)", () => {
  it("keeps what the container's first instance wrote, still on tmpfs", async () => {
    const input = podInput("memory-restart", {
      restartPolicy: "OnFailure",
      volumes: [{ name: "scratch", emptyDir: { medium: "Memory" } }],
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
    const final = await fixture.runner.waitForCompletion(handle, { timeoutMs: 30_000 });
    expect(final.phase).toBe("Succeeded");
    expect(containerState(final, "app")?.restartCount).toBe(1);
    expect(await readAll(await fixture.runner.logs(handle.podUid, "app"))).toBe("kept\ntmpfs\n");
    await fixture.runner.stop(handle);
  });
});
