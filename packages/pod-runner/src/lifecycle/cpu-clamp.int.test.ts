/**
 * The real engine refuses NanoCpus above its CPU count ("Range of CPUs is from 0.01 to N"): a CPU limit
 * larger than the machine is clamped to what the engine has, and the container runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podInput, shell } from "../test-support/pods.js";
import {
  asHandle,
  containerState,
  createTestRunner,
  type TestRunner,
  waitForStatus,
} from "../test-support/runner-fixture.js";

let fixture: TestRunner;

beforeAll(async () => {
  fixture = await createTestRunner("cpu-clamp");
}, 60_000);

afterAll(async () => {
  await fixture?.cleanup();
}, 60_000);

describe("CPU limits above the engine's CPUs (real engine)", () => {
  it("runs a container whose CPU limit is more than the engine has, clamped to the engine's CPUs", async () => {
    const cpus = Number((await fixture.docker.info()).NCPU);
    const input = podInput("cpu-clamp", {
      restartPolicy: "Never",
      containers: [{ ...shell("app", "echo ran"), resources: { limits: { cpu: String(cpus + 62) } } }],
    });
    const handle = asHandle(await fixture.runner.start(input));
    const done = await waitForStatus(fixture.runner, handle.podUid, (status) => status.phase === "Succeeded");
    expect(containerState(done, "app")?.state?.terminated?.exitCode).toBe(0);
    const id = containerState(done, "app")?.containerID?.replace("docker://", "") ?? "";
    const inspected = await fixture.docker.inspectContainer(id);
    expect((inspected.raw as { HostConfig?: { NanoCpus?: number } }).HostConfig?.NanoCpus).toBe(cpus * 1e9);
    await fixture.runner.stop(handle, { gracePeriodSeconds: 0 });
  });
});
