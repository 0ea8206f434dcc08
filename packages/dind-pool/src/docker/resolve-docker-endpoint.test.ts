import { describe, expect, it } from "vitest";
import { InvalidDockerEndpointError, resolveDockerEndpoint } from "./resolve-docker-endpoint.js";

const pem = (name: string): string => `-----BEGIN ${name}-----\n`;
const files: Record<string, string> = {
  "/certs/ca.pem": pem("CA"),
  "/certs/cert.pem": pem("CERT"),
  "/certs/key.pem": pem("KEY"),
};
const readFile = (path: string): string => {
  const content = files[path];
  if (content === undefined) {
    throw new Error(`ENOENT ${path}`);
  }
  return content;
};

describe("resolveDockerEndpoint", () => {
  it("defaults to /var/run/docker.sock", () => {
    expect(resolveDockerEndpoint({}, {})).toMatchObject({
      kind: "unix",
      socketPath: "/var/run/docker.sock",
      source: "default",
    });
  });

  it("an explicit socket beats a stray DOCKER_HOST", () => {
    const endpoint = resolveDockerEndpoint(
      { host: "unix:///run/x/docker.sock" },
      { DOCKER_HOST: "tcp://10.255.255.1:2375", DOCKER_TLS_VERIFY: "1" },
      readFile,
    );
    expect(endpoint).toMatchObject({ kind: "unix", socketPath: "/run/x/docker.sock", source: "explicit" });
  });

  it("takes DOCKER_HOST tcp with TLS material from DOCKER_CERT_PATH", () => {
    const endpoint = resolveDockerEndpoint(
      {},
      { DOCKER_HOST: "tcp://docker.example:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs" },
      readFile,
    );
    expect(endpoint).toMatchObject({
      kind: "tcp",
      host: "docker.example",
      port: 2376,
      protocol: "https",
      verify: true,
      ca: pem("CA"),
      cert: pem("CERT"),
      key: pem("KEY"),
      source: "DOCKER_HOST",
    });
  });

  it("plain tcp without TLS variables is http on the given port", () => {
    expect(resolveDockerEndpoint({}, { DOCKER_HOST: "tcp://127.0.0.1:2375" })).toMatchObject({
      kind: "tcp",
      protocol: "http",
      port: 2375,
      verify: false,
    });
  });

  it("DOCKER_HOST unix:// is a socket", () => {
    expect(resolveDockerEndpoint({}, { DOCKER_HOST: "unix:///tmp/d.sock" })).toMatchObject({
      kind: "unix",
      socketPath: "/tmp/d.sock",
      source: "DOCKER_HOST",
    });
  });

  it("explicit tls options accept PEM text or file paths", () => {
    const endpoint = resolveDockerEndpoint(
      { host: "tcp://h:2376", tls: { ca: "/certs/ca.pem", cert: pem("CERT"), key: "/certs/key.pem" } },
      {},
      readFile,
    );
    expect(endpoint).toMatchObject({ protocol: "https", verify: true, ca: pem("CA"), cert: pem("CERT") });
  });

  it("names the field of a bad address or unreadable certificates", () => {
    expect(() => resolveDockerEndpoint({ host: "ftp://x" }, {})).toThrow(InvalidDockerEndpointError);
    expect(() => resolveDockerEndpoint({ host: "ftp://x" }, {})).toThrow(/docker\.host/);
    expect(() =>
      resolveDockerEndpoint(
        {},
        { DOCKER_HOST: "tcp://h:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/nope" },
        readFile,
      ),
    ).toThrow(/DOCKER_CERT_PATH/);
  });
});
