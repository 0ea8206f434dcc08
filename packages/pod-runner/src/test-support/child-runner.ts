/**
 * Child process of the kill -9 test: starts one pod with a runner and waits to be SIGKILLed.
 * argv: <dataRoot> <runRoot> <runnerId> <pod.json> [hold]. Prints "started <podUid>" once the pod runs;
 * with `hold`, a pre-run hook never returns and "holding" is printed instead (a crash mid-start).
 */
import { readFile } from "node:fs/promises";
import { createDockerClient } from "@ild/dind-pool";
import type { RetrievedPodData } from "@ild/interlink-api";
import { createRunner } from "../create-runner.js";

const [dataRoot, runRoot, runnerId, podFile, mode] = process.argv.slice(2);
if (!dataRoot || !runRoot || !runnerId || !podFile) {
  process.stderr.write("usage: child-runner <dataRoot> <runRoot> <runnerId> <pod.json>\n");
  process.exit(2);
}
const runner = createRunner({
  docker: createDockerClient({ env: {} }),
  dataRoot,
  runRoot,
  runnerId,
  engine: "host",
  labels: { "io.ild.test": "pod-runner" },
  hooks:
    mode === "hold"
      ? [
          {
            name: "hold",
            priority: 0,
            phases: {
              "pre-run": () => {
                process.stdout.write("holding\n");
                return new Promise(() => {});
              },
            },
          },
        ]
      : [],
});
const input = JSON.parse(await readFile(podFile, "utf8")) as RetrievedPodData;
const handle = await runner.start(input);
if ("dryRun" in handle) {
  process.exit(2);
}
const poll = setInterval(() => {
  const status = runner.status(handle.podUid);
  if (status.status.containers.every((container) => container.state?.running)) {
    clearInterval(poll);
    process.stdout.write(`started ${handle.podUid}\n`);
  }
}, 50);
setInterval(() => {}, 1000);
