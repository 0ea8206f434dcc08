/**
 * Which Docker engine to talk to: explicit options > DOCKER_HOST (tcp, with TLS from DOCKER_TLS_VERIFY /
 * DOCKER_CERT_PATH) > /var/run/docker.sock. Pure apart from reading certificate files (injectable).
 * The result is turned into FULLY explicit dockerode options so that a stray DOCKER_HOST in the
 * environment can never win over what was resolved here (docker-modem merges env defaults under
 * the options it gets).
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { IldError } from "@ild/common";
import type { DockerEndpointOptions } from "../pool-types.js";

export const defaultDockerSocket = "/var/run/docker.sock";

export type EndpointSource = "explicit" | "DOCKER_HOST" | "default";

export interface UnixDockerEndpoint {
  kind: "unix";
  socketPath: string;
  source: EndpointSource;
  /** e.g. `unix:///var/run/docker.sock` */
  description: string;
}

export interface TcpDockerEndpoint {
  kind: "tcp";
  host: string;
  port: number;
  protocol: "http" | "https";
  /** Verify the server certificate against `ca` (DOCKER_TLS_VERIFY). */
  verify: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  source: EndpointSource;
  description: string;
}

export type ResolvedDockerEndpoint = UnixDockerEndpoint | TcpDockerEndpoint;

export class InvalidDockerEndpointError extends IldError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("ILD_DOCKER_ENDPOINT_INVALID", `${field}: ${message}`, { details: { field } });
    this.field = field;
  }
}

function readPem(value: string, readFile: (path: string) => string): string {
  return value.trimStart().startsWith("-----BEGIN") ? value : readFile(value);
}

function parseHost(
  host: string,
  field: string,
  source: EndpointSource,
  tls: { verify: boolean; forced: boolean; ca?: string; cert?: string; key?: string },
): ResolvedDockerEndpoint {
  if (host.startsWith("unix://")) {
    const socketPath = host.slice("unix://".length) || defaultDockerSocket;
    return { kind: "unix", socketPath, source, description: `unix://${socketPath}` };
  }
  if (host.startsWith("/")) {
    return { kind: "unix", socketPath: host, source, description: `unix://${host}` };
  }
  const withScheme = host.includes("://") ? host : `tcp://${host}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidDockerEndpointError(field, `not a unix:// or tcp:// address: ${host}`);
  }
  if (!["tcp:", "http:", "https:"].includes(url.protocol)) {
    throw new InvalidDockerEndpointError(field, `unsupported scheme ${url.protocol} (use unix:// or tcp://)`);
  }
  if (url.hostname === "") {
    throw new InvalidDockerEndpointError(field, `no host in ${host}`);
  }
  const https = tls.forced || tls.verify || url.protocol === "https:" || url.port === "2376";
  const port = url.port === "" ? (https ? 2376 : 2375) : Number(url.port);
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  return {
    kind: "tcp",
    host: hostname,
    port,
    protocol: https ? "https" : "http",
    verify: https && tls.verify,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    source,
    description: `${https ? "https" : "http"}://${url.hostname}:${port}`,
  };
}

export function resolveDockerEndpoint(
  options: DockerEndpointOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): ResolvedDockerEndpoint {
  if (options.host !== undefined && options.host !== "") {
    const tls = options.tls;
    return parseHost(options.host, "docker.host", "explicit", {
      verify: tls !== undefined && tls.verify !== false,
      forced: tls !== undefined,
      ...(tls?.ca === undefined ? {} : { ca: readPem(tls.ca, readFile) }),
      ...(tls?.cert === undefined ? {} : { cert: readPem(tls.cert, readFile) }),
      ...(tls?.key === undefined ? {} : { key: readPem(tls.key, readFile) }),
    });
  }
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost !== undefined && dockerHost !== "") {
    const verify =
      env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== "" && env.DOCKER_TLS_VERIFY !== "0";
    const forced = verify || env.DOCKER_TLS === "1";
    const isUnix = dockerHost.startsWith("unix://") || dockerHost.startsWith("/");
    let files: { ca?: string; cert?: string; key?: string } = {};
    if (forced && !isUnix) {
      const certPath = env.DOCKER_CERT_PATH || join(homedir(), ".docker");
      try {
        files = {
          ca: readFile(join(certPath, "ca.pem")),
          cert: readFile(join(certPath, "cert.pem")),
          key: readFile(join(certPath, "key.pem")),
        };
      } catch (error) {
        throw new InvalidDockerEndpointError(
          "DOCKER_CERT_PATH",
          `cannot read ca.pem/cert.pem/key.pem in ${certPath}: ${(error as Error).message}`,
        );
      }
    }
    return parseHost(dockerHost, "DOCKER_HOST", "DOCKER_HOST", { verify, forced, ...files });
  }
  return {
    kind: "unix",
    socketPath: defaultDockerSocket,
    source: "default",
    description: `unix://${defaultDockerSocket}`,
  };
}
