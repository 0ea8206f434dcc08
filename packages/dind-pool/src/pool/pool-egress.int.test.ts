/**
 * Real-engine test of the host-side egress rules. Targets are only addresses on this machine: one
 * busybox httpd in the host's network namespace, reached through the gateways of two networks this
 * test creates ("allowed" and "denied": both are the host itself). The pod's side is as hostile as
 * it gets: an inner container with NET_ADMIN flushes every table of the DIND's netfilter (set up
 * directly through the lease, the policy would refuse it), and a raw ICMP socket (busybox ping,
 * NET_RAW of Docker's default set) bypasses the socket layer, and a forged source address (put on
 * the pod's interface with NET_ADMIN) is seen by a UDP witness in this test process only while the
 * rules are lifted. Then a crash: the host rules vanish
 * between marker and rules, a new pool adopts the lease and puts them back; a chain of a DIND that
 * no longer exists is swept; after release nothing of the pool is left in the host's tables.
 */

import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { readdir, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "../docker/docker-client.js";
import { createDockerClient } from "../docker/dockerode-client.js";
import type { DindLease, DindPool, DindPoolOptions } from "../pool-types.js";
import { createDindPool } from "./create-dind-pool.js";
import {
  egressChainName,
  type IpFamily,
  parseFilterSave,
  poolChainPrefix,
  renderEgressRemoval,
  staleEgressChains,
} from "./egress-rules.js";
import { createIptablesFirewall } from "./host-firewall.js";
import {
  busybox,
  dindImage,
  dockerCli,
  newSocketRoot,
  removePoolObjects,
  runInner,
  testLabel,
  uniquePoolId,
} from "./pool.test-helpers.js";

const poolId = uniquePoolId("egress");
const port = randomInt(30_000, 40_000);
const podPort = randomInt(40_000, 50_000);
const udpPort = randomInt(50_000, 60_000);
/** A documentation address (TEST-NET-1) the pod puts on its own interface to forge its source. */
const spoofed = "192.0.2.5";
const firewall = createIptablesFirewall();
const families: IpFamily[] = [4, 6];

async function gateway(network: string): Promise<string> {
  return dockerCli(["network", "inspect", network, "--format", "{{(index .IPAM.Config 0).Gateway}}"]);
}

/** Exit code of a TCP connect from an inner container on the DIND's netns (0 = reached). */
async function reach(lease: DindLease, address: string): Promise<number> {
  const result = await runInner(
    lease.docker,
    busybox,
    ["nc", "-w", "1", address, String(port), "-e", "/bin/true"],
    { NetworkMode: "host" },
  );
  return result.exitCode;
}

/** Exit code of one raw-socket ICMP echo (busybox ping as root opens SOCK_RAW). */
async function ping(lease: DindLease, address: string): Promise<number> {
  const result = await runInner(lease.docker, busybox, ["ping", "-c", "1", "-W", "1", address], {
    NetworkMode: "host",
  });
  return result.exitCode;
}

/**
 * An inner container with NET_ADMIN running the DIND's own iptables-nft (its binary and libraries
 * bind-mounted read-only into busybox: no image to deliver), on the DIND's network namespace.
 */
function withNetAdmin(lease: DindLease, argv: string[]): Promise<{ exitCode: number; output: string }> {
  return runInner(lease.docker, busybox, ["/usr/sbin/xtables-nft-multi", ...argv], {
    NetworkMode: "host",
    CapAdd: ["NET_ADMIN"],
    Binds: [
      "/usr/sbin:/usr/sbin:ro",
      "/usr/lib:/usr/lib:ro",
      "/usr/lib:/lib:ro",
      "/usr/lib64:/lib64:ro",
      "/etc/alternatives:/etc/alternatives:ro",
      "/run/ild:/run/ild:ro",
    ],
  });
}

/** Sources of the UDP datagrams that reached the host (the test process listens in its netns). */
class UdpWitness {
  readonly sources: string[] = [];
  private readonly socket = createSocket("udp4");
  private waiters: Array<{ source: string; resolve(): void }> = [];

  async listen(): Promise<void> {
    this.socket.on("message", (_message, remote) => {
      this.sources.push(remote.address);
      for (const waiter of this.waiters.filter((item) => item.source === remote.address)) {
        waiter.resolve();
      }
      this.waiters = this.waiters.filter((item) => item.source !== remote.address);
    });
    // traceroute's first probe goes to its base port + 1
    await new Promise<void>((resolve) => this.socket.bind(udpPort + 1, resolve));
  }

  /** Resolves once a datagram from `source` arrived. */
  arrival(source: string): Promise<void> {
    if (this.sources.includes(source)) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ source, resolve }));
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * One UDP probe from the pod to the host's `address` (busybox traceroute, TTL 1: it reaches the
 * gateway's own addresses), from `source` when given (forged).
 */
async function sendUdp(lease: DindLease, address: string, source?: string): Promise<void> {
  const from = source === undefined ? [] : ["-s", source];
  await runInner(
    lease.docker,
    busybox,
    ["traceroute", "-n", "-m", "1", "-q", "1", "-w", "1", "-p", String(udpPort), ...from, address],
    { NetworkMode: "host" },
  );
}

/** `ip addr add|del <spoofed>/32 dev eth0` in the DIND's netns, by a pod with NET_ADMIN. */
async function spoofAddress(lease: DindLease, action: "add" | "del"): Promise<void> {
  const result = await runInner(
    lease.docker,
    busybox,
    ["ip", "addr", action, `${spoofed}/32`, "dev", "eth0"],
    {
      NetworkMode: "host",
      CapAdd: ["NET_ADMIN"],
    },
  );
  expect(result).toMatchObject({ exitCode: 0 });
}

/** This pool's chains on the host, both families. */
async function poolChains(): Promise<string[]> {
  const prefix = poolChainPrefix(poolId);
  const chains: string[] = [];
  for (const family of families) {
    const saved = parseFilterSave(await firewall.save(family));
    chains.push(...[...saved.chains].filter((chain) => chain.startsWith(prefix)));
    chains.push(...saved.rules.filter((rule) => rule.includes(prefix)));
  }
  return chains;
}

async function removeChains(chains: (saved: ReturnType<typeof parseFilterSave>) => string[]): Promise<void> {
  for (const family of families) {
    const saved = parseFilterSave(await firewall.save(family));
    const rules = renderEgressRemoval(chains(saved), saved);
    if (rules !== undefined) {
      await firewall.restore(family, rules);
    }
  }
}

describe("host egress rules on the real engine", () => {
  let host: DockerClient;
  let socketRoot: string;
  const pools: DindPool[] = [];
  let server = "";
  const networks: string[] = [];
  let allowed = "";
  let denied = "";
  let podUid = "";

  const newPool = (extra: Partial<DindPoolOptions> = {}): DindPool => {
    const pool = createDindPool({
      docker: host,
      poolId,
      size: 0,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      preloadImages: [busybox],
      ...extra,
    });
    pools.push(pool);
    return pool;
  };

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
    for (const kind of ["allowed", "denied"]) {
      const name = `ild-test-egress-${kind}-${poolId}`;
      await host.createNetwork({ Name: name, Labels: { ...testLabel, "io.ild.test-pool": poolId } });
      networks.push(name);
    }
    allowed = await gateway(networks[0] ?? "");
    denied = await gateway(networks[1] ?? "");
  });

  afterAll(async () => {
    for (const pool of pools) {
      for (const lease of pool.leases()) {
        await lease.release().catch(() => {});
      }
      await pool.close();
    }
    if (server !== "") {
      await host.removeContainer(server);
    }
    for (const network of networks) {
      await host.removeNetwork(network);
    }
    await removePoolObjects(host, poolId, socketRoot);
    await removeChains((saved) => staleEgressChains(saved, poolId, new Set()));
    await host.close();
  });

  it("holds against a NET_ADMIN flush inside the DIND and raw ICMP; the neighbour and the host's calls still work", async () => {
    const pool = newPool();
    await expect(
      pool.acquire({ podUid: "pod-bad", egress: { allowCidrs: ["10.0.0.0/8", "300.1.2.3"] } }),
    ).rejects.toMatchObject({ code: "ILD_EGRESS_INVALID", field: "egress.allowCidrs[1]" });

    const lease = await pool.acquire({ podUid: "pod-egress", egress: { allowCidrs: [`${allowed}/32`] } });
    podUid = lease.podUid;
    expect(await reach(lease, allowed)).toBe(0);
    expect(await reach(lease, denied)).not.toBe(0);

    // the pod with NET_ADMIN empties every table of its DIND's netfilter (both families)
    const socketDir = join(socketRoot, poolId, lease.containerName.slice(-8));
    const tables = ["filter", "nat", "mangle", "raw", "security"];
    await writeFile(join(socketDir, "flush.rules"), tables.map((table) => `*${table}\nCOMMIT\n`).join(""));
    expect((await withNetAdmin(lease, ["iptables-nft-save"])).output).toMatch(/^-A /m);
    for (const tool of ["iptables-nft-restore", "ip6tables-nft-restore"]) {
      expect(await withNetAdmin(lease, [tool, "/run/ild/flush.rules"])).toMatchObject({ exitCode: 0 });
    }
    expect((await withNetAdmin(lease, ["iptables-nft-save"])).output).not.toMatch(/^-A /m);
    expect(await reach(lease, denied)).not.toBe(0);
    expect(await ping(lease, denied)).not.toBe(0);
    // the legitimate neighbour, by TCP and by raw ICMP
    expect(await reach(lease, allowed)).toBe(0);
    expect(await ping(lease, allowed)).toBe(0);

    // a forged source address never leaves, even towards the allowed address; the real one does
    // (both take the same path, the forged one first: when the real one is in, the other is lost)
    const witness = new UdpWitness();
    await witness.listen();
    await spoofAddress(lease, "add");
    await sendUdp(lease, allowed, spoofed);
    await sendUdp(lease, allowed);
    await witness.arrival(lease.ip);
    expect(witness.sources).not.toContain(spoofed);

    // the host (the sidecar's probes) still reaches a server in the pod: replies pass
    const podServer = await lease.docker.createContainer(undefined, {
      Image: busybox,
      Cmd: ["httpd", "-f", "-p", String(podPort), "-h", "/etc"],
      HostConfig: { NetworkMode: "host" },
    });
    await lease.docker.startContainer(podServer);
    const answer = await new Promise<string>((resolve, reject) => {
      const attempt = (left: number): void => {
        const socket = connect(podPort, lease.ip);
        let text = "";
        socket.on("connect", () => socket.end("GET /hostname HTTP/1.0\r\n\r\n"));
        socket.on("data", (chunk) => {
          text += chunk.toString();
        });
        socket.on("end", () => resolve(text));
        socket.on("error", (error) => (left > 0 ? setTimeout(() => attempt(left - 1), 100) : reject(error)));
      };
      attempt(50);
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] 200/);
    await lease.docker.removeContainer(podServer);

    // lifted, the denied address answers: the test above is meaningful; then back on
    await lease.setEgress(undefined);
    expect(await reach(lease, denied)).toBe(0);
    await sendUdp(lease, allowed, spoofed);
    await witness.arrival(spoofed);
    await spoofAddress(lease, "del");
    witness.close();
    expect(await poolChains()).toEqual([]);
    await lease.setEgress([`${allowed}/32`]);
    expect(await reach(lease, denied)).not.toBe(0);
  });

  it("after a crash a new pool adopts the lease and puts the rules back; stale chains go; release leaves nothing", async () => {
    expect(podUid).not.toBe("");
    const [crashed] = pools;
    const lease = crashed?.findLease(podUid);
    if (crashed === undefined || lease === undefined) {
      throw new Error("the first test left no lease");
    }
    const key = lease.containerName.slice(-8);
    // the crash window: the allow-list was stored, the rules never went in (or a firewall reload)
    await removeChains(() => [egressChainName(poolId, key)]);
    expect(await reach(lease, denied)).toBe(0);
    // and a chain of a DIND of this pool that no longer exists
    const stale = egressChainName(poolId, "00000000");
    await firewall.restore(4, `*filter\n:${stale} - [0:0]\n-A ${stale} -j DROP\nCOMMIT\n`);
    await crashed.close(); // leased DINDs keep running, as after a crash

    const restarted = newPool({ reconcileOnStart: false });
    const report = await restarted.reconcile();
    expect(report.adopted).toEqual([{ podUid, containerId: lease.containerId }]);
    const adopted = restarted.findLease(podUid);
    expect(adopted?.adopted).toBe(true);
    if (adopted === undefined) {
      throw new Error("not adopted");
    }
    expect(await reach(adopted, denied)).not.toBe(0);
    expect(await reach(adopted, allowed)).toBe(0);
    expect(await poolChains()).not.toContain(stale);

    await adopted.release();
    expect(await poolChains()).toEqual([]);
    expect(await readdir(join(socketRoot, poolId, "egress")).catch(() => [])).toEqual([]);
  });
});
