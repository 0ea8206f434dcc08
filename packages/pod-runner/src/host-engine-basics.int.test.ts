import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PYTHON, podInput, shell } from "./test-support/pods.js";
import {
  asHandle,
  containerState,
  createTestRunner,
  readAll,
  type TestRunner,
  waitForStatus,
} from "./test-support/runner-fixture.js";

let fixture: TestRunner;

beforeAll(async () => {
  fixture = await createTestRunner("host-basics");
});

afterAll(async () => {
  await fixture.cleanup();
});

describe("host engine", () => {
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
    const handle = asHandle(await fixture.runner.start(input));
    expect(handle.engine).toBe("host");
    const status = await waitForStatus(
      fixture.runner,
      handle.podUid,
      (current) => containerState(current, "client")?.state?.terminated !== undefined,
    );
    expect(containerState(status, "client")?.state?.terminated?.exitCode).toBe(0);
    expect(containerState(status, "server")?.state?.running).toBeDefined();
    expect(status.status.JID).toBe(handle.jobId);
    const logs = await readAll(await fixture.runner.logs(handle.podUid, "client"));
    expect(logs).toBe("reached\n");
    await fixture.runner.stop(handle, { gracePeriodSeconds: 1 });
    expect(fixture.runner.status(handle.podUid).found).toBe(false);
    const left = await fixture.docker.listContainers({
      all: true,
      label: [`io.ild.pod-uid=${handle.podUid}`],
    });
    expect(left).toEqual([]);
  });

  it("reports a failing command with its real exit code and fails the pod", async () => {
    const input = podInput("fails", {
      restartPolicy: "Never",
      containers: [shell("main", "echo bye >&2; exit 7")],
    });
    const handle = asHandle(await fixture.runner.start(input));
    const final = await fixture.runner.waitForCompletion(handle, { timeoutMs: 30_000 });
    expect(final.phase).toBe("Failed");
    expect(containerState(final, "main")?.state?.terminated).toMatchObject({ exitCode: 7, reason: "Error" });
    await fixture.runner.stop(handle);
  });

  it("answers an unknown pod with found:false and a waiting entry, never a throw", () => {
    const status = fixture.runner.status("00000000-0000-0000-0000-000000000000", {
      name: "ghost",
      namespace: "default",
      containers: ["main"],
    });
    expect(status.found).toBe(false);
    expect(status.status.containers[0]?.state?.waiting?.message).toBe("pod not known to this plugin");
  });
});
