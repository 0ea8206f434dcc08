import { readFile } from "node:fs/promises";
import type { PingTaint } from "@ild/interlink-api";
import { StartupError } from "./errors.js";
import type { ListenSettings } from "./listeners.js";
import type { PingSettings } from "./ping.js";
import type { ServerSettings } from "./route-context.js";

/** The parts of @ild/config's resolved configuration the sidecar reads itself. */
export interface SidecarServerConfig {
  server: {
    host: string;
    port: number;
    socket?: string;
    socketMode: number;
    authToken?: string;
    authTokenFile?: string;
    bodyLimitBytes: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    idleTimeoutMs: number;
    maxConcurrentCreates?: number;
    maxQueuedCreates?: number;
    maxConnections?: number;
    retryAfterSeconds?: number;
  };
}

/** interLink waits 120 s for the answer's headers: a create gives up well before that. */
export const CREATE_TIMEOUT_MS = 110_000;

export function toListenSettings(config: SidecarServerConfig): ListenSettings {
  const timeouts = {
    headersMs: config.server.headersTimeoutMs,
    // 0 = no limit (node:http's meaning too); otherwise never shorter than the headers timeout.
    requestMs:
      config.server.requestTimeoutMs === 0
        ? 0
        : Math.max(config.server.requestTimeoutMs, config.server.headersTimeoutMs),
    keepAliveMs: config.server.idleTimeoutMs,
  };
  if (config.server.socket !== undefined && config.server.socket !== "") {
    return { socket: { path: config.server.socket, mode: config.server.socketMode }, timeouts };
  }
  return { tcp: { host: config.server.host, port: config.server.port }, timeouts };
}

export async function toServerSettings(
  config: SidecarServerConfig,
  env: NodeJS.ProcessEnv,
): Promise<ServerSettings> {
  const settings: ServerSettings = {
    bodyLimitBytes: config.server.bodyLimitBytes,
    createTimeoutMs: positiveInteger(env.ILD_CREATE_TIMEOUT_MS, "ILD_CREATE_TIMEOUT_MS") ?? CREATE_TIMEOUT_MS,
    ping: readPingSettings(env),
    ...(config.server.maxConcurrentCreates === undefined
      ? {}
      : { maxConcurrentCreates: config.server.maxConcurrentCreates }),
    ...(config.server.maxQueuedCreates === undefined
      ? {}
      : { maxQueuedCreates: config.server.maxQueuedCreates }),
    ...(config.server.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: config.server.retryAfterSeconds }),
  };
  const token = await readToken(config);
  if (token !== undefined) {
    settings.authToken = token;
  }
  return settings;
}

async function readToken(config: SidecarServerConfig): Promise<string | undefined> {
  if (config.server.authToken !== undefined && config.server.authToken !== "") {
    return config.server.authToken;
  }
  const file = config.server.authTokenFile;
  if (file === undefined || file === "") {
    return undefined;
  }
  let token: string;
  try {
    token = (await readFile(file, "utf8")).trim();
  } catch (error) {
    throw new StartupError(
      "ILD_SIDECAR_TOKEN_FILE",
      `cannot read the auth token file ${file} (Ild.server.authTokenFile): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  if (token === "") {
    throw new StartupError("ILD_SIDECAR_TOKEN_FILE", `the auth token file ${file} is empty`);
  }
  return token;
}

/**
 * Node capacity advertised in the ping. ILD_NODE_PODS (default 110, the kubelet's), ILD_NODE_CPU and
 * ILD_NODE_MEMORY (Kubernetes quantities; default: this host's), ILD_NODE_TAINTS (a JSON list of
 * `{key, value?, effect}`; unset = node taints left as they are).
 */
export function readPingSettings(env: NodeJS.ProcessEnv): PingSettings {
  const settings: PingSettings = { pods: positiveInteger(env.ILD_NODE_PODS, "ILD_NODE_PODS") ?? 110 };
  if (env.ILD_NODE_CPU) {
    settings.cpu = env.ILD_NODE_CPU;
  }
  if (env.ILD_NODE_MEMORY) {
    settings.memory = env.ILD_NODE_MEMORY;
  }
  if (env.ILD_NODE_TAINTS) {
    settings.taints = parseTaints(env.ILD_NODE_TAINTS);
  }
  return settings;
}

function parseTaints(text: string): PingTaint[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StartupError("ILD_SIDECAR_BAD_ENV", `ILD_NODE_TAINTS is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) {
    throw new StartupError(
      "ILD_SIDECAR_BAD_ENV",
      "ILD_NODE_TAINTS must be a JSON list of {key, value?, effect}",
    );
  }
  return value.map((entry, index) => {
    const taint = entry as Partial<PingTaint>;
    if (typeof taint.key !== "string" || taint.key === "" || typeof taint.effect !== "string") {
      throw new StartupError("ILD_SIDECAR_BAD_ENV", `ILD_NODE_TAINTS[${index}] needs a key and an effect`);
    }
    return {
      key: taint.key,
      effect: taint.effect,
      ...(typeof taint.value === "string" ? { value: taint.value } : {}),
    };
  });
}

function positiveInteger(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === "") {
    return undefined;
  }
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new StartupError(
      "ILD_SIDECAR_BAD_ENV",
      `${name} must be a positive integer, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
