/** Real engine: exec output bounded by maxOutputBytes; non-follow logs streamed line by line. */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "./docker-client.js";
import { createDockerClient } from "./dockerode-client.js";

const run = randomBytes(4).toString("hex");
const testLabels = { "io.ild.test": "@ild/dind-pool", "io.ild.test-run": `bounded-${run}` };
const busybox = "ild/busybox:1";

describe("bounded reads against the real engine", () => {
  let docker: DockerClient;
  let sleeper: string;

  beforeAll(async () => {
    docker = createDockerClient({ env: {} });
    sleeper = await docker.createContainer(`ild-test-bounded-${run}`, {
      Image: busybox,
      Cmd: ["sleep", "300"],
      Labels: testLabels,
    });
    await docker.startContainer(sleeper);
  });

  afterAll(async () => {
    const leftovers = await docker.listContainers({ label: [`io.ild.test-run=bounded-${run}`], all: true });
    for (const container of leftovers) {
      await docker.removeContainer(container.id);
    }
    await docker.close();
  });

  it("exec keeps at most maxOutputBytes of each stream, and still gets the exit code", async () => {
    // 4 MiB on stdout and on stderr; only 10 KiB of each is kept.
    const result = await docker.exec(
      sleeper,
      [
        "sh",
        "-c",
        "head -c 4194304 /dev/zero | tr '\\0' a; head -c 4194304 /dev/zero | tr '\\0' b >&2; exit 3",
      ],
      { maxOutputBytes: 10 * 1024 },
    );
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe("a".repeat(10 * 1024));
    expect(result.stderr).toBe("b".repeat(10 * 1024));
    expect(result.truncated).toBe(true);
  });

  it("exec output under the limit is kept whole and not marked truncated", async () => {
    const result = await docker.exec(sleeper, ["sh", "-c", "echo fine"], { maxOutputBytes: 10 * 1024 });
    expect(result).toEqual({ exitCode: 0, stdout: "fine\n", stderr: "" });
  });

  it("streamLogs yields a finished container's lines (tail honoured) and ends", async () => {
    const id = await docker.createContainer(`ild-test-stream-logs-${run}`, {
      Image: busybox,
      Cmd: ["sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done"],
      Labels: testLabels,
    });
    await docker.startContainer(id);
    expect(await docker.waitContainer(id)).toBe(0);
    const all: string[] = [];
    for await (const line of docker.streamLogs(id, { signal: new AbortController().signal })) {
      all.push(`${line.stream}:${line.data.toString()}`);
    }
    expect(all).toEqual([
      "stdout:line1\n",
      "stdout:line2\n",
      "stdout:line3\n",
      "stdout:line4\n",
      "stdout:line5\n",
    ]);
    const tail: string[] = [];
    for await (const line of docker.streamLogs(id, {
      tail: 2,
      stderr: false,
      signal: new AbortController().signal,
    })) {
      tail.push(line.data.toString());
    }
    expect(tail).toEqual(["line4\n", "line5\n"]);
  });

  it("streamLogs of a running container ends at the log's end (it does not follow)", async () => {
    const id = await docker.createContainer(`ild-test-stream-running-${run}`, {
      Image: busybox,
      Cmd: ["sh", "-c", "echo first; sleep 300"],
      Labels: testLabels,
    });
    await docker.startContainer(id);
    let first: string[] = [];
    // the line may not be in the log yet right after start: read until it is
    while (first.length === 0) {
      first = [];
      for await (const line of docker.streamLogs(id, { signal: new AbortController().signal })) {
        first.push(line.data.toString());
      }
    }
    expect(first).toEqual(["first\n"]);
    await docker.stopContainer(id, 0);
  });
});
