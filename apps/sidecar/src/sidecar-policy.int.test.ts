/**
 * The REAL sidecar process with the default security policy (baseline, privileged denied): a hostile
 * pod sent through POST /create is answered 400 naming every refused field and the policy, and leaves
 * nothing behind (no container, no device booking, no pod record), while a normal pod beside it runs.
 * Ild.engine.allowPodOverride is on, so the normal pod picks the host engine with its annotation
 * (the default is dind with an empty pool): the annotation is honoured.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelledObjects, removeLabelled } from "./test-support/docker-leaks.js";
import {
  closeClients,
  type InterlinkLike,
  interlinkLike,
  logRequest,
} from "./test-support/interlink-like.js";
import { BUSYBOX, makePod, retrieved } from "./test-support/pods.js";
import { type SidecarProcess, startSidecarProcess } from "./test-support/sidecar-process.js";
import { waitTerminated } from "./test-support/wait.js";

const run = promisify(execFile);
const DEVICE = "example.com/dev";
let sidecar: SidecarProcess;
let client: InterlinkLike;

beforeAll(async () => {
  sidecar = await startSidecarProcess({
    ild: {
      engine: { default: "dind", allowPodOverride: true },
      dind: { poolSize: 0 },
      gpu: { enabled: false, devices: { [DEVICE]: ["/dev/null"] } },
    },
    testLabel: "apps-sidecar-policy",
  });
  client = interlinkLike({ port: sidecar.port as number });
}, 150_000);

afterAll(async () => {
  await closeClients();
  await sidecar?.stop("SIGTERM");
  if (sidecar !== undefined) {
    await removeLabelled(sidecar.instance);
    await sidecar.cleanup();
  }
}, 150_000);

async function freeDevices(): Promise<string | undefined> {
  const metrics = await client.raw("GET", "/metrics");
  return metrics.body
    .split("\n")
    .find((line) => line.startsWith(`ild_devices{resource="${DEVICE}",state="free"}`));
}

/** Containers on the host engine that belong to this pod (the host engine's, not a DIND's). */
async function hostContainersOf(uid: string): Promise<string[]> {
  const { stdout } = await run("docker", ["ps", "-a", "-q", "--filter", `label=io.ild.pod-uid=${uid}`]);
  return stdout.split("\n").filter((line) => line.trim() !== "");
}

describe("the default policy through POST /create", () => {
  it("answers 400 naming every refused field and the policy, and leaves nothing behind", async () => {
    const pod = makePod("hostile", {
      hostPID: true,
      securityContext: { seccompProfile: { type: "Unconfined" } },
      initContainers: [{ name: "setup", image: BUSYBOX, securityContext: { privileged: true } }],
      containers: [
        {
          name: "main",
          image: BUSYBOX,
          resources: { limits: { [DEVICE]: "1" } },
          securityContext: { capabilities: { add: ["NET_BIND_SERVICE", "SYS_ADMIN"] } },
          readinessProbe: { httpGet: { host: "169.254.169.254", port: 80, path: "/latest/meta-data" } },
        },
      ],
    });
    pod.metadata = { ...pod.metadata, annotations: { "ild.io/engine": "host" } };
    const answer = await client.create(retrieved(pod));
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("ild could not create pod default/hostile");
    for (const refused of [
      "spec.hostPID: true is not allowed by the baseline policy (Ild.policy.level)",
      'spec.securityContext.seccompProfile.type: "Unconfined" is not allowed by the baseline policy (Ild.policy.level)',
      "spec.initContainers[0].securityContext.privileged: true is not allowed by policy (Ild.policy.privileged: deny",
      'spec.containers[0].securityContext.capabilities.add[1]: "SYS_ADMIN" is not allowed by the baseline policy (Ild.policy.level)',
      'spec.containers[0].readinessProbe.httpGet.host: "169.254.169.254" is not allowed by the baseline policy',
    ]) {
      expect(answer.body).toContain(refused);
    }
    expect(await hostContainersOf(pod.metadata?.uid as string)).toEqual([]);
    expect((await labelledObjects(sidecar.instance)).containers).toEqual([]);
    expect(await freeDevices()).toBe(`ild_devices{resource="${DEVICE}",state="free"} 1`);
    const [status] = await client.status([pod]);
    expect(status?.containers?.[0]?.state?.waiting?.message).toMatch(/no record/);
  });

  it("runs a normal pod beside it, on the engine its annotation picks (allowPodOverride), with its device", async () => {
    const pod = makePod("normal", {
      containers: [
        {
          name: "main",
          image: BUSYBOX,
          command: ["echo", "within the policy"],
          resources: { limits: { [DEVICE]: "1" } },
          securityContext: {
            capabilities: { add: ["NET_BIND_SERVICE"], drop: ["NET_RAW"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
          readinessProbe: { tcpSocket: { port: 80 } },
        },
      ],
    });
    pod.metadata = { ...pod.metadata, annotations: { "ild.io/engine": "host" } };
    const answer = await client.create(retrieved(pod));
    expect(answer.status).toBe(200);
    const main = await waitTerminated(client, pod, "main");
    expect(main.state?.terminated?.exitCode).toBe(0);
    expect((await client.logs(logRequest(pod, "main"))).body).toBe("within the policy\n");
    // On the host engine: the pod's own container "main" is on this engine, not inside a DIND.
    const { stdout } = await run("docker", [
      "ps",
      "-a",
      "-q",
      "--filter",
      `label=io.ild.pod-uid=${pod.metadata?.uid}`,
      "--filter",
      "label=io.ild.container-name=main",
    ]);
    expect(stdout.trim()).not.toBe("");
    expect(await freeDevices()).toBe(`ild_devices{resource="${DEVICE}",state="free"} 0`);
    expect((await client.delete(pod)).status).toBe(200);
    expect(await freeDevices()).toBe(`ild_devices{resource="${DEVICE}",state="free"} 1`);
    expect(await hostContainersOf(pod.metadata?.uid as string)).toEqual([]);
  });
});
