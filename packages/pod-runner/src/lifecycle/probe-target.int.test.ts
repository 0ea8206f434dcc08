/**
 * Real engine: probes and lifecycle handlers whose plan names another host (here the test's own
 * listener on the host's 127.0.0.1, what a pod author would aim at: host loopback, cloud metadata)
 * reach the pod's own server, and the other host receives nothing; a redirect from the pod to that
 * host is not followed, one on the pod's own address is. The translator is wrapped to put `host` into
 * the plan, so this holds whatever the policy in front of it lets through.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PYTHON, podInput } from "../test-support/pods.js";
import {
  asHandle,
  containerState,
  createTestRunner,
  type TestRunner,
  waitForLogs,
  waitForStatus,
} from "../test-support/runner-fixture.js";
import { hostAimingTranslator } from "./probe-target.test-helpers.js";

const SERVER = `
import http.server, sys
port = int(sys.argv[1])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("GET " + self.path, flush=True)
        targets = {"/away": "http://127.0.0.1:%d/steal" % port, "/same": "/followed"}
        if self.path in targets:
            self.send_response(302)
            self.send_header("Location", targets[self.path])
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("0.0.0.0", port), Handler).serve_forever()
`;

const AIMED_AT = "127.0.0.1";
const hostileTranslator = hostAimingTranslator(AIMED_AT);

let fixture: TestRunner;
let listener: http.Server;
let port = 0;
const reached: string[] = [];

beforeAll(async () => {
  listener = http.createServer((request, response) => {
    reached.push(`${request.method} ${request.url}`);
    response.end("host secret");
  });
  listener.on("connection", () => reached.push("connection"));
  await new Promise<void>((resolve) => listener.listen(0, AIMED_AT, resolve));
  port = (listener.address() as AddressInfo).port;
  fixture = await createTestRunner("probe-target", { translator: hostileTranslator });
});

afterAll(async () => {
  await fixture.cleanup();
  await new Promise((resolve) => listener.close(resolve));
});

describe("probe and handler targets on the real engine", () => {
  it("every probe and postStart reaches the pod's own server; the host listener gets nothing", async () => {
    const { runner } = fixture;
    const input = podInput("probe-target", {
      containers: [
        {
          name: "web",
          image: PYTHON,
          command: ["python3", "-c", SERVER, String(port)],
          startupProbe: { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 60 },
          readinessProbe: { httpGet: { path: "/ready", port }, periodSeconds: 1 },
          livenessProbe: { httpGet: { path: "/away", port }, periodSeconds: 1, failureThreshold: 1 },
        },
        {
          name: "follower",
          image: PYTHON,
          command: ["python3", "-c", SERVER, String(port + 1)],
          readinessProbe: { httpGet: { path: "/same", port: port + 1 }, periodSeconds: 1 },
          // web's server (same network namespace); until it listens, the hook fails and this one restarts
          lifecycle: { postStart: { httpGet: { path: "/poststart", port } } },
        },
      ],
    });
    const plan = hostileTranslator.translatePod({ pod: input.pod }).plan;
    const handler = plan.containers[0]?.probes.readiness?.handler;
    expect(handler?.kind === "httpGet" ? handler.host : undefined).toBe(AIMED_AT);

    const handle = asHandle(await runner.start(input));
    const ready = await waitForStatus(
      runner,
      handle.podUid,
      (status) =>
        containerState(status, "web")?.ready === true && containerState(status, "follower")?.ready === true,
      60_000,
    );
    const web = await waitForLogs(runner, handle.podUid, "web", (logs) =>
      ["GET /poststart", "GET /ready", "GET /away"].every((line) => logs.includes(line)),
    );
    expect(web).toContain("GET /ready");
    const follower = await waitForLogs(runner, handle.podUid, "follower", (logs) =>
      logs.includes("GET /followed"),
    );
    expect(follower).toContain("GET /same");
    // the liveness probe saw a redirect to another host, did not follow it, and the container lives on
    expect(containerState(runner.status(handle.podUid), "web")?.restartCount ?? 0).toBe(0);
    expect(containerState(ready, "web")?.state?.running).toBeTruthy();
    expect(reached).toEqual([]);
    await runner.stop(handle, { gracePeriodSeconds: 0 });
  });
});
