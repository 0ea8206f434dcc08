import type { ContainerStatus, StatusPod } from "@ild/interlink-api";
import type { StatusResult } from "@ild/pod-runner";
import { describe, expect, it } from "vitest";
import { toPodStatus } from "./status-view.js";

const pod: StatusPod = {
  metadata: { name: "web", namespace: "default", uid: "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f" },
  spec: {
    initContainers: [
      { name: "prepare", image: "busybox" },
      { name: "proxy", image: "envoy", restartPolicy: "Always" },
    ],
    containers: [{ name: "app", image: "nginx" }],
  },
};

function running(name: string): ContainerStatus {
  return {
    name,
    state: { running: { startedAt: "2026-01-01T00:00:00Z" } },
    lastState: {},
    ready: true,
    restartCount: 0,
    image: "",
    imageID: "",
  };
}

const completed: ContainerStatus = {
  ...running("prepare"),
  state: { terminated: { exitCode: 0, reason: "Completed" } },
  ready: true,
};

function result(containers: ContainerStatus[], initContainers: ContainerStatus[]): StatusResult {
  return {
    found: true,
    phase: "Running",
    status: { name: "web", UID: pod.metadata.uid, namespace: "default", containers, initContainers },
  };
}

function names(list: ContainerStatus[] | null | undefined): string[] {
  return (list ?? []).map((entry) => entry.name);
}

describe("native sidecars in /status", () => {
  it("reports a sidecar the runner puts in containers once, with its real state (no waiting copy in initContainers)", () => {
    const status = toPodStatus(pod, result([running("app"), running("proxy")], [completed]), false);
    expect(names(status.initContainers)).toEqual(["prepare"]);
    expect(names(status.containers)).toEqual(["app", "proxy"]);
    expect(status.containers.find((entry) => entry.name === "proxy")?.state?.running).toBeDefined();
  });

  it("reports it once in initContainers when the runner reports it there (sidecarStatusIn initContainers)", () => {
    const status = toPodStatus(pod, result([running("app")], [completed, running("proxy")]), false);
    expect(names(status.initContainers)).toEqual(["prepare", "proxy"]);
    expect(status.initContainers?.find((entry) => entry.name === "proxy")?.state?.running).toBeDefined();
    expect(names(status.containers)).toEqual(["app"]);
  });

  it("still gives a container the runner did not report a waiting entry", () => {
    const status = toPodStatus(pod, result([], []), true);
    expect(names(status.initContainers)).toEqual(["prepare", "proxy"]);
    expect(status.containers[0]?.state?.waiting?.reason).toBe("ContainerCreating");
  });
});

describe("nodeName", () => {
  it("names the host a known pod landed on, and nothing for a pod this node does not know", () => {
    const known = toPodStatus(pod, result([running("app")], [completed, running("proxy")]), false, "node-7");
    expect(known.nodeName).toBe("node-7");
    const unknown = toPodStatus(
      pod,
      { found: false, phase: "Unknown", status: { name: "", UID: "", namespace: "", containers: [] } },
      false,
      "node-7",
    );
    expect(unknown.nodeName).toBeUndefined();
  });
});
