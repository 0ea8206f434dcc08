import { noopLogger } from "@ild/common";
import { describe, expect, it } from "vitest";
import { installSignalHandlers } from "./shutdown.js";
import { createTracer, noopTracer } from "./tracing.js";

function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const logger = {
    ...noopLogger,
    info: (_bindings: object, message: string) => lines.push({ level: "info", message }),
    warn: (_bindings: object, message: string) => lines.push({ level: "warn", message }),
    child: () => logger,
  };
  return { logger, lines };
}

describe("signals", () => {
  it("stops once on SIGTERM and exits 0; a repeated SIGTERM is ignored, a second SIGINT exits 130", async () => {
    const { logger, lines } = recordingLogger();
    const exits: number[] = [];
    let stops = 0;
    let finish: () => void = () => {};
    const uninstall = installSignalHandlers(
      logger,
      () => {
        stops++;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
      (code) => exits.push(code),
    );
    try {
      process.emit("SIGTERM", "SIGTERM");
      process.emit("SIGTERM", "SIGTERM");
      expect(stops).toBe(1);
      expect(exits).toEqual([]);
      expect(lines.map((line) => line.message)).toContain("SIGTERM again: already stopping");
      process.emit("SIGINT", "SIGINT");
      expect(exits).toEqual([130]);
      finish();
      await new Promise((resolve) => setImmediate(resolve));
      expect(exits).toEqual([130, 0]);
    } finally {
      uninstall();
    }
  });
});

describe("tracing switch", () => {
  it("costs nothing when off: the no-op tracer, nothing imported, nothing logged", async () => {
    const { logger, lines } = recordingLogger();
    expect(await createTracer({ enabled: false, endpoint: "localhost:4317" }, logger)).toBe(noopTracer);
    expect(lines).toEqual([]);
  });

  it("says in one line that tracing is unavailable when the OpenTelemetry packages are missing", async () => {
    const { logger, lines } = recordingLogger();
    const tracer = await createTracer({ enabled: true, endpoint: "collector:4317" }, logger);
    expect(tracer.enabled).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe("warn");
    expect(lines[0]?.message).toMatch(
      /^tracing unavailable: ENABLE_TRACING=1 but the optional @opentelemetry packages/,
    );
  });
});
