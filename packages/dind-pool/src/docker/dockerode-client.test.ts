import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  encodeFrame,
  type FakeEngine,
  neverAnswer,
  respondError,
  respondNdjson,
  startFakeEngine,
} from "../testing/fake-engine.js";
import type { DockerClient } from "./docker-client.js";
import {
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerStreamError,
  DockerUnavailableError,
} from "./docker-errors.js";
import { createDockerClient, withDefaultTag } from "./dockerode-client.js";

describe("dockerode client against the fake engine", () => {
  let engine: FakeEngine;
  let docker: DockerClient;

  beforeAll(async () => {
    engine = await startFakeEngine();
    // a stray DOCKER_HOST (unroutable) must not win over the explicit socket
    docker = createDockerClient({
      host: engine.host,
      env: { DOCKER_HOST: "tcp://10.255.255.1:2375", DOCKER_CLIENT_TIMEOUT: "1" },
    });
  });

  afterAll(async () => {
    await docker.close();
    await engine.close();
  });

  it("talks to the explicit socket, unversioned paths", async () => {
    await docker.ping();
    const version = await docker.version();
    expect(version.apiVersion).toBe("1.41");
    expect(docker.endpoint).toBe(engine.host);
    expect(engine.requests.some((request) => request.path.startsWith("/version"))).toBe(true);
    // no API version pin: the engine serves unversioned paths at its own version
    expect(engine.requests.every((request) => !/^\/v\d/.test(request.rawUrl))).toBe(true);
  });

  it("treats 304 on start and stop as success, 404 on stop and remove as success", async () => {
    const id = await docker.createContainer("c304", { Image: "ild/busybox:1" });
    await docker.startContainer(id);
    await docker.startContainer(id);
    await docker.stopContainer(id, 1);
    await docker.stopContainer(id, 1);
    await docker.removeContainer(id);
    await docker.removeContainer(id);
    await docker.stopContainer(id, 1);
    await expect(docker.inspectContainer(id)).rejects.toBeInstanceOf(DockerNotFoundError);
  });

  it("maps a name conflict to DockerConflictError", async () => {
    await docker.createContainer("dup", { Image: "ild/busybox:1" });
    await expect(docker.createContainer("dup", { Image: "ild/busybox:1" })).rejects.toBeInstanceOf(
      DockerConflictError,
    );
  });

  it("waits out 409 'removal already in progress' until the container is gone", async () => {
    const id = await docker.createContainer("removing", { Image: "ild/busybox:1" });
    let calls = 0;
    engine.override("DELETE", new RegExp(`^/containers/${id}$`), (_request, response) => {
      calls++;
      respondError(response, 409, `removal of container ${id} is already in progress`);
      setTimeout(() => engine.containers.delete(id), 120);
    });
    await docker.removeContainer(id);
    expect(calls).toBe(1);
    await expect(docker.inspectContainer(id)).rejects.toBeInstanceOf(DockerNotFoundError);
  });

  it("demuxes logs whose frames are split anywhere, both streams in order", async () => {
    const id = await docker.createContainer("logs", { Image: "ild/busybox:1" });
    const container = engine.containers.get(id);
    container?.logs.push({ stream: "stdout", data: "out 1\n" }, { stream: "stderr", data: "err 1\n" });
    container?.logs.push({ stream: "stdout", data: "out 2\n" });
    const lines = await docker.readLogs(id);
    expect(lines.map((line) => `${line.stream}:${line.data.toString()}`)).toEqual([
      "stdout:out 1\n",
      "stderr:err 1\n",
      "stdout:out 2\n",
    ]);
    const followed: string[] = [];
    for await (const line of docker.followLogs(id, { signal: AbortSignal.timeout(5000) })) {
      followed.push(line.data.toString());
    }
    expect(followed).toEqual(["out 1\n", "err 1\n", "out 2\n"]);
  });

  it("returns exec output and the exit code from exec inspect", async () => {
    const id = await docker.createContainer("exec", { Image: "ild/busybox:1" });
    await docker.startContainer(id);
    expect(await docker.exec(id, ["echo", "hi", "there"])).toEqual({
      exitCode: 0,
      stdout: "hi there\n",
      stderr: "",
    });
    expect(await docker.exec(id, ["fail", "3"])).toMatchObject({ exitCode: 3, stderr: "failing\n" });
  });

  it("rejects a pull that fails in-band (HTTP 200 + error line)", async () => {
    const promise = docker.pullImage("missing/image");
    await expect(promise).rejects.toBeInstanceOf(DockerStreamError);
    await expect(docker.pullImage("missing/image")).rejects.toThrow(/manifest unknown/);
  });

  it("resolves a pull only when finished, verified by inspect", async () => {
    const progress: string[] = [];
    await docker.pullImage("example/ok", { onProgress: (event) => progress.push(String(event.status)) });
    expect(progress).toHaveLength(3);
    expect(await docker.inspectImage("example/ok:latest")).toBeDefined();
    expect(withDefaultTag("a/b")).toBe("a/b:latest");
    expect(withDefaultTag("localhost:5000/b")).toBe("localhost:5000/b:latest");
    expect(withDefaultTag("a/b@sha256:00")).toBe("a/b@sha256:00");
  });

  it("parses events split across chunks and ends the stream when the signal aborts", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of docker.events({ type: ["container"] }, { signal: controller.signal })) {
      seen.push(event.id);
      if (seen.length === 3) {
        controller.abort();
      }
    }
    expect(seen).toEqual(["c1", "c2", "c3"]);
  });

  it("reopens an events stream that ended, with since = the last event, without repeats", async () => {
    let connections = 0;
    engine.override("GET", /^\/events$/, async (_request, response, { url }) => {
      connections++;
      const event = (second: number, id: string) => ({
        Type: "container",
        Action: "start",
        Actor: { ID: id, Attributes: {} },
        time: second,
        timeNano: second * 1e9,
      });
      if (connections === 1) {
        await respondNdjson(response, [event(100, "a"), event(101, "b")], 9); // then the daemon "restarts"
        return;
      }
      expect(url.searchParams.get("since")).toBe("101");
      response.writeHead(200);
      response.write(`${JSON.stringify(event(101, "b"))}\n${JSON.stringify(event(102, "c"))}\n`);
    });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of docker.events({}, {
      signal: controller.signal,
      reconnectDelayMs: 10,
    } as never)) {
      seen.push(event.id);
      if (event.id === "c") {
        controller.abort();
      }
    }
    expect(seen).toEqual(["a", "b", "c"]);
    expect(connections).toBe(2);
  });

  it("a stream the engine breaks mid-way rejects instead of hanging", async () => {
    engine.override("GET", /^\/containers\/broken\/logs$/, (_request, response) => {
      response.writeHead(200);
      response.write(encodeFrame("stdout", "partial line\n"));
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const lines: string[] = [];
    const follow = async (): Promise<void> => {
      for await (const line of docker.followLogs("broken", { signal: AbortSignal.timeout(10_000) })) {
        lines.push(line.data.toString());
      }
    };
    await expect(follow()).rejects.toBeInstanceOf(DockerError);
    expect(lines).toEqual(["partial line\n"]);
    engine.override("POST", /^\/images\/create$/, (_request, response) => {
      response.writeHead(200);
      response.write('{"status":"Pulling"}\n{"status":"Downl');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    await expect(docker.pullImage("example/broken")).rejects.toBeInstanceOf(DockerError);
  });

  it("a request that never answers is ended by its signal", async () => {
    engine.override("GET", /^\/info$/, neverAnswer);
    const controller = new AbortController();
    const promise = docker.info({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error("caller deadline")), 50);
    await expect(promise).rejects.toThrow(/caller deadline/);
  });

  it("a slow engine is not cut by any idle timeout (DOCKER_CLIENT_TIMEOUT ignored)", async () => {
    engine.setLatency(300);
    try {
      await docker.ping();
    } finally {
      engine.setLatency(0);
    }
  });

  it("a missing socket is DockerUnavailableError", async () => {
    const missing = createDockerClient({ host: "unix:///nonexistent/ild-test.sock" });
    await expect(missing.ping()).rejects.toBeInstanceOf(DockerUnavailableError);
  });

  it("followLogs streams a multiplexed body cut into tiny chunks", async () => {
    engine.override("GET", /^\/containers\/tiny\/logs$/, async (_request, response) => {
      response.writeHead(200);
      const payload = Buffer.concat([encodeFrame("stderr", "e\n"), encodeFrame("stdout", "o\n")]);
      for (const byte of payload) {
        response.write(Buffer.from([byte]));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      response.end();
    });
    const lines: string[] = [];
    for await (const line of docker.followLogs("tiny", { signal: AbortSignal.timeout(5000) })) {
      lines.push(`${line.stream}:${line.data.toString()}`);
    }
    expect(lines).toEqual(["stderr:e\n", "stdout:o\n"]);
  });
});
