/** Real-engine tests of the dockerode adapter (the host engine at /var/run/docker.sock). */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient, DockerEvent } from "./docker-client.js";
import { DockerConflictError, DockerNotFoundError } from "./docker-errors.js";
import { createDockerClient } from "./dockerode-client.js";

const run = randomBytes(4).toString("hex");
const testLabels = { "io.ild.test": "@ild/dind-pool", "io.ild.test-run": `client-${run}` };
const busybox = "ild/busybox:1";

describe("dockerode client against the real engine", () => {
  let docker: DockerClient;

  beforeAll(() => {
    docker = createDockerClient({ env: {} });
  });

  afterAll(async () => {
    const leftovers = await docker.listContainers({ label: [`io.ild.test-run=client-${run}`] });
    for (const container of leftovers) {
      await docker.removeContainer(container.id);
    }
    await docker.close();
  });

  it("reports the engine version", async () => {
    await docker.ping();
    const version = await docker.version();
    expect(version.apiVersion).toMatch(/^1\.\d+$/);
  });

  it("create, start, wait, logs demuxed with both streams in order", async () => {
    const id = await docker.createContainer(`ild-test-logs-${run}`, {
      Image: busybox,
      Cmd: ["sh", "-c", "echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; exit 4"],
      Labels: testLabels,
    });
    await docker.startContainer(id);
    expect(await docker.waitContainer(id)).toBe(4);
    const lines = await docker.readLogs(id);
    expect(lines.map((line) => `${line.stream}:${line.data.toString()}`)).toEqual([
      "stdout:out1\n",
      "stderr:err1\n",
      "stdout:out2\n",
    ]);
    const stamped = await docker.readLogs(id, { timestamps: true, stderr: false });
    expect(stamped.map((line) => line.data.toString())).toEqual(["out1\n", "out2\n"]);
    expect(stamped[0]?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await docker.removeContainer(id);
  });

  it("exec returns output and the exit code; stop twice (304), remove twice (404) are fine", async () => {
    const id = await docker.createContainer(`ild-test-exec-${run}`, {
      Image: busybox,
      Cmd: ["sleep", "300"],
      Labels: testLabels,
    });
    await docker.startContainer(id);
    await docker.startContainer(id);
    const result = await docker.exec(id, ["sh", "-c", "echo to-out; echo to-err >&2; exit 7"]);
    expect(result).toEqual({ exitCode: 7, stdout: "to-out\n", stderr: "to-err\n" });
    await docker.stopContainer(id, 0);
    await docker.stopContainer(id, 0);
    await expect(docker.exec(id, ["true"])).rejects.toBeInstanceOf(DockerConflictError);
    await docker.removeContainer(id);
    await docker.removeContainer(id);
    await expect(docker.inspectContainer(id)).rejects.toBeInstanceOf(DockerNotFoundError);
  });

  it("name conflicts are DockerConflictError", async () => {
    const name = `ild-test-dup-${run}`;
    const id = await docker.createContainer(name, { Image: busybox, Labels: testLabels });
    await expect(docker.createContainer(name, { Image: busybox, Labels: testLabels })).rejects.toBeInstanceOf(
      DockerConflictError,
    );
    await docker.removeContainer(id);
  });

  it("follows logs until the signal aborts", async () => {
    const id = await docker.createContainer(`ild-test-follow-${run}`, {
      Image: busybox,
      Cmd: ["sh", "-c", "echo first; echo second >&2; sleep 300"],
      Labels: testLabels,
    });
    await docker.startContainer(id);
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const line of docker.followLogs(id, { signal: controller.signal })) {
      seen.push(`${line.stream}:${line.data.toString()}`);
      if (seen.length === 2) {
        controller.abort();
      }
    }
    expect(seen.sort()).toEqual(["stderr:second\n", "stdout:first\n"]);
    await docker.removeContainer(id);
  });

  it("streams events filtered by label", async () => {
    const controller = new AbortController();
    const label = `io.ild.test-run=client-${run}`;
    const events: DockerEvent[] = [];
    const since = Math.floor(Date.now() / 1000) - 1;
    const id = await docker.createContainer(`ild-test-events-${run}`, {
      Image: busybox,
      Cmd: ["true"],
      Labels: testLabels,
    });
    await docker.startContainer(id);
    for await (const event of docker.events(
      { type: ["container"], label: [label] },
      { signal: controller.signal, since },
    )) {
      if (event.id === id) {
        events.push(event);
      }
      if (event.id === id && event.action === "die") {
        controller.abort();
      }
    }
    expect(events.map((event) => event.action)).toEqual(expect.arrayContaining(["create", "start", "die"]));
    expect(events[0]?.attributes["io.ild.test"]).toBe("@ild/dind-pool");
    await docker.removeContainer(id);
  });

  it("saves an image and inspects images; a missing image is undefined", async () => {
    expect(await docker.inspectImage(busybox)).toMatchObject({ repoTags: expect.arrayContaining([busybox]) });
    expect(await docker.inspectImage(`ild/does-not-exist:${run}`)).toBeUndefined();
    const tar = await docker.saveImages([busybox]);
    let bytes = 0;
    for await (const chunk of tar) {
      bytes += (chunk as Buffer).length;
    }
    expect(bytes).toBeGreaterThan(1_000_000);
  });

  it("creates and removes labelled networks and volumes idempotently", async () => {
    const name = `ild-test-${run}`;
    const networkId = await docker.createNetwork({ Name: name, Labels: testLabels });
    expect(
      (await docker.listNetworks({ label: [`io.ild.test-run=client-${run}`] })).map((n) => n.id),
    ).toEqual([networkId]);
    await docker.removeNetwork(networkId);
    await docker.removeNetwork(networkId);
    await docker.createVolume(name, testLabels);
    expect(
      (await docker.listVolumes({ label: [`io.ild.test-run=client-${run}`] })).map((v) => v.name),
    ).toEqual([name]);
    await docker.removeVolume(name);
    await docker.removeVolume(name);
    expect(await docker.listVolumes({ label: [`io.ild.test-run=client-${run}`] })).toEqual([]);
  });
});
