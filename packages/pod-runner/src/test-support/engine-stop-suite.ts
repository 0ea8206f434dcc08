import { describe, expect, it } from "vitest";
import type { EngineFixture } from "./engine-fixture.js";
import { BUSYBOX, podInput } from "./pods.js";
import { asHandle, containerState, waitForStatus } from "./runner-fixture.js";

/**
 * A host reboot or a dockerd restart while pods run, simulated on the real engine: the runner's process
 * goes, the DINDs are stopped under it, a new process recovers. A stopped DIND is never adopted; the
 * pod is recreated in a fresh DIND (restartPolicy Always) or reported Failed (Never), and the stopped
 * DINDs are reclaimed.
 */
export function engineStopSuite(get: () => EngineFixture): void {
  describe("engine stopped under the pods (reboot, dockerd restart)", () => {
    it("recreates an Always pod in a fresh DIND, fails a Never pod truthfully, reclaims the stopped DINDs", async () => {
      const runner = get().runner;
      const always = podInput("reboot-always", {
        restartPolicy: "Always",
        containers: [{ name: "app", image: BUSYBOX, command: ["sleep", "3600"] }],
      });
      const never = podInput("reboot-never", {
        restartPolicy: "Never",
        containers: [{ name: "app", image: BUSYBOX, command: ["sleep", "3600"] }],
      });
      const a = asHandle(await runner.start(always));
      const n = asHandle(await runner.start(never));
      for (const handle of [a, n]) {
        await waitForStatus(
          runner,
          handle.podUid,
          (s) => Boolean(containerState(s, "app")?.state?.running),
          60_000,
        );
      }
      const pool = get().options.pool;
      const stoppedIds = [a, n].map((handle) => pool?.findLease(handle.podUid)?.containerId ?? "");
      await runner.close();
      // the "reboot": every DIND of these pods stops (RestartPolicy no, as after a host restart)
      for (const id of stoppedIds) {
        await get().docker.stopContainer(id, 0);
      }
      const second = await get().restart();
      await second.recover();
      const recreated = await waitForStatus(
        second,
        a.podUid,
        (s) => Boolean(containerState(s, "app")?.state?.running),
        60_000,
      );
      expect(recreated.status.JID).not.toBe(a.jobId);
      const failed = second.status(n.podUid);
      expect(failed.phase).toBe("Failed");
      expect(containerState(failed, "app")?.state?.terminated).toMatchObject({
        exitCode: 137,
        reason: "ContainerStatusUnknown",
      });
      const remaining = await get().docker.listContainers({ all: true, label: ["io.ild.role=dind"] });
      for (const id of stoppedIds) {
        expect(remaining.map((container) => container.id)).not.toContain(id);
      }
      await second.stop(a.podUid, { gracePeriodSeconds: 0 });
      await second.stop(n.podUid, { gracePeriodSeconds: 0 });
      expect(await get().leftovers(a.podUid)).toBe(0);
      expect(await get().leftovers(n.podUid)).toBe(0);
    });

    it("notices a DIND that dies under a running pod: Always is recreated, Never is Failed", async () => {
      const runner = get().runner;
      const pool = get().options.pool;
      const always = asHandle(
        await runner.start(
          podInput("dies-always", {
            restartPolicy: "Always",
            containers: [{ name: "app", image: BUSYBOX, command: ["sleep", "3600"] }],
          }),
        ),
      );
      const never = asHandle(
        await runner.start(
          podInput("dies-never", {
            restartPolicy: "Never",
            containers: [{ name: "app", image: BUSYBOX, command: ["sleep", "3600"] }],
          }),
        ),
      );
      for (const handle of [always, never]) {
        await waitForStatus(
          runner,
          handle.podUid,
          (s) => Boolean(containerState(s, "app")?.state?.running),
          60_000,
        );
      }
      // the DINDs die (killed, as by the OOM killer) while the runner supervises them
      for (const handle of [always, never]) {
        await get().docker.stopContainer(pool?.findLease(handle.podUid)?.containerId ?? "", 0);
      }
      const recreated = await waitForStatus(
        runner,
        always.podUid,
        (s) => s.status.JID !== always.jobId && Boolean(containerState(s, "app")?.state?.running),
        90_000,
      );
      expect(recreated.phase).toBe("Running");
      const failed = await waitForStatus(runner, never.podUid, (s) => s.phase === "Failed", 30_000);
      expect(containerState(failed, "app")?.state?.terminated).toMatchObject({
        exitCode: 137,
        reason: "ContainerStatusUnknown",
      });
      await runner.stop(always.podUid, { gracePeriodSeconds: 0 });
      await runner.stop(never.podUid, { gracePeriodSeconds: 0 });
      expect(await get().leftovers(always.podUid)).toBe(0);
      expect(await get().leftovers(never.podUid)).toBe(0);
    }, 180_000);
  });
}
