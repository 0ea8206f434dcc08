/**
 * The REAL sidecar process on the real engine, HTTP behaviour: auth, bad input, unknown pods, limits,
 * the ping, injection strings taken literally. Pods run on the `host` engine (fast; the point here is
 * the HTTP layer). One sidecar process for the whole file.
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelledObjects, removeLabelled } from "./test-support/docker-leaks.js";
import {
  closeClients,
  type InterlinkLike,
  interlinkLike,
  logRequest,
} from "./test-support/interlink-like.js";
import { BUSYBOX, makePod, retrieved } from "./test-support/pods.js";
import { type SidecarProcess, startSidecarProcess } from "./test-support/sidecar-process.js";
import { waitFor, waitTerminated } from "./test-support/wait.js";

const TOKEN = "e2e-token-7f3a9c";
let sidecar: SidecarProcess;
let client: InterlinkLike;
let anonymous: InterlinkLike;

beforeAll(async () => {
  sidecar = await startSidecarProcess({
    ild: {
      engine: { default: "host", allowPodOverride: false },
      server: { authToken: TOKEN, bodyLimitBytes: 65536 },
    },
    testLabel: "apps-sidecar-http",
    env: { ENABLE_TRACING: "1", TELEMETRY_ENDPOINT: "127.0.0.1:1" },
  });
  client = interlinkLike({ port: sidecar.port as number, token: TOKEN });
  anonymous = interlinkLike({ port: sidecar.port as number });
}, 150_000);

afterAll(async () => {
  await closeClients();
  await sidecar?.stop("SIGTERM");
  if (sidecar !== undefined) {
    await removeLabelled(sidecar.instance);
    await sidecar.cleanup();
  }
}, 150_000);

describe("ping and auth", () => {
  it("answers the ping ([] on GET /status) with a PingResponse", async () => {
    const answer = await client.ping();
    expect(answer.status).toBe(200);
    const ping = JSON.parse(answer.body);
    expect(ping.status).toBe("ok");
    expect(ping.resources.pods).toBe("110");
    expect(Number(ping.resources.cpu)).toBeGreaterThan(0);
    expect(ping.resources.memory).toMatch(/^\d+Mi$/);
  });

  it("refuses every API route without the bearer token (401) but serves /healthz", async () => {
    for (const [method, path] of [
      ["GET", "/status"],
      ["POST", "/create"],
      ["GET", "/getLogs"],
      ["POST", "/delete"],
      ["GET", "/metrics"],
      ["GET", "/openapi.json"],
    ] as const) {
      const answer = await anonymous.raw(method, path, "[]");
      expect(answer.status, `${method} ${path}`).toBe(401);
    }
    expect((await anonymous.raw("GET", "/status", "[]", { authorization: `Bearer ${TOKEN}x` })).status).toBe(
      401,
    );
    expect((await anonymous.raw("GET", "/healthz")).status).toBe(200);
  });

  it("ENABLE_TRACING=1 with no collector listening: tracing on in one line, and everything serves", () => {
    const on = sidecar.lines.filter((line) => String(line.msg ?? "").startsWith("tracing "));
    expect(on).toHaveLength(1);
    expect(on[0]?.level).toBe("info");
    expect(on[0]?.msg).toBe("tracing on: OTLP/gRPC to 127.0.0.1:1 (plaintext)");
  });

  it("never logs the token", () => {
    expect(JSON.stringify(sidecar.lines)).not.toContain(TOKEN);
  });
});

describe("bad input: 4xx with a clear message, and the server keeps serving", () => {
  it("malformed JSON, wrong types and missing fields name the problem", async () => {
    const malformed = await client.raw("POST", "/create", '{"pod": {');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatch(/not (valid )?JSON/);
    const wrongType = await client.create({ pod: "a pod", container: [] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toContain("pod");
    const missing = await client.create({
      pod: { metadata: { name: "x", namespace: "default" }, spec: { containers: [] } },
      container: [],
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain("pod.metadata.uid");
    const statusWrong = await client.statusRaw({ not: "a list" });
    expect(statusWrong.status).toBe(400);
    const logsMissing = await client.raw("GET", "/getLogs", JSON.stringify({ Namespace: "default" }));
    expect(logsMissing.status).toBe(400);
    expect(logsMissing.body).toMatch(/PodUID|ContainerName/);
    expect((await client.delete({ metadata: { name: "x" } })).status).toBe(400);
  });

  it("refuses an oversized body with 413", async () => {
    const pod = makePod("big", { containers: [{ name: "main", image: BUSYBOX }] });
    const body = { ...retrieved(pod), padding: "x".repeat(100_000) };
    const answer = await client.create(body);
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("65536");
  });

  it("refuses injection strings in names and images, before anything is created", async () => {
    const badName = makePod("ok", { containers: [{ name: "main", image: BUSYBOX }] });
    (badName.metadata as { name: string }).name = "x; touch /tmp/ild-pwned";
    const answer = await client.create(retrieved(badName));
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("metadata.name");
    const badImage = makePod("bad-image", {
      containers: [{ name: "main", image: "ild/busybox:1; touch /tmp/ild-pwned-image" }],
    });
    const imageAnswer = await client.create(retrieved(badImage));
    expect(imageAnswer.status).toBeGreaterThanOrEqual(400);
    expect(imageAnswer.status).toBeLessThan(600);
    expect(imageAnswer.body).toMatch(/image/i);
    expect(existsSync("/tmp/ild-pwned")).toBe(false);
    expect(existsSync("/tmp/ild-pwned-image")).toBe(false);
  });

  it("refuses a config-map key that climbs out of its volume (../), writing nothing outside the data root", async () => {
    const pod = makePod("traversal", {
      containers: [
        {
          name: "main",
          image: BUSYBOX,
          command: ["true"],
          volumeMounts: [{ name: "cfg", mountPath: "/cfg" }],
        },
      ],
      volumes: [{ name: "cfg", configMap: { name: "evil" } }],
    });
    const data = retrieved(pod, {
      main: {
        configMaps: [
          { metadata: { name: "evil", namespace: "default" }, data: { "../../../escaped": "pwned" } },
        ],
      },
    });
    const answer = await client.create(data);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).toContain("..");
    expect((await readdir(sidecar.dir)).sort()).toEqual(["config.yaml", "data"]);
    expect(existsSync(join(sidecar.dataRoot, "..", "escaped"))).toBe(false);
    expect(existsSync(join(sidecar.dir, "..", "escaped"))).toBe(false);
  });

  it("passes env and args with shell metacharacters to the container literally", async () => {
    const marker = `/tmp/ild-e2e-${sidecar.instance}`;
    const pod = makePod("literal", {
      containers: [
        {
          name: "main",
          image: BUSYBOX,
          command: ["echo"],
          args: ["$(touch", `${marker})`, "; touch", marker, "`id`"],
          env: [{ name: "EVIL", value: `'; touch ${marker}; echo '` }],
        },
      ],
    });
    expect((await client.create(retrieved(pod))).status).toBe(200);
    await waitTerminated(client, pod, "main");
    const logs = await client.logs(logRequest(pod, "main"));
    expect(logs.body).toBe(`$(touch ${marker}) ; touch ${marker} \`id\`\n`);
    expect(existsSync(marker)).toBe(false);
    expect((await client.delete(pod)).status).toBe(200);
  });

  it("refuses what the policy forbids with a 4xx sentence naming the field (privileged)", async () => {
    const pod = makePod("priv", {
      containers: [{ name: "main", image: BUSYBOX, securityContext: { privileged: true } }],
    });
    const answer = await client.create(retrieved(pod));
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("ild could not create pod default/priv");
    expect(answer.body).toContain("spec.containers[0].securityContext.privileged");
  });

  it("reports a missing image as waiting with the reason, like the kubelet (not a silent hang)", async () => {
    const pod = makePod("no-image", {
      containers: [{ name: "main", image: "ild/does-not-exist:1", imagePullPolicy: "Never" }],
    });
    expect((await client.create(retrieved(pod))).status).toBe(200);
    const waiting = await waitFor("the image error to be reported", async () => {
      const [status] = await client.status([pod]);
      const state = status?.containers?.[0]?.state?.waiting;
      return state?.reason === "ContainerCreating" ? undefined : state;
    });
    expect(waiting.reason).toBe("ErrImageNeverPull");
    expect(waiting.message).toContain("ild/does-not-exist:1");
    expect((await client.delete(pod)).status).toBe(200);
  });

  it("still serves after all of that", async () => {
    expect((await client.ping()).status).toBe(200);
  });
});

describe("unknown pods on every route", () => {
  const ghost = makePod("ghost", {
    initContainers: [{ name: "setup", image: BUSYBOX }],
    containers: [{ name: "main", image: BUSYBOX }],
  });

  it("status: waiting with a message for containers and init containers (not an error)", async () => {
    const [status] = await client.status([ghost]);
    expect(status?.UID).toBe(ghost.metadata?.uid);
    expect(status?.name).toBe("ghost");
    expect(status?.containers?.[0]?.state?.waiting?.message).toMatch(/no record/);
    expect(status?.initContainers?.[0]?.state?.waiting).toBeDefined();
  });

  it("getLogs: 404 naming the pod", async () => {
    const answer = await client.logs(logRequest(ghost, "main"));
    expect(answer.status).toBe(404);
    expect(answer.body).toContain(ghost.metadata?.uid as string);
  });

  it("delete: 200 (idempotent)", async () => {
    expect((await client.delete(ghost)).status).toBe(200);
    expect((await client.delete(ghost)).status).toBe(200);
  });
});

describe("operator routes", () => {
  it("exposes metrics and the OpenAPI document", async () => {
    await client.ping();
    const metrics = await client.raw("GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("ild_pods{phase=");
    expect(metrics.body).toContain('ild_http_request_duration_seconds_bucket{route="/status"');
    const openapi = JSON.parse((await client.raw("GET", "/openapi.json")).body);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(["/create", "/status", "/getLogs", "/delete"]),
    );
  });

  it("logs one line per request with the pod UID and the duration", async () => {
    const pod = makePod("logged", { containers: [{ name: "main", image: BUSYBOX }] });
    await client.status([pod]);
    const line = await sidecar.waitForLine(
      (entry) => entry.podUid === pod.metadata?.uid && entry.route === "/status",
    );
    expect(typeof line.durationMs).toBe("number");
    expect(line.status).toBe(200);
  });
});

describe("nothing leaks", () => {
  it("leaves no container of this sidecar after the pods were deleted", async () => {
    const objects = await labelledObjects(sidecar.instance);
    expect(objects.containers).toEqual([]);
  });
});
