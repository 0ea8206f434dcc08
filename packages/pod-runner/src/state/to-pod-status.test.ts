import type { ContainerPlan } from "@ild/pod-translator";
import { describe, expect, it } from "vitest";
import type { ContainerRecord } from "./pod-record.js";
import { toContainerStatus } from "./to-pod-status.js";

function plan(overrides: Partial<ContainerPlan> = {}): ContainerPlan {
  return {
    name: "app",
    kind: "regular",
    index: 0,
    image: "ild/busybox:1",
    pullPolicy: "IfNotPresent",
    env: [],
    mounts: [],
    resources: { extended: {}, devices: [] },
    security: {
      supplementalGroups: [],
      runAsNonRoot: false,
      capAdd: [],
      capDrop: [],
      readOnlyRootFilesystem: false,
      noNewPrivileges: false,
      privileged: "no",
      sysctls: {},
    },
    ports: [],
    probes: {},
    lifecycle: {},
    tty: false,
    stdin: false,
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    ...overrides,
  };
}

function record(overrides: Partial<ContainerRecord>): ContainerRecord {
  return {
    plan: plan(),
    state: { kind: "waiting", reason: "ContainerCreating" },
    ready: false,
    started: false,
    restartCount: 0,
    final: false,
    ...overrides,
  };
}

const readiness = {
  handler: { kind: "exec" as const, command: ["true"] },
  initialDelaySeconds: 0,
  periodSeconds: 1,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
};

describe("toContainerStatus", () => {
  it("reports a running container without probes as running and ready", () => {
    const status = toContainerStatus(
      record({ state: { kind: "running", startedAt: "2026-01-01T00:00:00Z" }, ready: true, started: true }),
    );
    expect(status.state).toEqual({ running: { startedAt: "2026-01-01T00:00:00Z" } });
    expect(status.ready).toBe(true);
  });

  it("reports running-but-not-ready as waiting, because interLink ignores ready", () => {
    const status = toContainerStatus(
      record({
        plan: plan({ probes: { readiness } }),
        state: { kind: "running", startedAt: "2026-01-01T00:00:00Z" },
        started: true,
      }),
    );
    expect(status.state?.waiting?.reason).toBe("ContainerNotReady");
    expect(status.ready).toBe(false);
  });

  it("keeps the real exit code, reason, times and the previous instance", () => {
    const status = toContainerStatus(
      record({
        state: {
          kind: "terminated",
          exitCode: 137,
          reason: "OOMKilled",
          startedAt: "2026-01-01T00:00:00Z",
          finishedAt: "2026-01-01T00:00:05Z",
        },
        lastState: { kind: "terminated", exitCode: 1, reason: "Error" },
        restartCount: 3,
        containerId: "abc",
      }),
    );
    expect(status.state?.terminated).toEqual({
      exitCode: 137,
      reason: "OOMKilled",
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: "2026-01-01T00:00:05Z",
    });
    expect(status.lastState?.terminated?.exitCode).toBe(1);
    expect(status.restartCount).toBe(3);
    expect(status.containerID).toBe("docker://abc");
  });

  it("never reports an end before the start (the engine's stamps of a microsecond-long container)", () => {
    const status = toContainerStatus(
      record({
        state: {
          kind: "terminated",
          exitCode: 0,
          reason: "Completed",
          startedAt: "2026-01-01T00:00:00.000300Z",
          finishedAt: "2026-01-01T00:00:00.000100Z",
        },
      }),
    );
    expect(status.state?.terminated?.finishedAt).toBe("2026-01-01T00:00:00.000300Z");
  });

  it("reports a sidecar the runner stopped after the main containers as Completed, keeping the real code in the message", () => {
    const status = toContainerStatus(
      record({
        plan: plan({ kind: "sidecar", restartPolicy: "Always" }),
        state: { kind: "terminated", exitCode: 143, reason: "Error" },
        stoppedByRunner: true,
        final: true,
      }),
    );
    expect(status.state?.terminated?.exitCode).toBe(0);
    expect(status.state?.terminated?.message).toContain("exit code 143");
  });
});
