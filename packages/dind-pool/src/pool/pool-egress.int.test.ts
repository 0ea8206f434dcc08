/**
 * Real-engine test of the egress ACL: one busybox httpd in the host's network namespace, reached
 * through two local addresses (the DIND network's gateway and the gateway of a test network; not
 * docker0's 172.17.0.1, which inside a DIND is the inner engine's own bridge). Only
 * the allowed one stays reachable from the pod, from the inner bridge (FORWARD) and from an inner
 * container on the DIND's own network namespace (OUTPUT).
 */
import { randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "../docker/docker-client.js";
import { createDockerClient } from "../docker/dockerode-client.js";
import { InvalidEgressError } from "../errors.js";
import type { DindLease, DindPool } from "../pool-types.js";
import { createDindPool } from "./create-dind-pool.js";
import { parseResolvConf } from "./egress-rules.js";
import {
  busybox,
  dindImage,
  dockerCli,
  leftovers,
  newSocketRoot,
  removePoolObjects,
  runInner,
  testLabel,
  uniquePoolId,
} from "./pool.test-helpers.js";

const poolId = uniquePoolId("egress");
const port = randomInt(30_000, 40_000);

async function gateway(network: string): Promise<string> {
  return dockerCli(["network", "inspect", network, "--format", "{{(index .IPAM.Config 0).Gateway}}"]);
}

/** Exit code of a TCP connect from an inner container (0 = reached; busybox nc, its wget is broken). */
async function reach(lease: DindLease, address: string, networkMode: "bridge" | "host"): Promise<number> {
  const result = await runInner(
    lease.docker,
    busybox,
    ["nc", "-w", "2", address, String(port), "-e", "/bin/true"],
    { NetworkMode: networkMode },
  );
  return result.exitCode;
}

describe("egress ACL on the real engine", () => {
  let host: DockerClient;
  let socketRoot: string;
  let pool: DindPool;
  let server = "";
  let otherNetwork = "";

  beforeAll(async () => {
    host = createDockerClient({ env: {} });
    socketRoot = await newSocketRoot();
    server = await host.createContainer(`ild-test-httpd-${poolId}`, {
      Image: busybox,
      Cmd: ["httpd", "-f", "-p", String(port), "-h", "/etc"],
      Labels: { ...testLabel, "io.ild.test-pool": poolId },
      HostConfig: { NetworkMode: "host" },
    });
    await host.startContainer(server);
    otherNetwork = `ild-test-egress-${poolId}`;
    await host.createNetwork({ Name: otherNetwork, Labels: { ...testLabel, "io.ild.test-pool": poolId } });
    pool = createDindPool({
      docker: host,
      poolId,
      size: 1,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      preloadImages: [busybox],
    });
  });

  afterAll(async () => {
    for (const lease of pool.leases()) {
      await lease.release();
    }
    await pool.close();
    if (server !== "") {
      await host.removeContainer(server);
    }
    if (otherNetwork !== "") {
      await host.removeNetwork(otherNetwork);
    }
    await removePoolObjects(host, poolId, socketRoot);
    await host.close();
  });

  it("drops egress to a non-allowed local address and allows an allowed one", async () => {
    const lease = await pool.acquire({ podUid: "pod-egress" });
    const allowed = await gateway(lease.networkName ?? "");
    const blocked = await gateway(otherNetwork);
    expect(allowed).not.toBe(blocked);
    // without rules both addresses are reachable: the test below is meaningful
    expect(await reach(lease, allowed, "bridge")).toBe(0);
    expect(await reach(lease, blocked, "bridge")).toBe(0);

    await lease.setEgress([`${allowed}/32`]);
    expect(await reach(lease, allowed, "bridge")).toBe(0);
    expect(await reach(lease, blocked, "bridge")).not.toBe(0);
    expect(await reach(lease, allowed, "host")).toBe(0);
    expect(await reach(lease, blocked, "host")).not.toBe(0);

    // replacing the rules, then lifting them
    await lease.setEgress([`${blocked}/32`]);
    expect(await reach(lease, blocked, "bridge")).toBe(0);
    expect(await reach(lease, allowed, "bridge")).not.toBe(0);
    await lease.setEgress(undefined);
    expect(await reach(lease, allowed, "bridge")).toBe(0);
    expect(await reach(lease, blocked, "bridge")).toBe(0);
    // inner containers resolve through the host's resolvers, the ones the rules allow on port 53
    const resolvConf = (await runInner(lease.docker, busybox, ["cat", "/etc/resolv.conf"])).output;
    for (const server of parseResolvConf(await readFile("/etc/resolv.conf", "utf8"))) {
      expect(resolvConf).toContain(`nameserver ${server.replace("/32", "")}`);
    }
    await lease.release();
  });

  it("applies egress given at acquire and rejects invalid CIDRs naming the field", async () => {
    await expect(
      pool.acquire({ podUid: "pod-bad", egress: { allowCidrs: ["10.0.0.0/8", "300.1.2.3"] } }),
    ).rejects.toMatchObject({
      code: "ILD_EGRESS_INVALID",
      field: "egress.allowCidrs[1]",
    });
    const lease = await pool.acquire({ podUid: "pod-acl", egress: { allowCidrs: ["192.0.2.0/24"] } });
    const blocked = await gateway(otherNetwork);
    expect(await reach(lease, blocked, "bridge")).not.toBe(0);
    await expect(lease.setEgress(["not-a-cidr"])).rejects.toBeInstanceOf(InvalidEgressError);
    await lease.release();
    expect((await leftovers(host, poolId)).volumes).not.toContain(`${lease.containerName}-lease`);
  });
});
