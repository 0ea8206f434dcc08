import { beforeAll, describe, expect, it } from "vitest";
import type { EngineFixture } from "./engine-fixture.js";
import { podInput, shell } from "./pods.js";
import { asHandle, containerState, readAll, waitForLogs, waitForStatus } from "./runner-fixture.js";

/** Every log option against one pod, on either engine. */
export function logsSuite(get: () => EngineFixture): void {
  let podUid: string;

  beforeAll(async () => {
    const input = podInput("logs", {
      terminationGracePeriodSeconds: 0,
      initContainers: [shell("prepare", "echo init-says")],
      containers: [
        // spaced writes: stdout and stderr reach the engine through separate pipes
        shell(
          "talker",
          "echo out1; sleep 0.3; echo err1 >&2; sleep 0.3; echo out2; sleep 0.3; echo err2 >&2; sleep 3; echo late; sleep 3600",
        ),
        shell("counter", "sleep 1; for i in 1 2 3; do echo line$i; sleep 0.2; done"),
        shell("forever", "while :; do echo tick; sleep 0.2; done"),
      ],
    });
    podUid = asHandle(await get().runner.start(input)).podUid;
    await waitForLogs(get().runner, podUid, "talker", (logs) => logs.includes("err2"), 60_000);
  });

  const logs = async (container: string, options = {}) =>
    readAll(await get().runner.logs(podUid, container, options));

  describe("logs", () => {
    it("interleaves stdout and stderr in engine order", async () => {
      expect(await logs("talker")).toMatch(/^out1\nerr1\nout2\nerr2\n/);
    });

    it("returns the last Tail lines", async () => {
      const text = await logs("talker", { tail: 2 });
      expect(text.split("\n").filter(Boolean)).toHaveLength(2);
    });

    it("cuts the output at limitBytes", async () => {
      expect(await logs("talker", { limitBytes: 6 })).toBe("out1\ne");
    });

    it("prefixes each line with its RFC 3339 timestamp", async () => {
      const lines = (await logs("talker", { timestamps: true })).split("\n").filter(Boolean);
      expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z out1$/);
    });

    it("starts at SinceTime", async () => {
      const lines = (await logs("talker", { timestamps: true })).split("\n").filter(Boolean);
      const out2 = lines.find((line) => line.endsWith(" out2")) ?? "";
      const since = new Date(out2.split(" ")[0] ?? "");
      expect(await logs("talker", { sinceTime: since })).toMatch(/^out2\nerr2\n/);
    });

    it("keeps only lines newer than SinceSeconds", async () => {
      await waitForLogs(get().runner, podUid, "talker", (text) => text.includes("late"));
      expect(await logs("talker", { sinceSeconds: 2 })).toBe("late\n");
    });

    it("serves init-container logs", async () => {
      expect(await logs("prepare")).toBe("init-says\n");
    });

    it("follows a container until it ends", async () => {
      await waitForStatus(get().runner, podUid, (status) =>
        Boolean(containerState(status, "counter")?.state?.running),
      );
      const text = await logs("counter", { follow: true });
      expect(text).toBe("line1\nline2\nline3\n");
    });

    it("ends a follow stream when the signal aborts", async () => {
      const controller = new AbortController();
      const stream = await get().runner.logs(podUid, "forever", {
        follow: true,
        signal: controller.signal,
        tail: 0,
      });
      const chunks: string[] = [];
      for await (const chunk of stream) {
        chunks.push(String(chunk));
        controller.abort();
      }
      expect(chunks.join("")).toMatch(/^tick\n/);
    });

    it("rejects Previous for a container that never restarted", async () => {
      await expect(get().runner.logs(podUid, "talker", { previous: true })).rejects.toMatchObject({
        code: "ILD_RUNNER_CONTAINER_NOT_FOUND",
      });
    });
  });
}
