/**
 * Ild.policy.privileged: allow on the real engine: a privileged pod container runs privileged inside its
 * own DIND (pool with allowPrivilegedPods), with /dev/fuse and the DIND capability set, while the plain
 * container beside it keeps Docker's defaults and no /dev/fuse; the default policy still refuses it.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRunner } from "./create-runner.js";
import type { Runner } from "./runner-types.js";
import { createEngineFixture, type EngineFixture } from "./test-support/engine-fixture.js";
import { podInput, shell } from "./test-support/pods.js";
import { asHandle, containerState, waitForLogs, waitForStatus } from "./test-support/runner-fixture.js";

const BIG = "ild/python-big:1";
let fixture: EngineFixture;
let runner: Runner;
let strict: Runner;
let root: string;

beforeAll(async () => {
  fixture = await createEngineFixture(
    "dind-privileged",
    "dind",
    { privilegedDevices: ["/dev/fuse"], translateOptions: { policy: { privileged: "allow" } } },
    { allowPrivilegedPods: true },
  );
  runner = fixture.runner;
  root = fixture.root;
  // the same pool under the default policy
  const { privilegedDevices: _devices, translateOptions: _policy, ...common } = fixture.options;
  strict = createRunner(common);
}, 120_000);

afterAll(async () => {
  await strict.close();
  await fixture.cleanup();
}, 120_000);

const report =
  "grep CapEff /proc/self/status; if [ -c /dev/fuse ]; then echo fuse=yes; else echo fuse=no; fi";

describe("privileged pods with Ild.policy.privileged: allow", () => {
  it("refuses the privileged container under the default policy, creating nothing", async () => {
    await expect(
      strict.start(
        podInput("priv-denied", {
          containers: [{ ...shell("client", "true"), securityContext: { privileged: true } }],
        }),
      ),
    ).rejects.toMatchObject({ code: "ILD_POD_INVALID" });
    expect(fixture.options.pool?.leases()).toEqual([]);
  });

  it("runs it privileged in its own DIND with /dev/fuse; the plain container beside it keeps the defaults", async () => {
    const input = podInput("priv-fuse", {
      restartPolicy: "Never",
      volumes: [{ name: "shared", emptyDir: {} }],
      containers: [
        {
          ...shell("client", report),
          securityContext: { privileged: true },
          volumeMounts: [{ name: "shared", mountPath: "/mnt", mountPropagation: "Bidirectional" }],
        },
        shell("worker", report),
      ],
    });
    const handle = asHandle(await runner.start(input));
    const done = await waitForStatus(runner, handle.podUid, (status) =>
      ["client", "worker"].every((name) => containerState(status, name)?.state?.terminated !== undefined),
    );
    expect(JSON.stringify(containerState(done, "client")?.state?.terminated)).toContain('"exitCode":0');
    const client = await waitForLogs(runner, handle.podUid, "client", (text) => text.includes("fuse="));
    const worker = await waitForLogs(runner, handle.podUid, "worker", (text) => text.includes("fuse="));
    expect(client).toContain("fuse=yes");
    // all capabilities but SYS_RESOURCE (bit 24): 0x000001fffeffffff or wider on newer kernels
    expect(client).toMatch(/CapEff:\s+0000[0-9a-f]{3}ff?feffffff/);
    expect(worker).toContain("fuse=no");
    expect(worker).toMatch(/CapEff:\s+00000000a80425fb/);
    await runner.stop(handle, { gracePeriodSeconds: 0 });
  }, 120_000);

  it("070-rclone-bind: an rclone FUSE mount over sftp made by one container is seen by another (Bidirectional / HostToContainer)", async () => {
    const sftp = "--sftp-host 127.0.0.1 --sftp-port 2022 --sftp-user u";
    const input = podInput("rclone-bind", {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 1,
      volumes: [{ name: "shared", emptyDir: {} }],
      containers: [
        shell(
          "server",
          "mkdir -p /srv && echo hello-from-sftp > /srv/greeting && exec rclone serve sftp /srv --addr 127.0.0.1:2022 --user u --pass p",
          BIG,
        ),
        {
          ...shell(
            "mounter",
            `mkdir -p /mnt/remote; pass=$(rclone obscure p); until rclone lsf :sftp: ${sftp} --sftp-pass "$pass" >/dev/null 2>&1; do sleep 0.5; done; exec rclone mount :sftp: /mnt/remote ${sftp} --sftp-pass "$pass" --allow-other`,
            BIG,
          ),
          securityContext: { privileged: true },
          volumeMounts: [{ name: "shared", mountPath: "/mnt", mountPropagation: "Bidirectional" }],
        },
        {
          ...shell(
            "reader",
            "until [ -f /mnt/remote/greeting ]; do sleep 0.3; done; cat /mnt/remote/greeting; sleep 300",
          ),
          volumeMounts: [{ name: "shared", mountPath: "/mnt", mountPropagation: "HostToContainer" }],
        },
      ],
    });
    const handle = asHandle(await runner.start(input));
    const logs = await waitForLogs(
      runner,
      handle.podUid,
      "reader",
      (text) => text.includes("hello"),
      150_000,
    );
    expect(logs).toBe("hello-from-sftp\n");
    // the FUSE mount never reaches the host: the pod's emptyDir on the host holds only the empty folder
    const hostDir = path.join(root, "data", "pods", handle.podUid, "volumes", "shared", "remote");
    expect(await readdir(hostDir)).toEqual([]);
    await runner.stop(handle, { gracePeriodSeconds: 0 });
  }, 240_000);
});
