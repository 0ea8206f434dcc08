import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { removeTree } from "@ild/dind-pool";
import type { PodSpec } from "kubernetes-types/core/v1.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunner } from "../create-runner.js";
import type { Runner } from "../runner-types.js";
import { ManualClock } from "../test-support/manual-clock.js";
import { MemoryDocker } from "../test-support/memory-docker.js";
import { podInput, shell } from "../test-support/pods.js";
import { settle } from "../test-support/settle.js";

let root: string;
let docker: MemoryDocker;
let runner: Runner;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ild-pod-ip-env-"));
  docker = new MemoryDocker();
  runner = createRunner({
    docker,
    dataRoot: path.join(root, "data"),
    runRoot: path.join(root, "run"),
    secretTmpfs: "off",
    clock: new ManualClock(),
    runnerId: "pod-ip-env",
  });
});

afterEach(async () => {
  await runner.close();
  await removeTree(root);
});

/** The pod as the virtual kubelet sends it: status.podIP is its placeholder. */
async function createdBody(spec: PodSpec) {
  const sent = podInput("pod-ip", spec);
  const input = { ...sent, pod: { ...sent.pod, status: { podIP: "127.0.0.1", hostIP: "127.0.0.1" } } };
  await runner.start(input);
  await settle(() => docker.byName("app").length > 0, "app created");
  return docker.byName("app")[0]?.body;
}

describe("status.podIP in env (item 2)", () => {
  it("is the sandbox's address, also in values and args that expand it", async () => {
    const body = await createdBody({
      containers: [
        {
          ...shell("app", ""),
          command: ["echo", "$(POD_IP)"],
          env: [
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "URL", value: "http://$(POD_IP):8080" },
          ],
        },
      ],
    });
    // the in-memory engine's sandbox has 10.9.8.7
    expect(body?.Env).toEqual(expect.arrayContaining(["POD_IP=10.9.8.7", "URL=http://10.9.8.7:8080"]));
    expect(body?.Entrypoint).toEqual(["echo", "10.9.8.7"]);
  });

  it("leaves env that does not read the pod IP through a fieldRef as it was sent", async () => {
    const body = await createdBody({
      containers: [{ ...shell("app", ""), env: [{ name: "ADDRESS", value: "127.0.0.1" }] }],
    });
    expect(body?.Env).toEqual(expect.arrayContaining(["ADDRESS=127.0.0.1"]));
  });
});
