import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isTmpfs } from "../files/ensure-tmpfs.js";
import type { EngineFixture } from "./engine-fixture.js";
import { BUSYBOX, PYTHON, podInput, shell } from "./pods.js";
import { asHandle, containerState, readAll, waitForLogs, waitForStatus } from "./runner-fixture.js";

/** The pod matrix both engines run: namespaces, init containers, volumes, exit codes, OOM, deadline. */
export function podSuite(get: () => EngineFixture): void {
  const runToEnd = async (input: ReturnType<typeof podInput>) => {
    const handle = asHandle(await get().runner.start(input));
    const final = await get().runner.waitForCompletion(handle, { timeoutMs: 60_000 });
    return { handle, final };
  };

  describe("pods", () => {
    it("runs a multi-container pod whose containers talk over localhost", async () => {
      const input = podInput("localhost", {
        restartPolicy: "Never",
        containers: [
          { name: "server", image: PYTHON, command: ["python3", "-m", "http.server", "8080"] },
          shell(
            "client",
            "until wget -qO- http://127.0.0.1:8080/ >/dev/null 2>&1; do sleep 0.2; done; echo reached",
          ),
        ],
      });
      const handle = asHandle(await get().runner.start(input));
      expect(handle.engine).toBe(get().engine);
      const status = await waitForStatus(
        get().runner,
        handle.podUid,
        (current) => containerState(current, "client")?.state?.terminated !== undefined,
      );
      expect(containerState(status, "client")?.state?.terminated?.exitCode).toBe(0);
      expect(containerState(status, "server")?.state?.running).toBeDefined();
      expect(status.status.JID).toBe(handle.jobId);
      const logs = await readAll(await get().runner.logs(handle.podUid, "client"));
      expect(logs).toBe("reached\n");
      await get().runner.stop(handle, { gracePeriodSeconds: 1 });
      expect(get().runner.status(handle.podUid).found).toBe(false);
      expect(await get().leftovers(handle.podUid)).toBe(0);
    });

    it("reports a failing command with its real exit code and fails the pod", async () => {
      const input = podInput("fails", {
        restartPolicy: "Never",
        containers: [shell("main", "echo bye >&2; exit 7")],
      });
      const handle = asHandle(await get().runner.start(input));
      const final = await get().runner.waitForCompletion(handle, { timeoutMs: 30_000 });
      expect(final.phase).toBe("Failed");
      expect(containerState(final, "main")?.state?.terminated).toMatchObject({
        exitCode: 7,
        reason: "Error",
      });
      await get().runner.stop(handle);
    });
    it("runs init containers one by one to completion before the regular containers", async () => {
      const input = podInput("init-ok", {
        restartPolicy: "Never",
        volumes: [{ name: "work", emptyDir: {} }],
        initContainers: [
          {
            ...shell("first", "echo one > /work/order"),
            volumeMounts: [{ name: "work", mountPath: "/work" }],
          },
          {
            ...shell("second", "echo two >> /work/order"),
            volumeMounts: [{ name: "work", mountPath: "/work" }],
          },
        ],
        containers: [
          { ...shell("main", "cat /work/order"), volumeMounts: [{ name: "work", mountPath: "/work" }] },
        ],
      });
      const { handle, final } = await runToEnd(input);
      expect(final.phase).toBe("Succeeded");
      expect(containerState(final, "first")?.state?.terminated?.reason).toBe("Completed");
      expect(containerState(final, "second")?.state?.terminated?.exitCode).toBe(0);
      expect(await readAll(await get().runner.logs(handle.podUid, "main"))).toBe("one\ntwo\n");
      expect(await readAll(await get().runner.logs(handle.podUid, "first"))).toBe("");
      await get().runner.stop(handle);
    });

    it("fails the pod with the init container's exit code and never starts the others (restartPolicy Never)", async () => {
      const input = podInput("init-fail", {
        restartPolicy: "Never",
        initContainers: [shell("setup", "exit 3"), shell("never", "echo should-not-run")],
        containers: [shell("main", "echo should-not-run")],
      });
      const { handle, final } = await runToEnd(input);
      expect(final.phase).toBe("Failed");
      expect(containerState(final, "setup")?.state?.terminated?.exitCode).toBe(3);
      expect(containerState(final, "main")?.state?.terminated?.reason).toBe("InitContainerFailed");
      expect(containerState(final, "main")?.state?.terminated?.exitCode).toBe(3);
      const started = await get()
        .podDocker(handle.podUid)
        .listContainers({
          all: true,
          label: [`io.ild.pod-uid=${handle.podUid}`, "io.ild.container-name=main"],
        });
      expect(started).toEqual([]);
      await get().runner.stop(handle);
    });

    it("mounts configMap and secret volumes, resolves env from both, keeps secrets on tmpfs with their mode", async () => {
      const configMap = {
        metadata: { name: "settings" },
        data: { "app.conf": "level=debug\n", greeting: "hello" },
      };
      const secret = {
        metadata: { name: "creds" },
        data: { password: Buffer.from("s3cret").toString("base64") },
      };
      const input = podInput(
        "volumes",
        {
          restartPolicy: "Never",
          volumes: [
            { name: "cfg", configMap: { name: "settings" } },
            { name: "sec", secret: { secretName: "creds", defaultMode: 0o400 } },
          ],
          containers: [
            {
              ...shell(
                "main",
                'cat /cfg/app.conf; cat /sec/password; echo; echo "$GREETING $PASSWORD"; sleep 30',
              ),
              env: [
                { name: "GREETING", valueFrom: { configMapKeyRef: { name: "settings", key: "greeting" } } },
                { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
              ],
              volumeMounts: [
                { name: "cfg", mountPath: "/cfg" },
                { name: "sec", mountPath: "/sec" },
              ],
            },
          ],
        },
        { containers: [{ name: "main", configMaps: [configMap], secrets: [secret] }] },
      );
      const handle = asHandle(await get().runner.start(input));
      const logs = await waitForLogs(get().runner, handle.podUid, "main", (text) => text.includes("hello"));
      expect(logs).toBe("level=debug\ns3cret\nhello s3cret\n");
      const secretRoot = path.join(get().options.runRoot, "pods", handle.podUid, "secrets");
      expect(await isTmpfs(secretRoot)).toBe(true);
      const files = await readdir(secretRoot, { recursive: true });
      const passwordFile = files.find((file) => String(file).endsWith("password"));
      expect(passwordFile).toBeDefined();
      expect((await stat(path.join(secretRoot, String(passwordFile)))).mode & 0o777).toBe(0o400);
      await get().runner.stop(handle, { gracePeriodSeconds: 0 });
      await expect(stat(secretRoot)).rejects.toThrow();
      await expect(stat(path.join(get().options.dataRoot, "pods", handle.podUid))).rejects.toThrow();
    });

    it("shares an emptyDir between containers and mounts a projected service-account token", async () => {
      const tokenVolume = "kube-api-access-abcde";
      const input = podInput(
        "shared",
        {
          restartPolicy: "Never",
          volumes: [
            { name: "shared", emptyDir: {} },
            { name: tokenVolume, projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
          ],
          containers: [
            {
              ...shell("writer", "echo from-writer > /shared/file"),
              volumeMounts: [{ name: "shared", mountPath: "/shared" }],
            },
            {
              ...shell(
                "reader",
                "until [ -f /shared/file ]; do sleep 0.1; done; cat /shared/file; cat /var/run/secrets/kubernetes.io/serviceaccount/token",
              ),
              volumeMounts: [
                { name: "shared", mountPath: "/shared" },
                {
                  name: tokenVolume,
                  mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
                  readOnly: true,
                },
              ],
            },
          ],
        },
        {
          containers: [
            { name: "writer" },
            {
              name: "reader",
              projectedvolumemaps: [{ metadata: { name: tokenVolume }, data: { token: "jwt-token" } }],
            },
          ],
        },
      );
      const { handle, final } = await runToEnd(input);
      expect(final.phase).toBe("Succeeded");
      expect(await readAll(await get().runner.logs(handle.podUid, "reader"))).toBe("from-writer\njwt-token");
      await get().runner.stop(handle);
    });

    it("mounts a private memory emptyDir as tmpfs and shares a memory emptyDir (kept across the init container) between containers", async () => {
      const input = podInput("memory", {
        restartPolicy: "Never",
        volumes: [
          { name: "scratch", emptyDir: { medium: "Memory" } },
          { name: "shared", emptyDir: { medium: "Memory" } },
        ],
        initContainers: [
          {
            ...shell("seed", "echo seeded > /shared/seed"),
            volumeMounts: [{ name: "shared", mountPath: "/shared" }],
          },
        ],
        containers: [
          {
            ...shell("writer", "echo in-memory > /shared/file"),
            volumeMounts: [{ name: "shared", mountPath: "/shared" }],
          },
          {
            ...shell(
              "reader",
              "until [ -f /shared/file ]; do sleep 0.1; done; cat /shared/seed /shared/file; grep -E ' /(shared|scratch) ' /proc/mounts | cut -d' ' -f3",
            ),
            volumeMounts: [
              { name: "shared", mountPath: "/shared" },
              { name: "scratch", mountPath: "/scratch" },
            ],
          },
        ],
      });
      const { handle, final } = await runToEnd(input);
      expect(final.phase).toBe("Succeeded");
      expect(await readAll(await get().runner.logs(handle.podUid, "reader"))).toBe(
        "seeded\nin-memory\ntmpfs\ntmpfs\n",
      );
      await get().runner.stop(handle);
    });

    it("reports what a container wrote to its terminationMessagePath as the terminated message", async () => {
      const input = podInput("termination", {
        restartPolicy: "Never",
        containers: [
          shell("default-path", "echo -n 'wrote to the log file' > /dev/termination-log; exit 3"),
          { ...shell("custom-path", "echo -n done > /tmp/status"), terminationMessagePath: "/tmp/status" },
        ],
      });
      const { handle, final } = await runToEnd(input);
      expect(containerState(final, "default-path")?.state?.terminated).toMatchObject({
        exitCode: 3,
        message: "wrote to the log file",
      });
      expect(containerState(final, "custom-path")?.state?.terminated?.message).toBe("done");
      await get().runner.stop(handle);
    });

    it("records OOMKilled for a container over its memory limit", async () => {
      const input = podInput("oom", {
        restartPolicy: "Never",
        containers: [
          {
            name: "hog",
            image: PYTHON,
            command: ["python3", "-c", "a = bytearray(256 * 1024 * 1024)"],
            resources: { limits: { memory: "16Mi" } },
          },
        ],
      });
      const { handle, final } = await runToEnd(input);
      expect(final.phase).toBe("Failed");
      expect(containerState(final, "hog")?.state?.terminated).toMatchObject({
        reason: "OOMKilled",
        exitCode: 137,
      });
      await get().runner.stop(handle);
    });

    it("stops a pod past activeDeadlineSeconds with reason DeadlineExceeded", async () => {
      const input = podInput("deadline", {
        restartPolicy: "Always",
        activeDeadlineSeconds: 2,
        terminationGracePeriodSeconds: 1,
        containers: [{ name: "sleeper", image: BUSYBOX, command: ["sleep", "3600"] }],
      });
      const { handle, final } = await runToEnd(input);
      expect(final.phase).toBe("Failed");
      expect(final.reason).toBe("DeadlineExceeded");
      expect(containerState(final, "sleeper")?.state?.terminated?.exitCode).toBe(137);
      await get().runner.stop(handle);
    });
  });
}
