import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeListeners, listenAll, removeStaleSocket } from "./listeners.js";
import { rawRequest } from "./test-support/http-request.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await rm(dir, { recursive: true, force: true });
  }
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ild-listeners-"));
  dirs.push(dir);
  return dir;
}

const timeouts = { headersMs: 5000, requestMs: 10_000, keepAliveMs: 5000 };

describe("listeners", () => {
  it("serves on a unix socket with the configured mode and removes it on close", async () => {
    const path = join(await tempDir(), "sub", "ild.sock");
    const listeners = await listenAll({ socket: { path, mode: 0o640 }, timeouts }, (_request, response) => {
      response.end("hi");
    });
    expect(listeners[0]?.address).toBe(`unix://${path}`);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect((await rawRequest({ socketPath: path }, "GET", "/x")).body).toBe("hi");
    await closeListeners(listeners, 1000);
    await expect(stat(path)).rejects.toThrow();
  });

  it("serves on TCP and reports the port", async () => {
    const listeners = await listenAll(
      { tcp: { host: "127.0.0.1", port: 0 }, timeouts },
      (_request, response) => {
        response.end("tcp");
      },
    );
    const port = listeners[0]?.port as number;
    expect(listeners[0]?.address).toBe(`http://127.0.0.1:${port}`);
    expect((await rawRequest({ port }, "GET", "/")).body).toBe("tcp");
    await expect(listenAll({ tcp: { host: "127.0.0.1", port }, timeouts }, () => {})).rejects.toThrow(
      /already in use/,
    );
    await closeListeners(listeners, 1000);
  });

  it("removes a stale socket, but never a live one or a regular file", async () => {
    const dir = await tempDir();
    const live = join(dir, "live.sock");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(live, resolve));
    await expect(removeStaleSocket(live)).rejects.toThrow(/already serving/);
    await new Promise((resolve) => server.close(resolve));

    const file = join(dir, "file.sock");
    await writeFile(file, "keep me");
    await expect(removeStaleSocket(file)).rejects.toThrow(/not a socket/);
    expect((await stat(file)).isFile()).toBe(true);
  });
});
