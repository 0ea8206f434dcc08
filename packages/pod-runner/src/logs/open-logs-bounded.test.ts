import type { DockerClient, LogLine, LogOptions } from "@ild/dind-pool";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../test-support/manual-clock.js";
import { MemoryDocker } from "../test-support/memory-docker.js";
import { readAll } from "../test-support/runner-fixture.js";
import { openLogs } from "./open-logs.js";

/** An engine whose log never ends: it counts how many lines were pulled from it. */
function endlessLog(): { docker: DockerClient; pulled: () => number; aborted: () => boolean } {
  let pulled = 0;
  let signal: AbortSignal | undefined;
  const docker: DockerClient = new MemoryDocker();
  const lines = async function* (_id: string, options: LogOptions & { signal: AbortSignal }) {
    signal = options.signal;
    for (;;) {
      pulled += 1;
      yield { stream: "stdout", data: Buffer.from(`line ${pulled}\n`) } satisfies LogLine;
    }
  };
  docker.streamLogs = lines;
  docker.followLogs = lines;
  docker.readLogs = async () => {
    throw new Error("the whole log must never be read into memory");
  };
  return { docker, pulled: () => pulled, aborted: () => signal?.aborted === true };
}

describe("openLogs reads the engine's log as a stream", () => {
  it("without follow: limitBytes stops pulling lines from the engine and ends its request", async () => {
    const engine = endlessLog();
    const text = await readAll(await openLogs(engine.docker, "c", { limitBytes: 20 }, new ManualClock()));
    expect(text).toBe("line 1\nline 2\nline 3");
    expect(engine.pulled()).toBe(3);
    expect(engine.aborted()).toBe(true);
  });

  it("a reader that stops early ends the engine's request (nothing is read ahead without bound)", async () => {
    const engine = endlessLog();
    const stream = await openLogs(engine.docker, "c", {}, new ManualClock());
    const first: Buffer = await new Promise((resolve) => stream.once("data", resolve));
    stream.destroy();
    await new Promise((resolve) => stream.once("close", resolve));
    expect(first.toString()).toBe("line 1\n");
    expect(engine.aborted()).toBe(true);
    // Readable.from reads ahead at most its highWaterMark (16 chunks), not the whole log
    expect(engine.pulled()).toBeLessThan(64);
  });

  it("with follow: the same bound", async () => {
    const engine = endlessLog();
    const text = await readAll(
      await openLogs(engine.docker, "c", { follow: true, limitBytes: 7 }, new ManualClock()),
    );
    expect(text).toBe("line 1\n");
    expect(engine.aborted()).toBe(true);
  });
});
