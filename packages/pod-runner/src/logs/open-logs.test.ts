import type { LogLine } from "@ild/dind-pool";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../test-support/manual-clock.js";
import { MemoryDocker } from "../test-support/memory-docker.js";
import { readAll } from "../test-support/runner-fixture.js";
import { openLogs, toEngineLogOptions } from "./open-logs.js";

const line = (data: string, stream: "stdout" | "stderr" = "stdout"): LogLine => ({
  stream,
  timestamp: "2026-01-01T00:00:00.000000001Z",
  data: Buffer.from(data),
});

describe("toEngineLogOptions", () => {
  const clock = new ManualClock();

  it("maps Tail, Timestamps and SinceSeconds (relative to the clock)", () => {
    expect(toEngineLogOptions({ tail: 5, timestamps: true, sinceSeconds: 10 }, clock)).toEqual({
      stdout: true,
      stderr: true,
      timestamps: true,
      tail: 5,
      since: clock.now() / 1000 - 10,
    });
  });

  it("maps SinceTime to Unix seconds and leaves unset values out", () => {
    const options = toEngineLogOptions({ sinceTime: new Date("2026-01-01T00:00:10.500Z") }, clock);
    expect(options.since).toBe(Date.parse("2026-01-01T00:00:10.500Z") / 1000);
    expect(options.tail).toBeUndefined();
  });
});

describe("openLogs", () => {
  async function logsOf(lines: LogLine[], options = {}) {
    const docker = new MemoryDocker();
    const id = await docker.createContainer("c", { Image: "x" });
    const container = docker.containers.get(id);
    if (container) {
      container.logs = lines;
    }
    return readAll(await openLogs(docker, id, options, new ManualClock()));
  }

  it("interleaves both streams in engine order", async () => {
    expect(await logsOf([line("a\n"), line("b\n", "stderr"), line("c\n")])).toBe("a\nb\nc\n");
  });

  it("stops at limitBytes, in the middle of a line if needed", async () => {
    expect(await logsOf([line("hello\n"), line("world\n")], { limitBytes: 8 })).toBe("hello\nwo");
  });

  it("prefixes lines with the engine timestamp", async () => {
    expect(await logsOf([line("a\n")], { timestamps: true })).toBe("2026-01-01T00:00:00.000000001Z a\n");
  });
});
