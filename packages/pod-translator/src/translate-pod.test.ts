import { IldError } from "@ild/common";
import type { RetrievedPodData } from "@ild/interlink-api";
import type { Pod } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { PodTranslationError } from "./errors.js";
import { translatePod, translateRetrievedPodData } from "./translate-pod.js";

const metadata = { name: "demo", namespace: "default", uid: "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f" };

function errorOf(run: () => unknown): PodTranslationError {
  try {
    run();
  } catch (error) {
    if (error instanceof PodTranslationError) {
      return error;
    }
    throw error;
  }
  throw new Error("expected a PodTranslationError");
}

describe("translatePod", () => {
  it("fills Kubernetes' pod defaults", () => {
    const { plan, warnings } = translatePod({
      pod: {
        metadata: { name: "x".repeat(70), uid: "u-1" },
        spec: { containers: [{ name: "c", image: "busybox" }] },
      },
    });
    expect(warnings).toEqual([]);
    expect(plan).toMatchObject({
      namespace: "default",
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      hostname: "x".repeat(63),
      dns: { nameservers: [], searches: [], options: [], policy: "ClusterFirst" },
      labels: {},
      annotations: {},
    });
    expect(plan.containers[0]).toMatchObject({
      kind: "regular",
      index: 0,
      pullPolicy: "Always",
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      tty: false,
      stdin: false,
    });
    expect(plan.activeDeadlineSeconds).toBeUndefined();
  });

  it("orders init containers (init and native sidecars) before regular ones", () => {
    const { plan } = translatePod({
      pod: {
        metadata,
        spec: {
          initContainers: [
            { name: "first", image: "ild/busybox:1" },
            { name: "sidecar", image: "ild/busybox:1", restartPolicy: "Always" },
            { name: "second", image: "ild/busybox:1" },
          ],
          containers: [
            { name: "app", image: "ild/busybox:1" },
            { name: "helper", image: "ild/busybox:1" },
          ],
        },
      },
    });
    expect(plan.initContainers.map((container) => [container.name, container.kind, container.index])).toEqual(
      [
        ["first", "init", 0],
        ["sidecar", "sidecar", 1],
        ["second", "init", 2],
      ],
    );
    expect(plan.containers.map((container) => [container.name, container.kind, container.index])).toEqual([
      ["app", "regular", 0],
      ["helper", "regular", 1],
    ]);
  });

  it("collects every problem of a pod in one typed error with field paths", () => {
    const pod: Pod = {
      metadata: { name: "bad", uid: "u-2" },
      spec: {
        restartPolicy: "Sometimes",
        hostNetwork: true,
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
        containers: [
          { name: "ok", image: "ild/busybox:1" },
          {
            name: "ok",
            image: "",
            workingDir: "relative",
            restartPolicy: "Always",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
              { name: "C", value: "3" },
              { name: "DB", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
            ],
            ports: [{ containerPort: 0 }],
          },
        ],
      },
    };
    const error = errorOf(() => translatePod({ pod }));
    expect(error.code).toBe("ILD_POD_INVALID");
    expect(IldError.hasCode(error, "ILD_POD_INVALID")).toBe(true);
    expect(error.podName).toBe("bad");
    expect(error.issues).toEqual([
      {
        path: "spec.hostNetwork",
        message: "true is not allowed by the baseline policy (Ild.policy.level)",
      },
      { path: "spec.containers[1].name", message: 'duplicate container name "ok"' },
      {
        path: "spec.volumes[0].persistentVolumeClaim",
        message:
          'volume "data": persistentVolumeClaim volumes are not supported (supported: emptyDir, configMap, secret, projected, downwardAPI, hostPath)',
      },
      { path: "spec.containers[1].image", message: "is required" },
      { path: "spec.containers[1].restartPolicy", message: "is only allowed on init containers" },
      { path: "spec.containers[1].env[3].valueFrom.secretKeyRef", message: 'secret "db" was not sent' },
      { path: "spec.containers[1].ports[0].containerPort", message: "0 must be between 1 and 65535" },
      { path: "spec.containers[1].workingDir", message: '"relative" must be an absolute path' },
      { path: "spec.restartPolicy", message: '"Sometimes" must be Always, OnFailure or Never' },
    ]);
    expect(error.message).toContain(
      'spec.containers[1].env[3].valueFrom.secretKeyRef: secret "db" was not sent',
    );
  });

  it("requires a name, a uid and containers", () => {
    expect(errorOf(() => translatePod({ pod: { metadata: {}, spec: { containers: [] } } })).issues).toEqual([
      { path: "metadata.name", message: "is required" },
      { path: "metadata.uid", message: "is required" },
      { path: "spec.containers", message: "at least one container is required" },
    ]);
    expect(errorOf(() => translatePod({ pod: { metadata } as Pod })).issues).toEqual([
      { path: "spec", message: "is required" },
    ]);
    expect(
      errorOf(() =>
        translatePod({ pod: { metadata: { ...metadata, uid: "../x" }, spec: { containers: [] } } }),
      ).issues[0],
    ).toEqual({
      path: "metadata.uid",
      message: '"../x" is not a valid uid',
    });
  });

  it.each([
    [{ name: "Bad_Name", uid: "u" }, "metadata.name"],
    [{ name: "ok", namespace: "../etc", uid: "u" }, "metadata.namespace"],
    [{ name: "ok", namespace: "Team", uid: "u" }, "metadata.namespace"],
  ])("refuses names that cannot name containers or directories (%j)", (meta, path) => {
    const error = errorOf(() =>
      translatePod({ pod: { metadata: meta, spec: { containers: [{ name: "c", image: "x:1" }] } } }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([path]);
  });

  it("refuses non-string arguments and env values, and hooks on init containers", () => {
    const error = errorOf(() =>
      translatePod({
        pod: {
          metadata,
          spec: {
            initContainers: [
              { name: "i", image: "x:1", lifecycle: { postStart: { exec: { command: ["true"] } } } },
            ],
            containers: [
              {
                name: "c",
                image: "x:1",
                command: ["sleep", 5 as unknown as string],
                env: [{ name: "N", value: 3 as unknown as string }],
              },
            ],
          },
        },
      }),
    );
    expect(error.issues).toEqual([
      {
        path: "spec.initContainers[0].lifecycle",
        message: "lifecycle hooks are not allowed on init containers (only on sidecars)",
      },
      { path: "spec.containers[0].env[0].value", message: "must be a string, got 3" },
      { path: "spec.containers[0].command[1]", message: "must be a string, got 5" },
    ]);
  });

  it("reports unsupported fields as warnings, never silently", () => {
    const { warnings } = translatePod({
      pod: {
        metadata,
        spec: {
          runtimeClassName: "kata",
          setHostnameAsFQDN: true,
          readinessGates: [{ conditionType: "x" }],
          ephemeralContainers: [{ name: "debug", image: "busybox" }],
          containers: [
            {
              name: "c",
              image: "ild/busybox:1",
              stdinOnce: true,
              resizePolicy: [{ resourceName: "cpu", restartPolicy: "NotRequired" }],
              ports: [{ containerPort: 80, hostPort: 8080 }],
            },
          ],
        },
      },
      // hostPort is refused by the baseline policy; the privileged level ignores it with a warning.
      options: { policy: { level: "privileged" } },
    });
    expect(warnings.map((warning) => warning.path)).toEqual([
      "spec.ephemeralContainers",
      "spec.runtimeClassName",
      "spec.setHostnameAsFQDN",
      "spec.readinessGates",
      "spec.containers[0].ports[0].hostPort",
      "spec.containers[0].stdinOnce",
      "spec.containers[0].resizePolicy",
    ]);
  });

  it("keeps restart policy, deadlines, grace period, hostname, aliases and DNS", () => {
    const { plan } = translatePod({
      pod: {
        metadata: { ...metadata, labels: { app: "demo" }, annotations: { note: "x" } },
        spec: {
          restartPolicy: "OnFailure",
          activeDeadlineSeconds: 600,
          terminationGracePeriodSeconds: 0,
          hostname: "box",
          subdomain: "workers",
          shareProcessNamespace: true,
          hostAliases: [{ ip: "10.0.0.1", hostnames: ["db"] }],
          dnsPolicy: "None",
          dnsConfig: { nameservers: ["1.1.1.1"], options: [{ name: "ndots", value: "1" }] },
          containers: [{ name: "c", image: "ild/busybox:1" }],
        },
      },
      options: { clusterDomain: "example.local" },
    });
    expect(plan).toMatchObject({
      labels: { app: "demo" },
      annotations: { note: "x" },
      restartPolicy: "OnFailure",
      activeDeadlineSeconds: 600,
      terminationGracePeriodSeconds: 0,
      hostname: "box",
      subdomain: "workers",
      domainname: "workers.default.svc.example.local",
      shareProcessNamespace: true,
      hostAliases: [{ ip: "10.0.0.1", hostnames: ["db"] }],
      dns: {
        nameservers: ["1.1.1.1"],
        searches: [],
        options: [{ name: "ndots", value: "1" }],
        policy: "None",
      },
    });
  });

  it("refuses dnsPolicy None without nameservers and malformed host aliases", () => {
    expect(
      errorOf(() =>
        translatePod({
          pod: {
            metadata,
            spec: {
              dnsPolicy: "None",
              hostAliases: [
                { ip: "not an ip", hostnames: ["x"] },
                { ip: "10.0.0.1", hostnames: ["bad host"] },
              ],
              containers: [{ name: "c", image: "ild/busybox:1" }],
            },
          },
        }),
      ).issues.map((issue) => issue.path),
    ).toEqual(["spec.dnsConfig.nameservers", "spec.hostAliases[0].ip", "spec.hostAliases[1].hostnames"]);
  });
});

describe("translateRetrievedPodData", () => {
  it("translates interLink's /create body (null lists included)", () => {
    const data: RetrievedPodData = {
      pod: {
        metadata,
        spec: {
          volumes: [{ name: "cfg", configMap: { name: "demo-config", defaultMode: 420 } }],
          containers: [
            {
              name: "main",
              image: "python:3.12-slim",
              command: ["python", "-c"],
              args: ["print('hello')"],
              volumeMounts: [{ name: "cfg", mountPath: "/etc/app" }],
            },
          ],
        },
      },
      container: [
        {
          name: "main",
          configMaps: [{ metadata: { name: "demo-config" }, data: { "app.conf": "threads=4\n" } }],
          projectedvolumemaps: null,
          secrets: null,
          emptyDirs: null,
        },
      ],
      jobConfig: {},
    };
    const { plan } = translateRetrievedPodData(data, { podIP: "10.0.0.9" });
    expect(plan.files.map((file) => file.path)).toEqual(["volumes/cfg/app.conf"]);
    expect(plan.containers[0]?.entrypoint).toEqual(["python", "-c"]);
    expect(plan.containers[0]?.cmd).toEqual(["print('hello')"]);
  });
});
