import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { EngineFixture } from "./engine-fixture.js";
import { podInput, shell } from "./pods.js";
import { asHandle, containerState, readAll, waitForStatus } from "./runner-fixture.js";

const HTTPD = "mkdir -p /www; httpd -f -p 8080 -h /www &";

/** Probes, restarts, lifecycle handlers, stop with grace and native sidecars, on either engine. */
export function lifecycleSuite(get: () => EngineFixture): void {
  describe("probes, restarts and lifecycle handlers", () => {
    it("reports a running container as waiting until its readiness probe passes, and again when it fails", async () => {
      const input = podInput("readiness", {
        containers: [
          {
            ...shell("web", `${HTTPD} sleep 1; touch /www/ready; sleep 3; rm /www/ready; sleep 3600`),
            startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 30 },
            readinessProbe: {
              httpGet: { path: "/ready", port: 8080 },
              periodSeconds: 1,
              failureThreshold: 1,
            },
          },
        ],
      });
      const handle = asHandle(await get().runner.start(input));
      const notReady = await waitForStatus(get().runner, handle.podUid, (status) =>
        ["ContainerNotReady", "ContainerNotStarted"].includes(
          containerState(status, "web")?.state?.waiting?.reason ?? "",
        ),
      );
      expect(containerState(notReady, "web")?.ready).toBe(false);
      const ready = await waitForStatus(get().runner, handle.podUid, (status) =>
        Boolean(containerState(status, "web")?.state?.running),
      );
      expect(containerState(ready, "web")?.ready).toBe(true);
      const flipped = await waitForStatus(
        get().runner,
        handle.podUid,
        (status) => containerState(status, "web")?.state?.waiting?.reason === "ContainerNotReady",
      );
      expect(containerState(flipped, "web")?.restartCount).toBe(0);
      await get().runner.stop(handle, { gracePeriodSeconds: 0 });
    });

    it("restarts a container whose liveness probe fails, counts restarts and keeps the previous logs", async () => {
      const input = podInput("liveness", {
        restartPolicy: "Always",
        containers: [
          {
            ...shell("app", "echo instance; touch /tmp/alive; sleep 1; rm /tmp/alive; sleep 3600"),
            livenessProbe: {
              exec: { command: ["test", "-f", "/tmp/alive"] },
              periodSeconds: 1,
              failureThreshold: 1,
              terminationGracePeriodSeconds: 1,
            },
          },
        ],
      });
      const handle = asHandle(await get().runner.start(input));
      const restarted = await waitForStatus(
        get().runner,
        handle.podUid,
        (status) => (containerState(status, "app")?.restartCount ?? 0) >= 1,
      );
      expect(containerState(restarted, "app")?.lastState?.terminated).toBeDefined();
      expect(await readAll(await get().runner.logs(handle.podUid, "app", { previous: true }))).toBe(
        "instance\n",
      );
      await get().runner.stop(handle, { gracePeriodSeconds: 0 });
    });

    it("restarts on failure with back-off (OnFailure) until the container succeeds", async () => {
      const input = podInput("on-failure", {
        restartPolicy: "OnFailure",
        volumes: [{ name: "state", emptyDir: {} }],
        containers: [
          {
            ...shell(
              "flaky",
              "if [ -f /state/once ]; then echo second; exit 0; fi; touch /state/once; echo first; exit 4",
            ),
            volumeMounts: [{ name: "state", mountPath: "/state" }],
          },
        ],
      });
      const handle = asHandle(await get().runner.start(input));
      const final = await get().runner.waitForCompletion(handle, { timeoutMs: 30_000 });
      expect(final.phase).toBe("Succeeded");
      const flaky = containerState(final, "flaky");
      expect(flaky?.restartCount).toBe(1);
      expect(flaky?.lastState?.terminated?.exitCode).toBe(4);
      expect(flaky?.state?.terminated?.exitCode).toBe(0);
      expect(await readAll(await get().runner.logs(handle.podUid, "flaky", { previous: true }))).toBe(
        "first\n",
      );
      expect(await readAll(await get().runner.logs(handle.podUid, "flaky"))).toBe("second\n");
      await get().runner.stop(handle);
    });

    it("runs postStart before the container goes on, preStop and SIGTERM on stop within the grace period", async () => {
      const input = podInput("handlers", {
        terminationGracePeriodSeconds: 5,
        volumes: [{ name: "out", hostPath: { path: get().hostDir, type: "Directory" } }],
        containers: [
          {
            ...shell(
              "main",
              "until [ -f /tmp/post-started ]; do sleep 0.1; done; echo saw-poststart; trap 'echo term >> /out/events; exit 0' TERM; while :; do sleep 0.1; done",
            ),
            volumeMounts: [{ name: "out", mountPath: "/out" }],
            lifecycle: {
              postStart: { exec: { command: ["touch", "/tmp/post-started"] } },
              preStop: { exec: { command: ["sh", "-c", "echo prestop >> /out/events"] } },
            },
          },
        ],
      });
      const handle = asHandle(await get().runner.start(input));
      await waitForStatus(get().runner, handle.podUid, (status) =>
        Boolean(containerState(status, "main")?.state?.running),
      );
      let logs = "";
      while (!logs.includes("saw-poststart")) {
        logs = await readAll(await get().runner.logs(handle.podUid, "main"));
      }
      await get().runner.stop(handle);
      expect(await readFile(path.join(get().hostDir, "events"), "utf8")).toBe("prestop\nterm\n");
      await get().runner.stop(handle);
    });

    it("starts native sidecars first, keeps them beside the main container and stops them after it", async () => {
      const input = podInput("sidecars", {
        restartPolicy: "Never",
        terminationGracePeriodSeconds: 1,
        initContainers: [
          {
            ...shell("proxy", `${HTTPD} echo up > /www/index.html; wait`),
            restartPolicy: "Always",
            startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          },
        ],
        containers: [shell("main", "wget -qO- http://127.0.0.1:8080/")],
      });
      const handle = asHandle(await get().runner.start(input));
      const final = await get().runner.waitForCompletion(handle, { timeoutMs: 30_000 });
      expect(final.phase).toBe("Succeeded");
      expect(await readAll(await get().runner.logs(handle.podUid, "main"))).toBe("up\n");
      const proxy = containerState(final, "proxy");
      expect(proxy?.state?.terminated?.exitCode).toBe(0);
      expect(proxy?.state?.terminated?.message).toMatch(
        /sidecar stopped after the regular containers completed/,
      );
      expect(final.status.containers.map((item) => item.name)).toEqual(["main", "proxy"]);
      await get().runner.stop(handle);
    });
  });
}
