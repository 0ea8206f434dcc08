import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDockerClient, removeTree } from "@ild/dind-pool";
import { type FakeEngine, startFakeEngine } from "@ild/dind-pool/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunner } from "./create-runner.js";
import type { Runner } from "./runner-types.js";
import { podInput } from "./test-support/pods.js";
import { containerState, waitForStatus } from "./test-support/runner-fixture.js";

let engine: FakeEngine;
let root: string;
let runner: Runner;

beforeEach(async () => {
  engine = await startFakeEngine();
  root = await mkdtemp(path.join(tmpdir(), "ild-runner-fake-"));
  runner = createRunner({
    docker: createDockerClient({ host: engine.host, env: {} }),
    dataRoot: path.join(root, "data"),
    runRoot: path.join(root, "run"),
    secretTmpfs: "off",
    podRootMounts: "off",
    runnerId: "fake",
  });
});

afterEach(async () => {
  await runner.close();
  await engine.close();
  await removeTree(root);
});

describe("over the dockerode adapter and a fake engine", () => {
  it("turns a pull that fails in-band (HTTP 200, error line) into ErrImagePull with the registry's message", async () => {
    const handle = await runner.start(
      podInput("pull", {
        containers: [{ name: "app", image: "missing/app:1", imagePullPolicy: "IfNotPresent" }],
      }),
    );
    if ("dryRun" in handle) {
      throw new Error("not a dry run");
    }
    const status = await waitForStatus(runner, handle.podUid, (current) =>
      Boolean(containerState(current, "app")?.state?.waiting?.reason?.startsWith("ErrImage")),
    );
    expect(containerState(status, "app")?.state?.waiting).toMatchObject({
      reason: "ErrImagePull",
      message: expect.stringContaining("manifest unknown"),
    });
    expect(
      engine.requests.some((request) => request.path.startsWith("/images/create?fromImage=missing%2Fapp")),
    ).toBe(true);
  });
});
