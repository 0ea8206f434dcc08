import { randomUUID } from "node:crypto";
import { text } from "node:stream/consumers";
import { createDockerClient } from "@ild/dind-pool";
import { createRunner, type Hook } from "@ild/pod-runner";

/** A custom hook: refuses pods without an `owner` label, and notes every stop. */
export const requireOwnerHook: Hook = {
  name: "require-owner",
  priority: 5, // lower runs first; the built-ins use 10-30 and 900
  phases: {
    "pre-create": ({ plan }) => {
      if (!plan.labels.owner) {
        throw new Error("pods need an owner label");
      }
    },
    "post-stop": ({ podUid, logger }) => logger.info({ podUid }, "pod stopped"),
  },
};

export async function runHelloPod(dataRoot: string, runRoot: string): Promise<string> {
  const runner = createRunner({
    docker: createDockerClient(),
    dataRoot,
    runRoot,
    engine: "host",
    hooks: [requireOwnerHook],
  });
  const handle = await runner.start({
    pod: {
      metadata: { name: "hello", namespace: "default", uid: randomUUID(), labels: { owner: "me" } },
      spec: {
        restartPolicy: "Never",
        containers: [{ name: "main", image: "ild/busybox:1", command: ["echo", "hello"] }],
      },
    },
    container: [{ name: "main" }],
  });
  if ("dryRun" in handle) {
    throw new Error("not a dry run");
  }
  const status = await runner.waitForCompletion(handle, { timeoutMs: 60_000 });
  const logs = await text(await runner.logs(handle.podUid, "main"));
  await runner.stop(handle); // removes containers, sandbox and files
  await runner.close();
  return `${status.phase}: ${logs}`; // "Succeeded: hello\n"
}
