import { describe, expect, it } from "vitest";
import { resolveLogLevel } from "./logging.js";
import {
  readPingSettings,
  type SidecarServerConfig,
  toListenSettings,
  toServerSettings,
} from "./sidecar-settings.js";

const config: SidecarServerConfig = {
  server: {
    host: "127.0.0.1",
    port: 4000,
    socketMode: 0o660,
    bodyLimitBytes: 1024,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    idleTimeoutMs: 125_000,
  },
};

describe("settings", () => {
  it("listens on TCP by default and on the socket only when one is configured", () => {
    expect(toListenSettings(config)).toMatchObject({ tcp: { host: "127.0.0.1", port: 4000 } });
    const socket = toListenSettings({ ...config, server: { ...config.server, socket: "/run/ild/ild.sock" } });
    expect(socket.tcp).toBeUndefined();
    expect(socket.socket).toEqual({ path: "/run/ild/ild.sock", mode: 0o660 });
  });

  it("reads node capacity and taints from the environment, refusing nonsense", () => {
    expect(readPingSettings({})).toEqual({ pods: 110 });
    expect(
      readPingSettings({
        ILD_NODE_PODS: "20",
        ILD_NODE_TAINTS: '[{"key":"a","effect":"NoSchedule","value":"v"}]',
      }),
    ).toEqual({ pods: 20, taints: [{ key: "a", effect: "NoSchedule", value: "v" }] });
    expect(() => readPingSettings({ ILD_NODE_PODS: "-1" })).toThrow(/positive integer/);
    expect(() => readPingSettings({ ILD_NODE_TAINTS: "[{}]" })).toThrow(/key and an effect/);
  });

  it("reads the token file and refuses a missing one with a clear message", async () => {
    await expect(
      toServerSettings({ ...config, server: { ...config.server, authTokenFile: "/nonexistent/token" } }, {}),
    ).rejects.toThrow(/cannot read the auth token file \/nonexistent\/token/);
    const settings = await toServerSettings({ ...config, server: { ...config.server, authToken: "t" } }, {});
    expect(settings.authToken).toBe("t");
    expect(settings.createTimeoutMs).toBeLessThan(120_000);
  });

  it("maps VerboseLogging / ErrorsOnlyLogging / a level to pino levels", () => {
    expect(resolveLogLevel({})).toBe("info");
    expect(resolveLogLevel({ verbose: true })).toBe("debug");
    expect(resolveLogLevel({ errorsOnly: true })).toBe("error");
    expect(resolveLogLevel({ level: "warn", verbose: true })).toBe("warn");
  });
});
