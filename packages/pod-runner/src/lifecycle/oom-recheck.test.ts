import type { ContainerInspect, DockerClient } from "@ild/dind-pool";
import { describe, expect, it } from "vitest";
import { mayBeLateOom, recheckOom } from "./oom-recheck.js";

const exited = (oomKilled: boolean, exitCode = 137) =>
  ({ state: { running: false, exitCode, oomKilled } }) as unknown as ContainerInspect;

describe("late OOMKilled", () => {
  it("looks again only at a 137 without the flag, for a container with a memory limit", () => {
    expect(mayBeLateOom(exited(false), 64 * 1024 ** 2)).toBe(true);
    expect(mayBeLateOom(exited(true), 64 * 1024 ** 2)).toBe(false);
    expect(mayBeLateOom(exited(false, 1), 64 * 1024 ** 2)).toBe(false);
    expect(mayBeLateOom(exited(false), undefined)).toBe(false);
  });

  it("records the later inspect when the engine set OOMKilled meanwhile, else the first", async () => {
    let calls = 0;
    const docker = {
      inspectContainer: async () => {
        calls += 1;
        return exited(true);
      },
    } as unknown as DockerClient;
    expect((await recheckOom(docker, "c1", exited(false), 1)).state.oomKilled).toBe(true);
    expect(calls).toBe(1);
    const gone = {
      inspectContainer: async () => Promise.reject(new Error("gone")),
    } as unknown as DockerClient;
    const first = exited(false);
    expect(await recheckOom(gone, "c1", first, 1)).toBe(first);
  });
});
