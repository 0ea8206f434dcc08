/**
 * Real engine: the inner dockerd rotates its containers' logs (dockerdArgs: json-file, 10 MiB, 3
 * files). A container printing 40 MiB leaves at most 3 log files of about 10 MiB in the DIND, and
 * its latest lines still come back through the logs API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "../docker/docker-client.js";
import { createDockerClient } from "../docker/dockerode-client.js";
import type { DindLease, DindPool } from "../pool-types.js";
import { createDindPool } from "./create-dind-pool.js";
import {
  busybox,
  dindImage,
  newSocketRoot,
  removePoolObjects,
  testLabel,
  uniquePoolId,
} from "./pool.test-helpers.js";

const poolId = uniquePoolId("logrot");
const MiB = 1024 * 1024;

describe("inner dockerd log rotation", () => {
  let host: DockerClient;
  let socketRoot: string;
  let pool: DindPool | undefined;
  let lease: DindLease;

  beforeAll(async () => {
    host = createDockerClient({ env: {} });
    socketRoot = await newSocketRoot();
    pool = createDindPool({
      docker: host,
      poolId,
      size: 1,
      image: dindImage,
      labels: testLabel,
      socketRoot,
      preloadImages: [busybox],
    });
    lease = await pool.acquire({ podUid: "log-rotation-pod" });
  });

  afterAll(async () => {
    await lease?.release();
    await pool?.close();
    await removePoolObjects(host, poolId, socketRoot);
    await host.close();
  });

  it("keeps at most 3 files of ~10 MiB of a container that prints 40 MiB; the last line is still readable", async () => {
    const inner = lease.docker;
    // 40 MiB in 1 KiB lines, then a marker line
    const id = await inner.createContainer(undefined, {
      Image: busybox,
      Cmd: ["sh", "-c", "head -c 41943040 /dev/zero | tr '\\0' x | fold -w 1023; echo; echo last-line"],
    });
    await inner.startContainer(id);
    expect(await inner.waitContainer(id)).toBe(0);

    const logConfig = ((await inner.inspectContainer(id)).raw.HostConfig as Record<string, unknown>)
      .LogConfig as { Type: string; Config: Record<string, string> };
    expect(logConfig).toEqual({ Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } });

    // the files as the inner engine keeps them, inside the DIND
    // (under /var/lib/docker/<uid.gid>/ when the inner engine remaps user namespaces)
    const listing = await host.exec(lease.containerId, [
      "find",
      "/var/lib/docker",
      "-path",
      `*/containers/${id}/${id}-json.log*`,
      "-exec",
      "stat",
      "-c",
      "%n %s",
      "{}",
      "+",
    ]);
    expect(listing.exitCode).toBe(0);
    const files = listing.stdout
      .trim()
      .split("\n")
      .map((line) => Number(line.split(" ")[1]));
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files.length).toBeLessThanOrEqual(3);
    for (const size of files) {
      expect(size).toBeLessThanOrEqual(10 * MiB + 64 * 1024);
    }
    // the json-file encoding of 40 MiB is far more than the 30 MiB the three files may hold
    expect(files.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(30 * MiB + 192 * 1024);

    const tail = await inner.readLogs(id, { tail: 1 });
    expect(tail.map((line) => line.data.toString())).toEqual(["last-line\n"]);
    await inner.removeContainer(id);
  });
});
