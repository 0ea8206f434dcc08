/**
 * The REAL sidecar process: command line, start-up failures (one clear line, exit 1), the unix socket's
 * mode, and SIGTERM (exit 0, pods left running, recovered by the next start).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { removeLabelled } from "./test-support/docker-leaks.js";
import { closeClients, interlinkLike } from "./test-support/interlink-like.js";
import { BUSYBOX, makePod, retrieved } from "./test-support/pods.js";
import { freePort, type SidecarProcess, startSidecarProcess } from "./test-support/sidecar-process.js";
import { waitRunning } from "./test-support/wait.js";

const run = promisify(execFile);
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const HOST_ENGINE = { engine: { default: "host", allowPodOverride: false } };
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  await closeClients();
  for (const cleanup of cleanups.reverse()) {
    await cleanup();
  }
}, 150_000);

function track(sidecar: SidecarProcess): SidecarProcess {
  cleanups.push(async () => {
    await sidecar.stop("SIGKILL");
    await removeLabelled(sidecar.instance);
    await sidecar.cleanup();
  });
  return sidecar;
}

function runCli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ["--conditions=@ild/source", "--import", "tsx", "src/main.ts", ...args], {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

describe("command line", () => {
  it("--help prints the usage and exits 0; --version prints the version", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: ild-sidecar [--config FILE]");
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const wrong = await runCli(["--bogus"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("Usage");
  });

  it("without an engine: one clear line, no stack trace, exit 1", async () => {
    const sidecar = track(
      await startSidecarProcess({
        ild: { docker: { host: "unix:///nonexistent/docker.sock" } },
        waitUntilServing: false,
      }),
    );
    expect(await sidecar.exited).toBe(1);
    const text = sidecar.lines.map((line) => String(line.msg ?? line.raw ?? "")).join("\n");
    expect(text).toContain("cannot reach the Docker engine at unix:///nonexistent/docker.sock");
    expect(text).not.toMatch(/\n\s+at /);
  });

  it("a config file that does not exist is a clear error (exit 1)", async () => {
    const result = await runCli(["--config", "/nonexistent/ild.yaml"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("/nonexistent/ild.yaml");
  });
});

describe("unix socket", () => {
  it("serves on the socket with mode 0660 by default, or the configured mode", async () => {
    const sidecar = track(await startSidecarProcess({ socket: true, ild: HOST_ENGINE }));
    expect((await stat(sidecar.socketPath as string)).mode & 0o777).toBe(0o660);
    expect((await interlinkLike({ socketPath: sidecar.socketPath as string }).ping()).status).toBe(200);
    const strict = track(
      await startSidecarProcess({ socket: true, ild: { ...HOST_ENGINE, server: { socketMode: "0600" } } }),
    );
    expect((await stat(strict.socketPath as string)).mode & 0o777).toBe(0o600);
  });

  it("refuses to remove a regular file at the socket path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ild-sock-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, "ild.sock");
    await writeFile(path, "precious");
    const sidecar = track(
      await startSidecarProcess({
        socket: true,
        reuse: {
          dir,
          dataRoot: join(dir, "data"),
          runRoot: join("/dev/shm", `ild-sock-${Date.now()}`),
          instance: `e2e-sock-${Date.now()}`,
          socketPath: path,
        },
        ild: HOST_ENGINE,
        waitUntilServing: false,
      }),
    );
    expect(await sidecar.exited).toBe(1);
    expect(JSON.stringify(sidecar.lines)).toContain("is not a socket; refusing to remove it");
    expect((await stat(path)).isFile()).toBe(true);
  });
});

describe("tracing", () => {
  it("ENABLE_TRACING=1 with no collector listening: says tracing is on, keeps serving, exits 0 on SIGTERM", async () => {
    const collector = await freePort();
    const sidecar = track(
      await startSidecarProcess({
        ild: HOST_ENGINE,
        env: {
          ENABLE_TRACING: "1",
          TELEMETRY_ENDPOINT: `127.0.0.1:${collector}`,
          TELEMETRY_UNIQUE_ID: "e2e",
        },
      }),
    );
    const on = await sidecar.waitForLine((line) => String(line.msg).startsWith("tracing on"));
    expect(on.msg).toBe(`tracing on: OTLP/gRPC to 127.0.0.1:${collector} (plaintext)`);
    expect(on.serviceName).toBe("Plugin-e2e");
    const client = interlinkLike({ port: sidecar.port as number });
    for (let i = 0; i < 3; i++) {
      const healthz = await fetch(`http://127.0.0.1:${sidecar.port}/healthz`);
      expect(healthz.status).toBe(200);
      expect((await client.ping()).status).toBe(200);
    }
    expect(await sidecar.stop("SIGTERM")).toBe(0);
    expect(sidecar.lines.some((line) => String(line.msg).startsWith("stopped; pods keep running"))).toBe(
      true,
    );
  });
});

describe("SIGTERM", () => {
  it("exits 0, leaves pods running, and the next start reports them", async () => {
    const sidecar = track(await startSidecarProcess({ ild: HOST_ENGINE }));
    const client = interlinkLike({ port: sidecar.port as number });
    const pod = makePod("stays", {
      restartPolicy: "Always",
      containers: [{ name: "main", image: BUSYBOX, command: ["sleep", "3600"] }],
    });
    const created = await client.create(retrieved(pod));
    expect(created.status).toBe(200);
    await waitRunning(client, pod, "main");
    expect(await sidecar.stop("SIGTERM")).toBe(0);
    expect(sidecar.lines.some((line) => String(line.msg).startsWith("stopped; pods keep running"))).toBe(
      true,
    );
    const restarted = track(await startSidecarProcess({ reuse: sidecar, ild: HOST_ENGINE }));
    const again = interlinkLike({ port: restarted.port as number });
    const [status] = await again.status([pod]);
    expect(status?.JID).toBe(JSON.parse(created.body).PodJID);
    expect(status?.containers?.[0]?.state?.running).toBeDefined();
    expect((await again.delete(pod)).status).toBe(200);
  }, 150_000);
});
