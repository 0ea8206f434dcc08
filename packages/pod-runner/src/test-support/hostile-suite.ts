import { constants } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { podPaths } from "../files/pod-paths.js";
import type { EngineFixture } from "./engine-fixture.js";
import { readMountOptions } from "./mount-options.js";
import { podInput, shell } from "./pods.js";
import { asHandle, containerState, waitForLogs, waitForStatus } from "./runner-fixture.js";

const work = { name: "work", emptyDir: {} };

/**
 * Attacks a pod author can write with nothing but a pod spec, on either engine. Each test shows the
 * attack fails AND the legitimate use beside it works.
 */
export function hostileSuite(get: () => EngineFixture): void {
  const paths = (uid: string) => podPaths(get().options.dataRoot, get().options.runRoot, uid);

  describe("hostile pods", () => {
    it("subPath through a symlink planted by an init container is refused; a real subPath folder still mounts", {
      timeout: 120_000,
    }, async () => {
      const input = podInput("subpath-symlink", {
        restartPolicy: "Never",
        volumes: [work],
        initContainers: [
          {
            ...shell(
              "plant",
              "mkdir -p /work/data && echo mine > /work/data/ok && rmdir /work/x /work/y && ln -s / /work/x && ln -s /work/data /work/y",
            ),
            volumeMounts: [{ name: "work", mountPath: "/work" }],
          },
        ],
        containers: [
          {
            ...shell("good", "cat /data/ok; ls /var/run/docker.sock /run/ild 2>&1 | head -2; sleep 30"),
            volumeMounts: [{ name: "work", mountPath: "/data", subPath: "data" }],
          },
          {
            ...shell("evil", "ls /host; cat /host/etc/hostname"),
            volumeMounts: [{ name: "work", mountPath: "/host", subPath: "x" }],
          },
          {
            // a symlink to a folder INSIDE the volume is refused as well (the kubelet's rule)
            ...shell("evil2", "ls /y"),
            volumeMounts: [{ name: "work", mountPath: "/y", subPath: "y" }],
          },
        ],
      });
      const handle = asHandle(await get().runner.start(input));
      const status = await waitForStatus(
        get().runner,
        handle.podUid,
        (current) =>
          containerState(current, "evil")?.state?.waiting?.reason === "CreateContainerConfigError" &&
          containerState(current, "evil2")?.state?.waiting?.reason === "CreateContainerConfigError" &&
          containerState(current, "good")?.state?.running !== undefined,
        45_000,
      );
      expect(containerState(status, "evil")?.state?.waiting?.message).toMatch(/"x" is a symlink/);
      expect(containerState(status, "evil")?.state?.waiting?.message).toMatch(
        /volumeMounts\[mountPath=\/host\]\.subPath/,
      );
      expect(containerState(status, "evil2")?.state?.waiting?.message).toMatch(/"y" is a symlink/);
      const logs = await waitForLogs(get().runner, handle.podUid, "good", (text) =>
        text.includes("No such file"),
      );
      expect(logs).toMatch(/^mine\n/);
      expect(logs).not.toMatch(/docker\.sock\n/);
      await get().runner.stop(handle, { gracePeriodSeconds: 0 });
      expect(await get().leftovers(handle.podUid)).toBe(0);
    });

    it("a subPath swapped for a symlink while the pod runs is refused at the restart; the first start mounted the real folder", async () => {
      const input = podInput("subpath-restart", {
        restartPolicy: "Always",
        volumes: [work],
        initContainers: [
          { ...shell("prepare", "mkdir -p /work/d"), volumeMounts: [{ name: "work", mountPath: "/work" }] },
        ],
        containers: [
          {
            ...shell("victim", "echo first-run > /mnt/started; sleep 1; exit 1"),
            volumeMounts: [{ name: "work", mountPath: "/mnt", subPath: "d" }],
          },
          {
            ...shell(
              "attacker",
              "until [ -e /work/d/started ]; do sleep 0.1; done; mv /work/d /work/real; ln -s / /work/d; echo swapped; sleep 300",
            ),
            volumeMounts: [{ name: "work", mountPath: "/work" }],
          },
        ],
      });
      const handle = asHandle(await get().runner.start(input));
      await waitForLogs(get().runner, handle.podUid, "attacker", (text) => text.includes("swapped"));
      const status = await waitForStatus(
        get().runner,
        handle.podUid,
        (current) =>
          containerState(current, "victim")?.state?.waiting?.reason === "CreateContainerConfigError",
        60_000,
      );
      expect(containerState(status, "victim")?.state?.waiting?.message).toMatch(/"d" is a symlink/);
      expect(containerState(status, "victim")?.lastState?.terminated?.exitCode).toBe(1);
      // the first run wrote into the real folder (now renamed by the attacker), nowhere else
      const written = path.join(paths(handle.podUid).dataDir, "volumes", "work", "real", "started");
      expect(await readFile(written, "utf8")).toBe("first-run\n");
      await get().runner.stop(handle, { gracePeriodSeconds: 0 });
    });

    it("setuid binaries and device nodes planted in an emptyDir are inert on the host; plain files are not", async () => {
      const input = podInput("emptydir-suid", {
        restartPolicy: "Never",
        volumes: [work],
        containers: [
          {
            ...shell(
              "plant",
              "cp /bin/busybox /work/rootsh && chmod 4755 /work/rootsh && mknod /work/disk b 254 0 && echo plain > /work/plain && echo done",
            ),
            volumeMounts: [{ name: "work", mountPath: "/work" }],
          },
        ],
      });
      const handle = asHandle(await get().runner.start(input));
      const final = await get().runner.waitForCompletion(handle, { timeoutMs: 60_000 });
      expect(containerState(final, "plant")?.state?.terminated?.exitCode).toBe(0);
      const pod = paths(handle.podUid);
      const volume = path.join(pod.dataDir, "volumes", "work");
      // the setuid bit is there on disk, but the mount that holds every pod's files ignores it
      expect((await stat(path.join(volume, "rootsh"))).mode & 0o4000).toBe(0o4000);
      const options = await readMountOptions(volume);
      expect(options).toEqual(expect.arrayContaining(["nosuid", "nodev"]));
      // a block device node planted by the pod cannot be opened on the host (nodev)
      await expect(open(path.join(volume, "disk"), constants.O_RDONLY)).rejects.toMatchObject({
        code: "EACCES",
      });
      expect(await readFile(path.join(volume, "plain"), "utf8")).toBe("plain\n");
      // pod folders are root's alone
      for (const dir of [pod.dataDir, pod.runDir, pod.secretDir]) {
        const info = await stat(dir);
        expect({ dir, mode: info.mode & 0o777, uid: info.uid }).toEqual({ dir, mode: 0o700, uid: 0 });
      }
      await get().runner.stop(handle, { gracePeriodSeconds: 0 });
    });

    it("an emptyDir past its sizeLimit evicts the pod; one within its limit keeps running", async () => {
      const input = podInput("emptydir-limit", {
        restartPolicy: "Never",
        terminationGracePeriodSeconds: 1,
        volumes: [
          { name: "small", emptyDir: { sizeLimit: "1Mi" } },
          { name: "roomy", emptyDir: { sizeLimit: "64Mi" } },
        ],
        containers: [
          {
            ...shell(
              "fill",
              "dd if=/dev/zero of=/small/blob bs=1M count=4 2>/dev/null; echo filled; sleep 60",
            ),
            volumeMounts: [{ name: "small", mountPath: "/small" }],
          },
        ],
      });
      const within = podInput("emptydir-within", {
        restartPolicy: "Never",
        volumes: [{ name: "roomy", emptyDir: { sizeLimit: "64Mi" } }],
        containers: [
          {
            ...shell(
              "fill",
              "dd if=/dev/zero of=/roomy/blob bs=1M count=4 2>/dev/null; echo filled; sleep 60",
            ),
            volumeMounts: [{ name: "roomy", mountPath: "/roomy" }],
          },
        ],
      });
      const evicted = asHandle(await get().runner.start(input));
      const kept = asHandle(await get().runner.start(within));
      const final = await get().runner.waitForCompletion(evicted, { timeoutMs: 60_000 });
      expect(final.phase).toBe("Failed");
      expect(final.reason).toBe("Evicted");
      expect(final.message).toMatch(/EmptyDir volume "small" exceeds the limit of 1048576 bytes/);
      await waitForLogs(get().runner, kept.podUid, "fill", (text) => text.includes("filled"));
      expect(get().runner.status(kept.podUid).phase).toBe("Running");
      await get().runner.stop(evicted, { gracePeriodSeconds: 0 });
      await get().runner.stop(kept, { gracePeriodSeconds: 0 });
    });
  });
}
