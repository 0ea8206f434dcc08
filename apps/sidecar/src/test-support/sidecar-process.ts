import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { removeTree } from "@ild/dind-pool";

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface SidecarProcess {
  child: ChildProcess;
  /** Parsed JSON log lines (and raw non-JSON lines as `{ raw }`). */
  lines: Array<Record<string, unknown>>;
  port?: number;
  socketPath?: string;
  dir: string;
  dataRoot: string;
  runRoot: string;
  configPath: string;
  instance: string;
  /** performance.now() when the process was spawned. */
  spawnedAt: number;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  /** Removes the temp folder and the run root. */
  cleanup(): Promise<void>;
  /** Waits until a log line matches. */
  waitForLine(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

export interface SidecarProcessOptions {
  /** The `Ild:` block (YAML-able object); dataRoot/runRoot/socketRoot/server are filled in. */
  ild?: Record<string, unknown>;
  /** Extra top-level (Go plugin) keys. */
  top?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Serve on a unix socket in the temp dir instead of TCP. */
  socket?: boolean;
  /** Reuse the folders (and instance id) of an earlier process: a restart. */
  reuse?: Pick<SidecarProcess, "dir" | "dataRoot" | "runRoot" | "instance" | "port" | "socketPath">;
  /** Wait for the "serving" line (default true). */
  waitUntilServing?: boolean;
  args?: string[];
  /**
   * Put the run root in the temp folder (not a tmpfs), as /run/ild is on a fresh machine: the sidecar
   * then mounts a tmpfs there itself, before the first DIND. Cleanup unmounts it.
   */
  runRootOnDisk?: boolean;
  /** Run the built `dist/main.js` (needs `pnpm build`) instead of src through tsx. */
  entry?: "src" | "dist";
  /** Test label value put on everything the sidecar creates (io.ild.test). */
  testLabel?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A YAML document from plain data (JSON is valid YAML 1.2; keys stay as given). */
function toYaml(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Starts the REAL sidecar (src/main.ts through tsx, the @ild/source condition) with a temp config: temp
 * data root and run root, a random port or a socket, its own instance id (labels scope).
 */
export async function startSidecarProcess(options: SidecarProcessOptions = {}): Promise<SidecarProcess> {
  const dir = options.reuse?.dir ?? (await mkdtemp(join(tmpdir(), "ild-sidecar-e2e-")));
  const dataRoot = options.reuse?.dataRoot ?? join(dir, "data");
  const instance = options.reuse?.instance ?? `e2e-${Math.random().toString(36).slice(2, 10)}`;
  // The run root holds secrets: it must be a tmpfs; /dev/shm is one on these machines.
  const runRoot =
    options.reuse?.runRoot ??
    (options.runRootOnDisk ? join(dir, "run") : join("/dev/shm", `ild-${instance}`));
  const socketPath = options.socket ? (options.reuse?.socketPath ?? join(dir, "ild.sock")) : undefined;
  const port = socketPath === undefined ? (options.reuse?.port ?? (await freePort())) : undefined;
  const ild = options.ild ?? {};
  const server = { ...((ild.server as Record<string, unknown>) ?? {}) };
  if (socketPath !== undefined) {
    server.socket = socketPath;
  } else {
    server.host = "127.0.0.1";
    server.port = port;
  }
  const config = {
    ...(options.top ?? {}),
    Ild: {
      ...ild,
      dataRoot,
      runRoot,
      dind: {
        poolSize: 1,
        socketRoot: join(runRoot, "dind"),
        ...((ild.dind as Record<string, unknown>) ?? {}),
      },
      server,
    },
  };
  const configPath = join(dir, "config.yaml");
  await writeFile(configPath, toYaml(config));
  const spawnedAt = performance.now();
  const child = spawn(
    process.execPath,
    [
      "--conditions=@ild/source",
      "--import",
      "tsx",
      "src/main.ts",
      "--config",
      configPath,
      ...(options.args ?? []),
    ],
    {
      cwd: APP_DIR,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/root",
        ILD_INSTANCE_ID: instance,
        ILD_LABELS: `io.ild.test=${options.testLabel ?? "apps-sidecar"}`,
        ...(options.env ?? {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }> = [];
  const onText = (buffer: { value: string }) => (chunk: Buffer) => {
    buffer.value += chunk.toString("utf8");
    let index = buffer.value.indexOf("\n");
    while (index >= 0) {
      const text = buffer.value.slice(0, index);
      buffer.value = buffer.value.slice(index + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { raw: text };
      }
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
      index = buffer.value.indexOf("\n");
    }
  };
  child.stdout?.on("data", onText({ value: "" }));
  child.stderr?.on("data", onText({ value: "" }));
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });

  const waitForLine = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 30_000) => {
    const found = lines.find(match);
    if (found !== undefined) {
      return Promise.resolve(found);
    }
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `no matching sidecar log line within ${timeoutMs} ms; log:\n${lines.map((l) => JSON.stringify(l)).join("\n")}`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (line: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      waiters.push(waiter);
      void exited.then((code) => {
        if (waiters.includes(waiter)) {
          clearTimeout(timer);
          reject(
            new Error(
              `the sidecar exited (${code}) before the expected log line; log:\n${lines.map((l) => JSON.stringify(l)).join("\n")}`,
            ),
          );
        }
      });
    });
  };

  const sidecar: SidecarProcess = {
    child,
    lines,
    ...(port === undefined ? {} : { port }),
    ...(socketPath === undefined ? {} : { socketPath }),
    dir,
    dataRoot,
    runRoot,
    configPath,
    instance,
    spawnedAt,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
      }
      return exited;
    },
    waitForLine,
    async cleanup() {
      await removeTree(dir);
      await removeTree(runRoot);
    },
  };
  if (options.waitUntilServing !== false) {
    await waitForLine(
      (line) => String(line.msg ?? "").startsWith("serving the interLink plugin API"),
      60_000,
    );
  }
  return sidecar;
}
