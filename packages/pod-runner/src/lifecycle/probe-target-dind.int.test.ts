/**
 * Real engine, DIND (the default engine): a probe whose plan names the host's 127.0.0.1 reaches the
 * pod's server inside its DIND; the listener the test runs on the host's 127.0.0.1, on the same port,
 * receives nothing. (Were the host dialled, the listener would answer 200 and the pod would be ready
 * too: the assertion is "ready AND nothing reached".)
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineFixture, type EngineFixture } from "../test-support/engine-fixture.js";
import { podInput, shell } from "../test-support/pods.js";
import { asHandle, containerState, waitForStatus } from "../test-support/runner-fixture.js";
import { hostAimingTranslator } from "./probe-target.test-helpers.js";

const AIMED_AT = "127.0.0.1";
let fixture: EngineFixture;
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
  fixture = await createEngineFixture("probe-dind", "dind", { translator: hostAimingTranslator(AIMED_AT) });
});

afterAll(async () => {
  await fixture?.cleanup();
  await new Promise((resolve) => listener.close(resolve));
});

describe("probe targets in a DIND", () => {
  it("startup (tcpSocket) and readiness (httpGet) aimed at the host reach the pod's own server only", async () => {
    const { runner } = fixture;
    const input = podInput("probe-dind", {
      containers: [
        {
          ...shell("web", `mkdir -p /www; echo ok > /www/ready; httpd -f -p ${port} -h /www`),
          startupProbe: { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 60 },
          readinessProbe: { httpGet: { path: "/ready", port }, periodSeconds: 1 },
        },
      ],
    });
    const handle = asHandle(await runner.start(input));
    const ready = await waitForStatus(
      runner,
      handle.podUid,
      (status) => containerState(status, "web")?.ready === true,
      90_000,
    );
    expect(containerState(ready, "web")?.started).toBe(true);
    expect(reached).toEqual([]);
    await runner.stop(handle, { gracePeriodSeconds: 0 });
  });
});
