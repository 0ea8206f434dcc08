import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { PodTranslationError } from "./errors.js";
import type { TranslationIssue } from "./plan-types.js";
import { type TranslatePodOptions, translatePod } from "./translate-pod.js";

const ports: Container["ports"] = [
  { name: "http", containerPort: 8080 },
  { name: "grpc", containerPort: 9000 },
];

function containerOf(extra: Partial<Container>, init = false, options: TranslatePodOptions = {}) {
  const container: Container = { name: "main", image: "ild/busybox:1", ports, ...extra };
  const pod: Pod = {
    metadata: { name: "probes", uid: "p-1" },
    spec: init
      ? { initContainers: [container], containers: [{ name: "app", image: "ild/busybox:1" }] }
      : { containers: [container] },
  };
  const { plan } = translatePod({ pod, options });
  return init ? plan.initContainers[0] : plan.containers[0];
}

function issuesOf(extra: Partial<Container>, init = false): TranslationIssue[] {
  try {
    containerOf(extra, init);
  } catch (error) {
    if (error instanceof PodTranslationError) {
      return error.issues;
    }
    throw error;
  }
  throw new Error("expected a PodTranslationError");
}

describe("probes", () => {
  it("fills Kubernetes' defaults and resolves named ports", () => {
    const container = containerOf({
      readinessProbe: { httpGet: { port: "http" } },
      livenessProbe: {
        tcpSocket: { port: 9000 },
        periodSeconds: 5,
        failureThreshold: 6,
        terminationGracePeriodSeconds: 7,
      },
      startupProbe: { grpc: { port: 9000 } },
    });
    expect(container?.probes).toEqual({
      readiness: {
        handler: { kind: "httpGet", scheme: "HTTP", host: "", port: 8080, path: "/", headers: [] },
        initialDelaySeconds: 0,
        periodSeconds: 10,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
      },
      liveness: {
        handler: { kind: "tcpSocket", host: "", port: 9000 },
        initialDelaySeconds: 0,
        periodSeconds: 5,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 6,
        terminationGracePeriodSeconds: 7,
      },
      startup: {
        handler: { kind: "grpc", port: 9000 },
        initialDelaySeconds: 0,
        periodSeconds: 10,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
      },
    });
  });

  it("keeps exec commands as argument vectors and HTTP details as given", () => {
    const container = containerOf(
      {
        readinessProbe: {
          exec: { command: ["cat", "/tmp/ready file"] },
          successThreshold: 2,
        },
        livenessProbe: {
          httpGet: {
            scheme: "HTTPS",
            host: "127.0.0.1",
            port: "8443",
            path: "healthz",
            httpHeaders: [{ name: "X", value: "y z" }],
          },
        },
      },
      false,
      // A probe host is refused by the baseline policy (policy/container-rules.ts); rendered as given above it.
      { policy: { level: "privileged" } },
    );
    expect(container?.probes.readiness?.handler).toEqual({
      kind: "exec",
      command: ["cat", "/tmp/ready file"],
    });
    expect(container?.probes.readiness?.successThreshold).toBe(2);
    expect(container?.probes.liveness?.handler).toEqual({
      kind: "httpGet",
      scheme: "HTTPS",
      host: "127.0.0.1",
      port: 8443,
      path: "/healthz",
      headers: [{ name: "X", value: "y z" }],
    });
  });

  it("reports every probe problem at once", () => {
    expect(
      issuesOf({
        readinessProbe: { httpGet: { port: "nope" } },
        livenessProbe: { tcpSocket: { port: 70000 }, successThreshold: 2 },
        startupProbe: { exec: { command: [] }, periodSeconds: 0 },
      }),
    ).toEqual([
      {
        path: "spec.containers[0].livenessProbe.tcpSocket.port",
        message: "port 70000 must be between 1 and 65535",
      },
      {
        path: "spec.containers[0].livenessProbe.successThreshold",
        message: "must be 1 for a liveness probe",
      },
      {
        path: "spec.containers[0].readinessProbe.httpGet.port",
        message: 'named port "nope" is not declared in the container\'s ports',
      },
      { path: "spec.containers[0].startupProbe.exec.command", message: "must not be empty" },
      { path: "spec.containers[0].startupProbe.periodSeconds", message: "0 must be an integer >= 1" },
    ]);
  });

  it("refuses two handlers and probes on init containers", () => {
    expect(
      issuesOf({ readinessProbe: { exec: { command: ["true"] }, tcpSocket: { port: 1 } } })[0]?.message,
    ).toMatch(/exactly one handler/);
    expect(issuesOf({ readinessProbe: { exec: { command: ["true"] } } }, true)).toEqual([
      { path: "spec.initContainers[0].readinessProbe", message: "probes are not allowed on init containers" },
    ]);
  });

  it("a native sidecar may have probes", () => {
    const sidecar = containerOf(
      { restartPolicy: "Always", startupProbe: { exec: { command: ["true"] } } },
      true,
    );
    expect(sidecar?.kind).toBe("sidecar");
    expect(sidecar?.restartPolicy).toBe("Always");
    expect(sidecar?.probes.startup?.handler).toEqual({ kind: "exec", command: ["true"] });
  });
});

describe("lifecycle hooks", () => {
  it("postStart/preStop: exec, httpGet with a named port, sleep", () => {
    expect(
      containerOf({
        lifecycle: {
          postStart: { exec: { command: ["sh", "-c", "echo started"] } },
          preStop: { httpGet: { port: "http", path: "/stop" } },
        },
      })?.lifecycle,
    ).toEqual({
      postStart: { kind: "exec", command: ["sh", "-c", "echo started"] },
      preStop: { kind: "httpGet", scheme: "HTTP", host: "", port: 8080, path: "/stop", headers: [] },
    });
    expect(containerOf({ lifecycle: { preStop: { sleep: { seconds: 5 } } } })?.lifecycle).toEqual({
      preStop: { kind: "sleep", seconds: 5 },
    });
  });

  it("refuses a negative sleep and a grpc hook", () => {
    expect(issuesOf({ lifecycle: { preStop: { sleep: { seconds: -1 } } } })).toEqual([
      {
        path: "spec.containers[0].lifecycle.preStop.sleep.seconds",
        message: "must be a non-negative integer",
      },
    ]);
  });
});
