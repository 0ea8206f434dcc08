import path from "node:path";
import { labelKeys, mountsBelow } from "@ild/dind-pool";
import { describe, expect, it } from "vitest";
import type { EngineFixture } from "./engine-fixture.js";
import { podInput, shell } from "./pods.js";
import { asHandle, waitForLogs } from "./runner-fixture.js";

function secretPod(name: string, password: string) {
  return podInput(
    name,
    {
      restartPolicy: "Never",
      volumes: [{ name: "sec", secret: { secretName: "creds" } }],
      containers: [
        {
          ...shell("main", "cat /sec/password; echo; sleep 60"),
          volumeMounts: [{ name: "sec", mountPath: "/sec" }],
        },
      ],
    },
    {
      containers: [
        {
          name: "main",
          secrets: [
            { metadata: { name: "creds" }, data: { password: Buffer.from(password).toString("base64") } },
          ],
        },
      ],
    },
  );
}

/**
 * What a pod that reached its DIND's root (the strongest position a pod can get in its sandbox) sees:
 * its own files and nothing else. Simulated by running commands as root in the DIND container itself.
 */
export function dindVisibilitySuite(get: () => EngineFixture): void {
  describe("DIND visibility", () => {
    it("a DIND holds only its own pod's files: no other pod's secrets, no pod.json, no device book; a warm DIND holds none", async () => {
      const { runner, options, docker } = get();
      const pool = options.pool;
      if (pool === undefined) {
        throw new Error("the DIND suite needs a pool");
      }
      const a = asHandle(await runner.start(secretPod("tenant-a", "alpha-secret")));
      const b = asHandle(await runner.start(secretPod("tenant-b", "bravo-secret")));
      expect(await waitForLogs(runner, a.podUid, "main", (text) => text.includes("alpha"))).toBe(
        "alpha-secret\n",
      );
      expect(await waitForLogs(runner, b.podUid, "main", (text) => text.includes("bravo"))).toBe(
        "bravo-secret\n",
      );
      const dataPods = path.join(options.dataRoot, "pods");
      const runPods = path.join(options.runRoot, "pods");
      const inDind = async (uid: string, argv: string[]) => {
        const lease = pool.findLease(uid);
        if (lease === undefined) {
          throw new Error(`no lease for ${uid}`);
        }
        return docker.exec(lease.containerId, argv);
      };
      const listing = await inDind(b.podUid, ["ls", "-A", dataPods, runPods, path.join(runPods, b.podUid)]);
      expect(listing.stdout).toContain(b.podUid);
      expect(listing.stdout).not.toContain(a.podUid);
      expect(listing.stdout).not.toContain("pod.json");
      const hunt = await inDind(b.podUid, [
        "sh",
        "-c",
        `grep -rs alpha-secret / --exclude-dir=proc --exclude-dir=sys -l | head -3; ls ${options.dataRoot} ${options.runRoot} 2>&1`,
      ]);
      expect(hunt.stdout).not.toMatch(/\/.*alpha/);
      expect(hunt.stdout).not.toContain("device-book");
      // the pod's own secret is there for its own containers (the legitimate use)
      const own = await inDind(b.podUid, [
        "sh",
        "-c",
        `cat ${runPods}/${b.podUid}/secrets/volumes/sec/password`,
      ]);
      expect(own.stdout).toBe("bravo-secret");
      // a warm DIND, not leased yet: tenant-neutral
      await pool.whenWarm();
      const leased = new Set(pool.leases().map((lease) => lease.containerId));
      const prefix = `${pool.findLease(a.podUid)?.containerName.slice(0, -8)}`;
      const warm = (await docker.listContainers({ label: [`${labelKeys.role}=dind`] })).filter(
        (container) => !leased.has(container.id) && (container.names[0] ?? "").startsWith(prefix),
      );
      expect(warm.length).toBeGreaterThan(0);
      for (const container of warm) {
        const empty = await docker.exec(container.id, ["ls", "-A", dataPods, runPods]);
        expect(
          empty.stdout
            .trim()
            .split("\n")
            .filter((line) => line !== "" && !line.endsWith(":")),
        ).toEqual([]);
      }
      await runner.stop(a, { gracePeriodSeconds: 0 });
      await runner.stop(b, { gracePeriodSeconds: 0 });
      // gone with the pod: no folder, no mount left behind
      expect(await mountsBelow(path.join(dataPods, a.podUid))).toEqual([]);
      expect(await mountsBelow(path.join(runPods, b.podUid))).toEqual([]);
    });
  });
}
