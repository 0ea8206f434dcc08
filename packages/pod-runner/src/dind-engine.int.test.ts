import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createDindPool,
  createDockerClient,
  type DindPool,
  type DockerClient,
  removeTree,
} from "@ild/dind-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRunner } from "./create-runner.js";
import { ensureTmpfs } from "./files/ensure-tmpfs.js";
import { poolPodPaths } from "./files/pod-mounts.js";
import type { Runner, RunnerOptions } from "./runner-types.js";
import { podInput, shell } from "./test-support/pods.js";
import { asHandle, containerState, waitForLogs, waitForStatus } from "./test-support/runner-fixture.js";

const poolId = `t-runner-${randomBytes(3).toString("hex")}`;
let root: string;
let docker: DockerClient;
const pools: DindPool[] = [];
let runner: Runner;
let options: RunnerOptions;

function newPool(): DindPool {
  const pool = createDindPool({
    docker,
    poolId,
    size: 1,
    image: "ild/dind:1",
    socketRoot: path.join(root, "s"),
    securityMode: "hardened",
    podPaths: poolPodPaths(path.join(root, "data"), path.join(root, "run")),
  });
  pools.push(pool);
  return pool;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ildr-"));
  docker = createDockerClient({});
  await ensureTmpfs(path.join(root, "run"), {
    debug() {},
    info() {},
    warn() {},
    error() {},
    child: () => ({}) as never,
  });
  options = {
    docker,
    pool: newPool(),
    dataRoot: path.join(root, "data"),
    runRoot: path.join(root, "run"),
    runnerId: `test-dind-${poolId}`,
    labels: { "io.ild.test": "pod-runner" },
    backoff: { initialMs: 500, maxMs: 2000 },
  };
  runner = createRunner(options);
});

afterAll(async () => {
  for (const pod of runner.list()) {
    await runner.stop(pod.podUid, { gracePeriodSeconds: 0 }).catch(() => {});
  }
  await runner.close();
  for (const pool of pools) {
    for (const lease of pool.leases()) {
      await lease.release();
    }
    await pool.close();
  }
  const label = [`io.ild.pool-id=${poolId}`];
  for (const container of await docker.listContainers({ all: true, label })) {
    await docker.removeContainer(container.id);
  }
  for (const network of await docker.listNetworks({ label })) {
    await docker.removeNetwork(network.id);
  }
  for (const volume of await docker.listVolumes({ label })) {
    await docker.removeVolume(volume.name);
  }
  await removeTree(root);
  await docker.close();
});

describe("dind engine", () => {
  it("probes the pod IP from this process (readiness over httpGet)", async () => {
    const input = podInput("dind-probe", {
      containers: [
        {
          ...shell("web", "mkdir -p /www; echo ok > /www/index.html; sleep 1; httpd -f -p 8080 -h /www"),
          readinessProbe: { httpGet: { path: "/", port: 8080 }, periodSeconds: 1 },
        },
      ],
    });
    const handle = asHandle(await runner.start(input));
    const ready = await waitForStatus(runner, handle.podUid, (status) =>
      Boolean(containerState(status, "web")?.state?.running),
    );
    expect(containerState(ready, "web")?.ready).toBe(true);

    // a runner restart takes the DIND back (pool reconcile + labels inside the inner engine)
    await runner.close();
    options = { ...options, pool: newPool() };
    runner = createRunner(options);
    await runner.recover();
    const after = runner.status(handle.podUid);
    expect(after.found).toBe(true);
    expect(after.status.JID).toBe(handle.jobId);
    expect(containerState(after, "web")?.containerID).toBe(containerState(ready, "web")?.containerID);
    await runner.stop(handle, { gracePeriodSeconds: 0 });
  });

  it("reports an image that cannot be pulled as ErrImagePull with the registry's message", async () => {
    const input = podInput("dind-pull", {
      containers: [
        { name: "main", image: "registry.invalid/nothing/here:1", imagePullPolicy: "IfNotPresent" },
      ],
    });
    const handle = asHandle(await runner.start(input));
    const status = await waitForStatus(runner, handle.podUid, (current) =>
      ["ErrImagePull", "ImagePullBackOff"].includes(
        containerState(current, "main")?.state?.waiting?.reason ?? "",
      ),
    );
    expect(containerState(status, "main")?.state?.waiting?.message).toMatch(/registry\.invalid/);
    await runner.stop(handle, { gracePeriodSeconds: 0 });
  });

  it("applies the egress allow-list annotation through the lease, and refuses a bad CIDR", async () => {
    const input = podInput(
      "dind-egress",
      { restartPolicy: "Never", containers: [shell("main", "echo egress-ok")] },
      { annotations: { "ild.io/egress-allow": "10.0.0.0/8" } },
    );
    const handle = asHandle(await runner.start(input));
    expect(await waitForLogs(runner, handle.podUid, "main", (text) => text.length > 0)).toBe("egress-ok\n");
    await runner.stop(handle, { gracePeriodSeconds: 0 });
    const bad = podInput(
      "dind-egress-bad",
      { containers: [shell("main", "true")] },
      { annotations: { "ild.io/egress-allow": "10.0.0.0/99" } },
    );
    await expect(runner.start(bad)).rejects.toMatchObject({ code: "ILD_RUNNER_HOOK_FAILED" });
  });

  it("applies the pod's hostname, subdomain, hostAliases, dnsConfig and sysctls inside its DIND", async () => {
    const input = podInput("dind-identity", {
      restartPolicy: "Never",
      hostname: "web-0",
      subdomain: "sub",
      hostAliases: [{ ip: "10.1.2.3", hostnames: ["alias.example"] }],
      dnsPolicy: "None",
      dnsConfig: {
        nameservers: ["10.96.0.10"],
        searches: ["team.svc"],
        options: [{ name: "ndots", value: "5" }],
      },
      securityContext: { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "81" }] },
      containers: [
        shell(
          "main",
          "hostname; grep -E 'alias.example|web-0' /etc/hosts | tr '\\t' ' '; grep -v '^#' /etc/resolv.conf; cat /proc/sys/net/ipv4/ip_unprivileged_port_start",
        ),
      ],
    });
    const handle = asHandle(await runner.start(input));
    const done = await waitForStatus(
      runner,
      handle.podUid,
      (status) => status.phase !== "Pending" && status.phase !== "Running",
    );
    expect(done.phase).toBe("Succeeded");
    const logs = (await waitForLogs(runner, handle.podUid, "main", (text) => text.length > 0)).split("\n");
    const ip = done.podIp ?? "";
    expect(logs[0]).toBe("web-0");
    expect(logs).toContain("10.1.2.3 alias.example");
    expect(logs).toContain(`${ip} web-0.sub.default.svc.cluster.local`);
    expect(logs).toContain(`${ip} web-0`);
    expect(logs).toEqual(
      expect.arrayContaining(["search team.svc", "nameserver 10.96.0.10", "options ndots:5"]),
    );
    expect(logs).toContain("81");
    await runner.stop(handle, { gracePeriodSeconds: 0 });
  });
});
