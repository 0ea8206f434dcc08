import { describe, expect, it } from "vitest";
import type { Hook, HookPhase } from "../runner-types.js";
import type { EngineFixture } from "./engine-fixture.js";
import { podInput, shell } from "./pods.js";
import { asHandle, containerState, waitForStatus } from "./runner-fixture.js";

const PHASES: HookPhase[] = ["pre-create", "pre-run", "post-run", "pre-stop", "post-stop"];
/** Pod annotation naming the phase in which the `strict` hook throws. */
const FAIL_IN = "test.ild.io/fail-in";

export const hookCalls: string[] = [];

function recorder(name: string, priority: number): Hook {
  const phases: Hook["phases"] = {};
  for (const phase of PHASES) {
    phases[phase] = async (context) => {
      hookCalls.push(`${context.plan.name}:${phase}:${name}`);
      if (phase === "pre-run" || phase === "post-run") {
        // the sandbox is up from pre-run on
        expect(context.sandbox?.id).toMatch(/^[0-9a-f]{64}$/);
      }
      if (name === "strict" && context.plan.annotations[FAIL_IN] === phase) {
        throw new Error(`strict hook refuses in ${phase}`);
      }
    };
  }
  return { name, priority, phases };
}

/** Registered in code, enabled by name with the built-ins. */
export const testHooks: Hook[] = [recorder("strict", 50), recorder("audit", 5), recorder("zz-audit", 5)];

/** Hooks order, priorities and failure rules with real containers, on either engine. */
export function hooksSuite(get: () => EngineFixture): void {
  const callsOf = (pod: string) =>
    hookCalls.filter((call) => call.startsWith(`${pod}:`)).map((call) => call.slice(pod.length + 1));

  describe("hooks", () => {
    it("runs every phase's hooks by priority then name, around the pod's life", async () => {
      const handle = asHandle(
        await get().runner.start(podInput("hook-order", { containers: [shell("app", "sleep 300")] })),
      );
      await waitForStatus(get().runner, handle.podUid, (status) =>
        Boolean(containerState(status, "app")?.state?.running),
      );
      while (!callsOf("hook-order").includes("post-run:strict")) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await get().runner.stop(handle, { gracePeriodSeconds: 0 });
      expect(callsOf("hook-order")).toEqual(
        PHASES.flatMap((phase) => [`${phase}:audit`, `${phase}:zz-audit`, `${phase}:strict`]),
      );
      expect(await get().leftovers(handle.podUid)).toBe(0);
    });

    it("fails the pod with the hook's message when pre-run fails; no pod container starts", async () => {
      const input = podInput(
        "hook-prerun",
        { containers: [shell("app", "echo never")] },
        { annotations: { [FAIL_IN]: "pre-run" } },
      );
      const handle = asHandle(await get().runner.start(input));
      const final = await get().runner.waitForCompletion(handle, { timeoutMs: 60_000 });
      expect(final.phase).toBe("Failed");
      expect(containerState(final, "app")?.state?.terminated).toMatchObject({
        reason: "HookFailed",
        message: expect.stringContaining("strict hook refuses in pre-run"),
      });
      expect(callsOf("hook-prerun")).not.toContain("post-run:audit");
      const app = await get()
        .podDocker(handle.podUid)
        .listContainers({
          all: true,
          label: [`io.ild.pod-uid=${handle.podUid}`, "io.ild.container-name=app"],
        });
      expect(app).toEqual([]);
      await get().runner.stop(handle);
    });

    it("fails the pod when post-run fails, after its containers started", async () => {
      const input = podInput(
        "hook-postrun",
        { terminationGracePeriodSeconds: 0, containers: [shell("app", "sleep 300")] },
        { annotations: { [FAIL_IN]: "post-run" } },
      );
      const handle = asHandle(await get().runner.start(input));
      const final = await get().runner.waitForCompletion(handle, { timeoutMs: 60_000 });
      expect(final.phase).toBe("Failed");
      expect(final.reason).toBe("HookFailed");
      expect(containerState(final, "app")?.state?.terminated?.exitCode).toBeGreaterThan(0);
      await get().runner.stop(handle, { gracePeriodSeconds: 0 });
    });

    it("logs a failing pre-stop hook and still stops and removes everything", async () => {
      const input = podInput(
        "hook-prestop",
        { containers: [shell("app", "sleep 300")] },
        { annotations: { [FAIL_IN]: "pre-stop" } },
      );
      const handle = asHandle(await get().runner.start(input));
      await get().runner.stop(handle, { gracePeriodSeconds: 0 });
      expect(callsOf("hook-prestop")).toContain("post-stop:strict");
      expect(get().runner.status(handle.podUid).found).toBe(false);
      expect(await get().leftovers(handle.podUid)).toBe(0);
    });

    it("refuses the pod when pre-create fails, creating nothing", async () => {
      const input = podInput(
        "hook-precreate",
        { containers: [shell("app", "true")] },
        { annotations: { [FAIL_IN]: "pre-create" } },
      );
      await expect(get().runner.start(input)).rejects.toMatchObject({ code: "ILD_RUNNER_HOOK_FAILED" });
      expect(await get().leftovers(input.pod.metadata?.uid ?? "")).toBe(0);
    });
  });
}
