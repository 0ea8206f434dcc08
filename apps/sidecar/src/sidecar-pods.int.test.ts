/**
 * The REAL sidecar process on the real engine, the core path: pods in warm DINDs, driven exactly as
 * interLink drives them. One sidecar (pool of 2) for the whole file.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelledObjects, removeLabelled } from "./test-support/docker-leaks.js";
import {
  closeClients,
  type InterlinkLike,
  interlinkLike,
  logRequest,
} from "./test-support/interlink-like.js";
import { BUSYBOX, makePod, PYTHON, retrieved } from "./test-support/pods.js";
import { type SidecarProcess, startSidecarProcess } from "./test-support/sidecar-process.js";
import { containerState, waitFor, waitRunning, waitTerminated } from "./test-support/wait.js";

let sidecar: SidecarProcess;

async function inspectLabels(ids: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)("docker", [
    "inspect",
    "--format",
    "{{json .Config.Labels}}",
    ...ids,
  ]);
  return stdout;
}
let client: InterlinkLike;

beforeAll(async () => {
  sidecar = await startSidecarProcess({
    ild: { engine: { default: "dind" }, dind: { poolSize: 2, preloadImages: [BUSYBOX] } },
    runRootOnDisk: true,
    testLabel: "apps-sidecar-pods",
  });
  client = interlinkLike({ port: sidecar.port as number });
}, 120_000);

afterAll(async () => {
  await closeClients();
  await sidecar?.stop("SIGTERM");
  if (sidecar !== undefined) {
    await removeLabelled(sidecar.instance);
    await sidecar.cleanup();
  }
}, 150_000);

describe("pods in DINDs, as interLink drives them", () => {
  it("hello world: 200 {PodUID, PodJID}, Succeeded with exit code 0, logs, delete", async () => {
    const pod = makePod("hello", {
      containers: [{ name: "main", image: BUSYBOX, command: ["echo", "hello world"] }],
    });
    const answer = await client.create(retrieved(pod));
    expect(answer.status).toBe(200);
    const created = JSON.parse(answer.body);
    expect(created.PodUID).toBe(pod.metadata?.uid);
    expect(typeof created.PodJID).toBe("string");
    expect(created.PodJID.length).toBeGreaterThan(0);
    const main = await waitTerminated(client, pod, "main");
    expect(main.state?.terminated?.exitCode).toBe(0);
    const [status] = await client.status([pod]);
    expect(status?.JID).toBe(created.PodJID);
    const logs = await client.logs(logRequest(pod, "main"));
    expect(logs.status).toBe(200);
    expect(logs.body).toBe("hello world\n");
    expect((await client.delete(pod)).status).toBe(200);
    const [after] = await client.status([pod]);
    expect(after?.containers?.[0]?.state?.waiting).toBeDefined();
    expect((await client.delete(pod)).status).toBe(200);
  });

  it("init containers, emptyDir, configMap and secret volumes, env, projected volumes", async () => {
    const pod = makePod("volumes", {
      volumes: [
        { name: "work", emptyDir: {} },
        { name: "cfg", configMap: { name: "app-config" } },
        { name: "creds", secret: { secretName: "app-secret" } },
        { name: "kube-api-access", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
      ],
      initContainers: [
        {
          name: "prepare",
          image: BUSYBOX,
          command: ["sh", "-c", "echo prepared > /work/state"],
          volumeMounts: [{ name: "work", mountPath: "/work" }],
        },
      ],
      containers: [
        {
          name: "main",
          image: BUSYBOX,
          command: [
            "sh",
            "-c",
            'cat /work/state /cfg/app.conf /creds/password; echo; echo "$GREETING"; echo "$PRICE"; cat /var/run/secrets/kubernetes.io/serviceaccount/token',
          ],
          // env arrives from interLink already expanded: `a$$b` must reach the container as it is
          env: [
            { name: "GREETING", value: "hi there" },
            { name: "PRICE", value: "a$$b" },
          ],
          volumeMounts: [
            { name: "work", mountPath: "/work" },
            { name: "cfg", mountPath: "/cfg" },
            { name: "creds", mountPath: "/creds", readOnly: true },
            {
              name: "kube-api-access",
              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
              readOnly: true,
            },
          ],
        },
      ],
    });
    const data = retrieved(pod, {
      main: {
        configMaps: [
          { metadata: { name: "app-config", namespace: "default" }, data: { "app.conf": "threads=4\n" } },
        ],
        secrets: [
          {
            metadata: { name: "app-secret", namespace: "default" },
            data: { password: Buffer.from("s3cr3t").toString("base64") },
            type: "Opaque",
          },
        ],
        projectedvolumemaps: [{ metadata: { name: "kube-api-access" }, data: { token: "tok-123" } }],
      },
    });
    expect((await client.create(data)).status).toBe(200);
    const main = await waitTerminated(client, pod, "main");
    expect(main.state?.terminated?.exitCode).toBe(0);
    const [status] = await client.status([pod]);
    const prepare = status === undefined ? undefined : containerState(status, "prepare");
    expect(prepare?.state?.terminated?.exitCode).toBe(0);
    expect(status?.initContainers?.map((entry) => entry.name)).toEqual(["prepare"]);
    const logs = await client.logs(logRequest(pod, "main"));
    expect(logs.body).toBe("prepared\nthreads=4\ns3cr3t\nhi there\na$$b\ntok-123");
    const initLogs = await client.logs(logRequest(pod, "prepare"));
    expect(initLogs.status).toBe(200);
    expect((await client.delete(pod)).status).toBe(200);
  });

  it("multi-container pods share the network namespace (localhost)", async () => {
    const pod = makePod("multi", {
      containers: [
        {
          name: "server",
          image: PYTHON,
          command: ["python3", "-m", "http.server", "8080", "--bind", "127.0.0.1"],
        },
        {
          name: "client",
          image: BUSYBOX,
          command: [
            "sh",
            "-c",
            "until wget -q -O /dev/null http://127.0.0.1:8080/ 2>/dev/null; do sleep 0.2; done; echo reached",
          ],
        },
      ],
    });
    expect((await client.create(retrieved(pod))).status).toBe(200);
    const clientStatus = await waitTerminated(client, pod, "client", 90_000);
    expect(clientStatus.state?.terminated?.exitCode).toBe(0);
    const [status] = await client.status([pod]);
    expect(status === undefined ? undefined : containerState(status, "server")?.state?.running).toBeDefined();
    expect((await client.logs(logRequest(pod, "client"))).body).toBe("reached\n");
    expect((await client.delete(pod)).status).toBe(200);
  }, 150_000);

  it("failing containers report their real exit code; a failing init container stops the pod", async () => {
    const pod = makePod("failing", {
      containers: [{ name: "main", image: BUSYBOX, command: ["sh", "-c", "echo oops >&2; exit 3"] }],
    });
    expect((await client.create(retrieved(pod))).status).toBe(200);
    const main = await waitTerminated(client, pod, "main");
    expect(main.state?.terminated?.exitCode).toBe(3);
    expect((await client.logs(logRequest(pod, "main"))).body).toBe("oops\n");
    const initFails = makePod("init-fails", {
      initContainers: [{ name: "setup", image: BUSYBOX, command: ["sh", "-c", "exit 7"] }],
      containers: [{ name: "main", image: BUSYBOX, command: ["echo", "never"] }],
    });
    expect((await client.create(retrieved(initFails))).status).toBe(200);
    const setup = await waitTerminated(client, initFails, "setup");
    expect(setup.state?.terminated?.exitCode).toBe(7);
    const [status] = await client.status([initFails]);
    expect(status?.containers?.[0]?.state?.running).toBeUndefined();
    await client.delete(pod);
    await client.delete(initFails);
  });

  it("probes and lifecycle hooks: postStart runs, readiness gates running, liveness restarts", async () => {
    const pod = makePod("probes", {
      restartPolicy: "Always",
      volumes: [{ name: "shared", emptyDir: {} }],
      containers: [
        {
          name: "main",
          image: BUSYBOX,
          command: ["sh", "-c", "sleep 1; touch /shared/ready; sleep 3600"],
          volumeMounts: [{ name: "shared", mountPath: "/shared" }],
          lifecycle: { postStart: { exec: { command: ["sh", "-c", "echo started > /shared/poststart"] } } },
          readinessProbe: {
            exec: { command: ["cat", "/shared/poststart", "/shared/ready"] },
            periodSeconds: 1,
          },
        },
        {
          name: "flaky",
          image: BUSYBOX,
          command: ["sh", "-c", "echo run; sleep 3600"],
          livenessProbe: { exec: { command: ["false"] }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    });
    expect((await client.create(retrieved(pod))).status).toBe(200);
    const main = await waitRunning(client, pod, "main");
    expect(main.ready).not.toBe(false);
    const flaky = await waitFor(
      "the liveness probe to restart flaky",
      async () => {
        const [status] = await client.status([pod]);
        const entry = status === undefined ? undefined : containerState(status, "flaky");
        return (entry?.restartCount ?? 0) >= 1 ? entry : undefined;
      },
      90_000,
    );
    expect(flaky.restartCount).toBeGreaterThanOrEqual(1);
    const previous = await client.logs(logRequest(pod, "flaky", { Previous: true }));
    expect(previous.status).toBe(200);
    expect(previous.body).toBe("run\n");
    expect((await client.delete(pod)).status).toBe(200);
  }, 150_000);

  it("logs: Tail, Bytes, Timestamps, SinceSeconds, SinceTime and Follow until the container ends (Previous: above)", async () => {
    const pod = makePod("logs", {
      containers: [
        {
          name: "main",
          image: BUSYBOX,
          command: ["sh", "-c", "for i in 1 2 3 4 5; do echo line$i; sleep 0.4; done"],
        },
      ],
    });
    expect((await client.create(retrieved(pod))).status).toBe(200);
    await waitRunning(client, pod, "main");
    const follow = await client.logs(logRequest(pod, "main", { Follow: true }));
    expect(follow.status).toBe(200);
    expect(follow.body).toBe("line1\nline2\nline3\nline4\nline5\n");
    expect(follow.chunkTimes.length).toBeGreaterThan(1);
    await waitTerminated(client, pod, "main");
    expect((await client.logs(logRequest(pod, "main", { Tail: 2 }))).body).toBe("line4\nline5\n");
    expect((await client.logs(logRequest(pod, "main", { Bytes: 8 }))).body).toBe("line1\nli");
    const stamped = (await client.logs(logRequest(pod, "main", { Timestamps: true, Tail: 1 }))).body;
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z line5\n$/);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await client.logs(logRequest(pod, "main", { SinceTime: future }))).body).toBe("");
    expect((await client.logs(logRequest(pod, "main", { SinceSeconds: 3600 }))).body).toContain("line1");
    expect((await client.delete(pod)).status).toBe(200);
  }, 150_000);

  it("the ping still answers fast with a PingResponse", async () => {
    const answer = await client.ping();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).status).toBe("ok");
  });

  it("leaves no pod sandbox once every pod was deleted (only the warm pool remains)", async () => {
    const objects = await labelledObjects(sidecar.instance);
    const roles = objects.containers.length === 0 ? "" : await inspectLabels(objects.containers);
    expect(roles).not.toContain("lease-marker");
    expect(roles).not.toContain('"io.ild.lease-state":"leased"');
    expect(roles).not.toContain("io.ild.pod-uid");
  });
});
