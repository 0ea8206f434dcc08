/**
 * Real-engine tests of the DIND boundary (docs/operating.md "DIND boundary"): what a pod (an inner
 * container, root) and a process that reached the DIND's own root can no longer do with the hardened
 * settings `auto` picks, next to what the inner engine and its pods still need.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "../docker/docker-client.js";
import { createDockerClient } from "../docker/dockerode-client.js";
import type { DindLease, DindPool } from "../pool-types.js";
import { createDindPool } from "./create-dind-pool.js";
import { hardenedCapabilities } from "./dind-security.js";
import {
  busybox,
  dindImage,
  newSocketRoot,
  removePoolObjects,
  runInner,
  testLabel,
  uniquePoolId,
} from "./pool.test-helpers.js";

const poolId = uniquePoolId("bound");
const privilegedPoolId = uniquePoolId("bpriv");

/** Capability numbers (linux/capability.h) a DIND must not hold. */
const forbiddenCapabilities = {
  DAC_READ_SEARCH: 2,
  SYS_MODULE: 16,
  SYS_RAWIO: 17,
  SYS_PTRACE: 19,
  SYS_BOOT: 22,
  SYS_TIME: 25,
} as const;

/** The host's first block device (`major minor`) from /proc/partitions: the disk an attacker wants. */
async function hostBlockDevice(): Promise<{ major: string; minor: string; name: string }> {
  const lines = (await readFile("/proc/partitions", "utf8")).split("\n").slice(2);
  for (const line of lines) {
    const [major, minor, , name] = line.trim().split(/\s+/);
    if (major !== undefined && minor !== undefined && name !== undefined && /^\d+$/.test(major)) {
      return { major, minor, name };
    }
  }
  throw new Error("this host lists no block device in /proc/partitions");
}

function hostConfigOf(raw: Record<string, unknown>): Record<string, unknown> {
  return raw.HostConfig as Record<string, unknown>;
}

async function execIn(host: DockerClient, id: string, argv: string[]) {
  const result = await host.exec(id, argv);
  return { exitCode: result.exitCode, output: `${result.stdout}${result.stderr}` };
}

describe("the DIND boundary (hardened default)", () => {
  let host: DockerClient;
  let socketRoot: string;
  let pool: DindPool | undefined;
  let lease: DindLease;
  let disk: { major: string; minor: string; name: string };

  beforeAll(async () => {
    host = createDockerClient({ env: {} });
    socketRoot = await newSocketRoot();
    disk = await hostBlockDevice();
    pool = createDindPool({
      docker: host,
      poolId,
      size: 1,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      preloadImages: [busybox],
    });
    lease = await pool.acquire({ podUid: "boundary-pod" });
  });

  afterAll(async () => {
    await lease?.release();
    await pool?.close();
    await removePoolObjects(host, poolId, socketRoot);
    await host.close();
  });

  it("auto picks hardened: the DIND's HostConfig has no ALL, no wildcard device rule, no privileged", async () => {
    expect((await pool?.info)?.securityMode).toBe("hardened");
    const hostConfig = hostConfigOf((await host.inspectContainer(lease.containerId)).raw);
    expect(hostConfig.Privileged).toBe(false);
    expect(hostConfig.CapDrop).toEqual(["ALL"]);
    expect(hostConfig.CapAdd).toEqual([...hardenedCapabilities]);
    expect(hostConfig.DeviceCgroupRules ?? []).toEqual([]);
    expect(JSON.stringify(hostConfig)).not.toContain("*:* rwm");
    // Docker's masked and read-only /proc paths are kept
    expect(hostConfig.MaskedPaths).toEqual(expect.arrayContaining(["/proc/kcore", "/proc/keys"]));
    expect(hostConfig.ReadonlyPaths).toEqual(expect.arrayContaining(["/proc/sys", "/proc/sysrq-trigger"]));
  });

  it("the inner engine still works: default capabilities, overlay2 from the seed, bridge networking", async () => {
    const info = await lease.docker.info();
    expect(info.Driver).toBe("overlay2");
    const plain = await runInner(lease.docker, busybox, ["grep", "CapEff", "/proc/self/status"]);
    expect(plain).toEqual({ exitCode: 0, output: expect.stringContaining("00000000a80425fb") });
    // the pod network model: inner containers share the DIND's network namespace
    const pod = await runInner(lease.docker, busybox, ["cat", "/proc/net/route"], { NetworkMode: "host" });
    expect(pod.exitCode).toBe(0);
    // two inner containers on the inner bridge reach each other
    const peer = await lease.docker.createContainer(undefined, { Image: busybox, Cmd: ["sleep", "60"] });
    try {
      await lease.docker.startContainer(peer);
      const ip = (await lease.docker.inspectContainer(peer)).networks.bridge?.ipAddress ?? "";
      expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const ping = await runInner(lease.docker, busybox, ["ping", "-c", "1", "-W", "5", ip]);
      expect(ping).toEqual({ exitCode: 0, output: expect.stringContaining("1 packets received") });
    } finally {
      await lease.docker.removeContainer(peer);
    }
  });

  it("a pod cannot get a capability its DIND lacks (module loading, ptrace, raw I/O), default caps start", async () => {
    for (const capability of ["SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO"]) {
      await expect(runInner(lease.docker, busybox, ["true"], { CapAdd: [capability] })).rejects.toThrow(
        /apply caps|operation not permitted/i,
      );
    }
    await expect(
      runInner(lease.docker, busybox, ["true"], { CapAdd: ["NET_BIND_SERVICE"] }),
    ).resolves.toEqual({
      exitCode: 0,
      output: "",
    });
  });

  it("a pod cannot open the host disk even with mknod, nor widen its device cgroup; /dev/zero works", async () => {
    const node = `mknod /tmp/disk b ${disk.major} ${disk.minor} && dd if=/tmp/disk of=/dev/null bs=512 count=1`;
    const attack = await runInner(lease.docker, busybox, ["sh", "-c", node]);
    expect(attack.exitCode).not.toBe(0);
    expect(attack.output).toMatch(/operation not permitted/i);
    await expect(
      runInner(lease.docker, busybox, ["true"], { DeviceCgroupRules: ["b *:* rwm"] }),
    ).rejects.toThrow(/operation not permitted|devices/i);
    const legit = await runInner(lease.docker, busybox, ["dd", "if=/dev/zero", "of=/dev/null", "count=1"]);
    expect(legit.exitCode).toBe(0);
  });

  it("a pod that sees the DIND's processes cannot read dockerd's memory or environment", async () => {
    const script = [
      'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = dockerd ] && d=$(basename $p); done',
      'echo "pid=$d"',
      "cat /proc/$d/environ >/dev/null 2>&1 && echo environ-read || echo environ-denied",
      "dd if=/proc/$d/mem of=/dev/null bs=1 count=1 2>/dev/null && echo mem-read || echo mem-denied",
      "cat /proc/self/environ >/dev/null && echo own-environ-read",
    ].join("\n");
    const result = await runInner(lease.docker, busybox, ["sh", "-c", script], { PidMode: "host" });
    expect(result.output).toMatch(/pid=\d+/);
    expect(result.output).toContain("environ-denied");
    expect(result.output).toContain("mem-denied");
    expect(result.output).toContain("own-environ-read");
  });

  it("even the DIND's own root lacks the dangerous capabilities and cannot open the host disk", async () => {
    const status = await execIn(host, lease.containerId, ["grep", "CapBnd", "/proc/1/status"]);
    const bounding = BigInt(`0x${status.output.split(/\s+/)[1]}`);
    for (const [name, bit] of Object.entries(forbiddenCapabilities)) {
      expect({ name, held: (bounding >> BigInt(bit)) & 1n }).toEqual({ name, held: 0n });
    }
    // the host's block devices are not in its /dev, and a node it makes cannot be opened
    const dev = await execIn(host, lease.containerId, ["ls", "/dev"]);
    expect(dev.output.split(/\s+/)).not.toContain(disk.name);
    const made = await execIn(host, lease.containerId, [
      "mknod",
      "/tmp/hostdisk",
      "b",
      disk.major,
      disk.minor,
    ]);
    expect(made.exitCode).toBe(0); // mknod itself is allowed (b *:* m), opening is not
    const read = await execIn(host, lease.containerId, ["dd", "if=/tmp/hostdisk", "of=/dev/null", "count=1"]);
    expect(read).toEqual({ exitCode: 1, output: expect.stringMatching(/operation not permitted/i) });
    const mount = await execIn(host, lease.containerId, ["mount", "-o", "ro", "/tmp/hostdisk", "/mnt"]);
    expect(mount.exitCode).not.toBe(0);
    // /proc/sys stays read-only (writing the current value back: a no-op if it ever were writable)
    const sysctl = await execIn(host, lease.containerId, [
      "sh",
      "-c",
      "cat /proc/sys/kernel/core_pattern > /tmp/cp && cat /tmp/cp > /proc/sys/kernel/core_pattern",
    ]);
    expect(sysctl.exitCode).not.toBe(0);
    expect(sysctl.output).toMatch(/read-only file system/i);
    const legit = await execIn(host, lease.containerId, ["dd", "if=/dev/zero", "of=/dev/null", "count=1"]);
    expect(legit.exitCode).toBe(0);
  });
});

describe("the DIND boundary when the operator allows privileged pods", () => {
  let host: DockerClient;
  let socketRoot: string;
  let pool: DindPool | undefined;
  let lease: DindLease;

  beforeAll(async () => {
    host = createDockerClient({ env: {} });
    socketRoot = await newSocketRoot();
    pool = createDindPool({
      docker: host,
      poolId: privilegedPoolId,
      size: 1,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      preloadImages: [busybox],
      allowPrivilegedPods: true,
    });
    lease = await pool.acquire({ podUid: "privileged-pod" });
  });

  afterAll(async () => {
    await lease?.release();
    await pool?.close();
    await removePoolObjects(host, privilegedPoolId, socketRoot);
    await host.close();
  });

  it("a privileged pod runs with every capability and /dev/fuse, but never a wildcard device rule", async () => {
    const hostConfig = hostConfigOf((await host.inspectContainer(lease.containerId)).raw);
    expect(hostConfig).toMatchObject({ Privileged: false, CapAdd: ["ALL"], CapDrop: ["SYS_RESOURCE"] });
    expect(hostConfig.DeviceCgroupRules ?? []).toEqual([]);
    expect(hostConfig.Devices).toEqual([
      { PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" },
    ]);
    const privileged = {
      CapAdd: ["ALL"],
      CapDrop: ["SYS_RESOURCE"],
      SecurityOpt: ["seccomp=unconfined"],
      MaskedPaths: [],
      ReadonlyPaths: [],
      Devices: [{ PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" }],
    };
    const result = await runInner(
      lease.docker,
      busybox,
      ["sh", "-c", "test -c /dev/fuse && echo fuse"],
      privileged,
    );
    expect(result).toEqual({ exitCode: 0, output: "fuse\n" });
    // the wildcard rule cannot be granted below a restricted DIND (cgroup v1 refuses it)
    await expect(
      runInner(lease.docker, busybox, ["true"], { ...privileged, DeviceCgroupRules: ["a *:* rwm"] }),
    ).rejects.toThrow(/a \*:\* rwm|operation not permitted/i);
  });
});
