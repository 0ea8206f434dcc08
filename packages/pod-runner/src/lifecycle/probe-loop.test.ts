import type { ProbePlan } from "@ild/pod-translator";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../test-support/manual-clock.js";
import { runProbeLoop } from "./probe-loop.js";

const probe = (overrides: Partial<ProbePlan> = {}): ProbePlan => ({
  handler: { kind: "exec", command: ["true"] },
  initialDelaySeconds: 5,
  periodSeconds: 2,
  timeoutSeconds: 1,
  successThreshold: 2,
  failureThreshold: 3,
  ...overrides,
});

describe("runProbeLoop", () => {
  it("waits initialDelaySeconds, then needs successThreshold successes and failureThreshold failures", async () => {
    const clock = new ManualClock();
    const results = [true, true, false, false, false, true, true];
    const events: string[] = [];
    const controller = new AbortController();
    const loop = runProbeLoop(
      probe(),
      async () => ({ success: results.shift() ?? true }),
      {
        onHealthy: () => events.push(`healthy@${clock.now()}`),
        onUnhealthy: () => {
          events.push(`unhealthy@${clock.now()}`);
          return false;
        },
      },
      clock,
      controller.signal,
    );
    const start = clock.now();
    await clock.advance(4_000);
    expect(events).toEqual([]);
    await clock.advance(20_000);
    controller.abort();
    await loop;
    expect(events).toEqual([
      `healthy@${start + 7_000}`,
      `unhealthy@${start + 13_000}`,
      `healthy@${start + 17_000}`,
    ]);
    expect(clock.sleeps.slice(0, 2)).toEqual([5_000, 2_000]);
  });

  it("ends a startup probe once healthy, and a liveness probe when the callback says so", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    let checks = 0;
    const startup = runProbeLoop(
      probe({ initialDelaySeconds: 0, successThreshold: 1 }),
      async () => {
        checks += 1;
        return { success: true };
      },
      { onHealthy: () => {}, onUnhealthy: () => true },
      clock,
      controller.signal,
      true,
    );
    await clock.advance(10_000);
    await startup;
    expect(checks).toBe(1);
    const liveness = runProbeLoop(
      probe({ initialDelaySeconds: 0, failureThreshold: 1 }),
      async () => ({ success: false, message: "dead" }),
      { onHealthy: () => {}, onUnhealthy: (result) => result.message === "dead" },
      clock,
      controller.signal,
    );
    await clock.advance(1_000);
    await liveness;
    controller.abort();
  });
});
