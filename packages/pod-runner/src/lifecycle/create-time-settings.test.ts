import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { removeTree } from "@ild/dind-pool";
import type { PodSpec } from "kubernetes-types/core/v1.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunner } from "../create-runner.js";
import type { PodHandle, Runner } from "../runner-types.js";
import { ManualClock } from "../test-support/manual-clock.js";
import { MemoryDocker } from "../test-support/memory-docker.js";
import { BUSYBOX, podInput, shell } from "../test-support/pods.js";
import { containerState } from "../test-support/runner-fixture.js";
import { settle } from "../test-support/settle.js";

/** The in-memory engine with an image USER and a CPU count the test picks. */
class ConfiguredDocker extends MemoryDocker {
  imageUser = "";
  cpus: number | undefined = 4;

  override async inspectImage(reference: string) {
    const image = await super.inspectImage(reference);
    return image === undefined ? undefined : { ...image, user: this.imageUser };
  }

  override async info() {
    return this.cpus === undefined ? {} : { NCPU: this.cpus };
  }
}

let root: string;
let docker: ConfiguredDocker;
let runner: Runner;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ild-create-settings-"));
  docker = new ConfiguredDocker();
  runner = createRunner({
    docker,
    dataRoot: path.join(root, "data"),
    runRoot: path.join(root, "run"),
    secretTmpfs: "off",
    clock: new ManualClock(),
    runnerId: "create-settings",
  });
});

afterEach(async () => {
  await runner.close();
  await removeTree(root);
});

async function start(name: string, spec: PodSpec): Promise<PodHandle> {
  const result = await runner.start(podInput(name, spec));
  if ("dryRun" in result) {
    throw new Error("dry run");
  }
  return result;
}

function app(handle: PodHandle) {
  return containerState(runner.status(handle.podUid), "app");
}

function created(name = "app") {
  const instance = docker.byName(name)[0];
  if (instance === undefined) {
    throw new Error(`${name} was not created`);
  }
  return instance.body;
}

const nonRoot = { securityContext: { runAsNonRoot: true } };

describe("runAsNonRoot without runAsUser (item 3)", () => {
  for (const user of ["", "0", "root", "0:0", "root:wheel"]) {
    it(`refuses an image whose user is ${JSON.stringify(user)} with CreateContainerConfigError`, async () => {
      docker.imageUser = user;
      const handle = await start("as-root", { containers: [{ ...shell("app", ""), ...nonRoot }] });
      await settle(() => app(handle)?.state?.waiting?.reason === "CreateContainerConfigError", "refused");
      expect(app(handle)?.state?.waiting?.message).toMatch(
        /^container has runAsNonRoot and image will run as root \(pod: "as-root_default\(.+\)", container: app\)$/,
      );
      expect(docker.byName("app")).toHaveLength(0);
      expect(runner.status(handle.podUid).phase).toBe("Pending");
    });
  }

  it("refuses a non-numeric image user it cannot verify", async () => {
    docker.imageUser = "nginx";
    const handle = await start("named", { containers: [{ ...shell("app", ""), ...nonRoot }] });
    await settle(() => app(handle)?.state?.waiting?.reason === "CreateContainerConfigError", "refused");
    expect(app(handle)?.state?.waiting?.message).toMatch(
      /image has non-numeric user \(nginx\), cannot verify/,
    );
  });

  it("runs an image whose user is numeric and not 0, as the image's user", async () => {
    docker.imageUser = "1000:1000";
    const handle = await start("numeric", { containers: [{ ...shell("app", ""), ...nonRoot }] });
    await settle(() => app(handle)?.state?.running !== undefined, "running");
    expect(created().User).toBeUndefined();
  });

  it("leaves a pod with runAsUser to the translator (no image check)", async () => {
    docker.imageUser = "";
    const handle = await start("explicit", {
      containers: [{ ...shell("app", ""), securityContext: { runAsNonRoot: true, runAsUser: 1234 } }],
    });
    await settle(() => app(handle)?.state?.running !== undefined, "running");
    expect(created().User).toBe("1234");
  });
});

describe("runAsGroup without runAsUser (item 3)", () => {
  it("runs the image's user with the pod's group", async () => {
    docker.imageUser = "app:staff";
    const handle = await start("group", {
      securityContext: { runAsGroup: 2000 },
      containers: [shell("app", "")],
    });
    await settle(() => app(handle)?.state?.running !== undefined, "running");
    expect(created().User).toBe("app:2000");
  });

  it("uses uid 0 with the group for an image without a user", async () => {
    docker.imageUser = "";
    const handle = await start("group-root", {
      containers: [{ ...shell("app", ""), securityContext: { runAsGroup: 3000 } }],
    });
    await settle(() => app(handle)?.state?.running !== undefined, "running");
    expect(created().User).toBe("0:3000");
  });
});

describe("CPU limits above the engine's CPUs (item 12)", () => {
  const limited = (cpu: string) => ({
    ...shell("app", "", BUSYBOX),
    resources: { limits: { cpu, memory: "64Mi" } },
  });

  it("clamps NanoCpus to the engine's CPU count instead of a Docker refusal", async () => {
    docker.cpus = 2;
    const handle = await start("many-cpus", { containers: [limited("8")] });
    await settle(() => app(handle)?.state?.running !== undefined, "running");
    expect(created().HostConfig?.NanoCpus).toBe(2_000_000_000);
  });

  it("keeps a limit the engine can give", async () => {
    docker.cpus = 4;
    const handle = await start("fits", { containers: [limited("1500m")] });
    await settle(() => app(handle)?.state?.running !== undefined, "running");
    expect(created().HostConfig?.NanoCpus).toBe(1_500_000_000);
  });
});
