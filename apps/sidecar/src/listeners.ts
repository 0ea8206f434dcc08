import { chmod, lstat, mkdir, unlink } from "node:fs/promises";
import { createServer, type RequestListener, type Server } from "node:http";
import { connect } from "node:net";
import { dirname } from "node:path";
import type { ConnectionLimit } from "./connection-limit.js";
import { StartupError } from "./errors.js";

export interface ListenSettings {
  tcp?: { host: string; port: number };
  socket?: { path: string; mode: number };
  timeouts: {
    /** Time to receive the request headers (slowloris guard). */
    headersMs: number;
    /** Time to receive the whole request, body included. */
    requestMs: number;
    /** How long an idle keep-alive connection stays open. */
    keepAliveMs: number;
  };
  /** Counts connections over every listener (Ild.server.maxConnections); unset: no limit. */
  connections?: ConnectionLimit;
}

export interface BoundListener {
  server: Server;
  /** `http://127.0.0.1:4000` or `unix:///run/ild/ild.sock`. */
  address: string;
  kind: "tcp" | "unix";
  port?: number;
  socketPath?: string;
}

/** Starts one HTTP server per configured listener, all sharing the same request listener. */
export async function listenAll(
  settings: ListenSettings,
  listener: RequestListener,
): Promise<BoundListener[]> {
  const bound: BoundListener[] = [];
  try {
    if (settings.socket !== undefined) {
      bound.push(await listenOnSocket(settings, settings.socket, listener));
    }
    if (settings.tcp !== undefined) {
      bound.push(await listenOnTcp(settings, settings.tcp, listener));
    }
  } catch (error) {
    await closeListeners(bound, 0);
    throw error;
  }
  return bound;
}

function makeServer(settings: ListenSettings, listener: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: settings.timeouts.headersMs,
      requestTimeout: settings.timeouts.requestMs,
      keepAliveTimeout: settings.timeouts.keepAliveMs,
    },
    listener,
  );
  // No inactivity timeout on sockets: a followed log stream may stay quiet for a long time.
  server.setTimeout(0);
  settings.connections?.track(server);
  return server;
}

async function listenOnTcp(
  settings: ListenSettings,
  tcp: { host: string; port: number },
  listener: RequestListener,
): Promise<BoundListener> {
  const server = makeServer(settings, listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: tcp.host, port: tcp.port }, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: NodeJS.ErrnoException) => {
    throw new StartupError(
      "ILD_SIDECAR_LISTEN_FAILED",
      `cannot listen on ${tcp.host}:${tcp.port}: ${error.code === "EADDRINUSE" ? "the address is already in use" : error.message}`,
      { cause: error },
    );
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : tcp.port;
  const host = tcp.host.includes(":") ? `[${tcp.host}]` : tcp.host;
  return { server, address: `http://${host}:${port}`, kind: "tcp", port };
}

async function listenOnSocket(
  settings: ListenSettings,
  socket: { path: string; mode: number },
  listener: RequestListener,
): Promise<BoundListener> {
  await removeStaleSocket(socket.path);
  const server = makeServer(settings, listener);
  // Create the socket file without group/other access, then widen it to the configured mode.
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ path: socket.path }, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    throw new StartupError(
      "ILD_SIDECAR_LISTEN_FAILED",
      `cannot listen on unix socket ${socket.path}: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    process.umask(previousUmask);
  }
  await chmod(socket.path, socket.mode);
  return { server, address: `unix://${socket.path}`, kind: "unix", socketPath: socket.path };
}

/**
 * A socket file left by a crash is removed, but only when it IS a socket and nothing answers on it:
 * a regular file is never deleted, and a live server is never stolen from.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      return;
    }
    throw error;
  }
  if (!stats.isSocket()) {
    throw new StartupError(
      "ILD_SIDECAR_SOCKET_PATH_TAKEN",
      `${path} exists and is not a socket; refusing to remove it (choose another Socket path)`,
    );
  }
  if (await socketAnswers(path)) {
    throw new StartupError(
      "ILD_SIDECAR_SOCKET_IN_USE",
      `another process is already serving on ${path}; stop it or choose another Socket path`,
    );
  }
  await unlink(path);
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = connect({ path });
    const timer = setTimeout(() => {
      client.destroy();
      resolve(true);
    }, 1000);
    client.once("connect", () => {
      clearTimeout(timer);
      client.destroy();
      resolve(true);
    });
    client.once("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** Stops accepting; idle keep-alive connections are closed; open requests may finish until `graceMs`. */
export async function closeListeners(listeners: BoundListener[], graceMs: number): Promise<void> {
  await Promise.all(
    listeners.map(
      (entry) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            entry.server.closeAllConnections();
          }, graceMs);
          timer.unref();
          entry.server.close(() => {
            clearTimeout(timer);
            resolve();
          });
          entry.server.closeIdleConnections();
        }),
    ),
  );
  for (const entry of listeners) {
    if (entry.socketPath !== undefined) {
      await unlink(entry.socketPath).catch(() => undefined);
    }
  }
}
