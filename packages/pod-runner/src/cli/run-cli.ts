import { randomBytes } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDindPool, createDockerClient, type DindPool, removeTree } from "@ild/dind-pool";
import { load } from "js-yaml";
import type { ConfigMap, Pod, Secret } from "kubernetes-types/core/v1.js";
import { createRunner } from "../create-runner.js";
import { ensureTmpfs } from "../files/ensure-tmpfs.js";
import { poolPodPaths } from "../files/pod-mounts.js";
import type { DryRunResult, EngineKind, PodHandle, Runner, StatusResult } from "../runner-types.js";
import { loadObjects, type RunContext, toRetrievedPodData } from "./load-inputs.js";
import { parseDuration } from "./parse-duration.js";

export const USAGE =
  "usage: ild-run pod.yaml [--config-maps f.yaml] [--secrets f.yaml] [--timeout 10m] [--dry-run] [--engine dind|host]\n" +
  "       (or RUNNER_ARGS_PATH=pod.yaml [RUNNER_CONTEXT_PATH=context.yaml] ild-run)\n";

/** Exit code when --timeout expires (as `timeout(1)`). */
export const TIMEOUT_EXIT_CODE = 124;

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborts the run (SIGINT/SIGTERM): the pod is stopped, exit 130. */
  signal?: AbortSignal;
}

interface CliArgs {
  podFile: string;
  configMaps?: string;
  secrets?: string;
  context: RunContext;
  engine: EngineKind;
}

async function parseCli(argv: string[], env: NodeJS.ProcessEnv): Promise<CliArgs> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "config-maps": { type: "string" },
      secrets: { type: "string" },
      timeout: { type: "string" },
      "dry-run": { type: "boolean" },
      engine: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    throw new UsageError("");
  }
  const context: RunContext = {};
  if (env.RUNNER_CONTEXT_PATH) {
    const loaded = load(await readFile(env.RUNNER_CONTEXT_PATH, "utf8")) as RunContext | null;
    Object.assign(context, loaded ?? {});
  }
  if (values.timeout !== undefined) {
    context.timeout = values.timeout;
  }
  if (values["dry-run"]) {
    context.dryRun = true;
  }
  const podFile = positionals[0] ?? env.RUNNER_ARGS_PATH;
  if (podFile === undefined || positionals.length > 1) {
    throw new UsageError("one pod file is required");
  }
  const engine = values.engine ?? "host";
  if (engine !== "host" && engine !== "dind") {
    throw new UsageError(`--engine must be host or dind, got ${JSON.stringify(engine)}`);
  }
  return {
    podFile,
    context,
    engine,
    ...(values["config-maps"] ? { configMaps: values["config-maps"] } : {}),
    ...(values.secrets ? { secrets: values.secrets } : {}),
  };
}

class UsageError extends Error {}

function timeoutMs(context: RunContext): number | undefined {
  if (context.timeout === undefined || context.timeout === "") {
    return undefined;
  }
  const parsed =
    typeof context.timeout === "number" ? context.timeout * 1000 : parseDuration(context.timeout);
  if (parsed === undefined || parsed <= 0) {
    throw new UsageError(`invalid timeout ${JSON.stringify(context.timeout)}`);
  }
  return parsed;
}

/** 0 when the pod succeeded, else the exit code of the first failed container (init containers first). */
export function exitCodeOf(status: StatusResult): number {
  if (status.phase === "Succeeded") {
    return 0;
  }
  for (const container of [...(status.status.initContainers ?? []), ...status.status.containers]) {
    const code = container.state?.terminated?.exitCode;
    if (code !== undefined && code !== 0) {
      return code;
    }
  }
  return 1;
}

function dryRunSummary(result: DryRunResult): string {
  const { plan } = result;
  const summary = {
    pod: `${plan.namespace}/${plan.name}`,
    engine: result.engine,
    restartPolicy: plan.restartPolicy,
    initContainers: plan.initContainers.map((item) => ({
      name: item.name,
      kind: item.kind,
      image: item.image,
    })),
    containers: plan.containers.map((item) => ({ name: item.name, image: item.image })),
    volumes: plan.volumes.map((item) => ({ name: item.name, kind: item.kind })),
    files: plan.files.map((file) => ({ path: file.path, mode: file.mode.toString(8), secret: file.secret })),
    hooks: result.hooks,
    warnings: result.warnings,
  };
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/** Streams each container instance's logs once, every line prefixed with the container name. */
function streamLogs(runner: Runner, podUid: string, io: CliIo, signal: AbortSignal): () => Promise<void> {
  const seen = new Set<string>();
  const streams: Array<Promise<void>> = [];
  const follow = async (name: string): Promise<void> => {
    try {
      const stream = await runner.logs(podUid, name, { follow: true, signal });
      let pending = "";
      for await (const chunk of stream) {
        pending += String(chunk);
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          io.stdout(`[${name}] ${line}\n`);
        }
      }
      if (pending !== "") {
        io.stdout(`[${name}] ${pending}\n`);
      }
    } catch {
      // the container went away before its logs were read
    }
  };
  const scan = (): void => {
    const status = runner.status(podUid).status;
    for (const container of [...(status.initContainers ?? []), ...status.containers]) {
      const id = container.containerID;
      if (id !== undefined && !seen.has(id)) {
        seen.add(id);
        streams.push(follow(container.name));
      }
    }
  };
  const timer = setInterval(scan, 100);
  return async () => {
    scan();
    clearInterval(timer);
    await Promise.race([Promise.all(streams), new Promise((resolve) => setTimeout(resolve, 2000))]);
  };
}

/** ild-run: runs one pod to completion; resolves with the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let args: CliArgs;
  let limit: number | undefined;
  try {
    args = await parseCli(argv, io.env);
    limit = timeoutMs(args.context);
  } catch (error) {
    if (error instanceof UsageError && error.message === "") {
      io.stdout(USAGE);
      return 0;
    }
    io.stderr(`ild-run: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const pod = (await loadObjects(args.podFile)).find((object) => object.kind === "Pod" || object.spec) as
    | Pod
    | undefined;
  if (pod === undefined) {
    io.stderr(`ild-run: no Pod in ${args.podFile}\n`);
    return 2;
  }
  const configMaps = (args.configMaps ? await loadObjects(args.configMaps) : []) as ConfigMap[];
  const secrets = (args.secrets ? await loadObjects(args.secrets) : []) as Secret[];
  const input = toRetrievedPodData(pod, configMaps, secrets, args.context);

  const root = await mkdtemp(path.join(tmpdir(), "ild-run-"));
  const dataRoot = path.join(root, "data");
  const runRoot = path.join(root, "run");
  const docker = createDockerClient({});
  let pool: DindPool | undefined;
  let runner: Runner | undefined;
  let handle: PodHandle | undefined;
  const stopLogs = new AbortController();
  try {
    if (args.engine === "dind" && !args.context.dryRun) {
      await ensureTmpfs(runRoot, {
        debug() {},
        info() {},
        warn() {},
        error() {},
        child: () => ({}) as never,
      });
      pool = createDindPool({
        docker,
        poolId: `ild-run-${randomBytes(3).toString("hex")}`,
        size: 1,
        image: io.env.ILD_DIND_IMAGE ?? "ild/dind:1",
        socketRoot: path.join(root, "s"),
        podPaths: poolPodPaths(dataRoot, runRoot),
      });
    }
    runner = createRunner({
      docker,
      ...(pool ? { pool } : {}),
      dataRoot,
      runRoot,
      engine: args.engine,
      runnerId: `ild-run-${randomBytes(4).toString("hex")}`,
    });
    const started = await runner.start(input, { dryRun: args.context.dryRun === true, engine: args.engine });
    if ("dryRun" in started) {
      io.stdout(dryRunSummary(started));
      return 0;
    }
    handle = started;
    const finishLogs = streamLogs(runner, handle.podUid, io, stopLogs.signal);
    let status: StatusResult;
    try {
      status = await runner.waitForCompletion(handle, {
        ...(limit !== undefined ? { timeoutMs: limit } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
      });
    } catch (error) {
      stopLogs.abort();
      await finishLogs();
      if (io.signal?.aborted) {
        io.stderr("ild-run: interrupted, pod stopped\n");
        return 130;
      }
      io.stderr(`ild-run: ${error instanceof Error ? error.message : String(error)}\n`);
      return TIMEOUT_EXIT_CODE;
    }
    await finishLogs();
    const code = exitCodeOf(status);
    io.stderr(
      `ild-run: pod ${status.phase}${status.reason ? ` (${status.reason})` : ""}, exit code ${code}\n`,
    );
    return code;
  } catch (error) {
    io.stderr(`ild-run: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    stopLogs.abort();
    if (runner !== undefined) {
      if (handle !== undefined) {
        await runner.stop(handle, { gracePeriodSeconds: 2 }).catch(() => {});
      }
      await runner.close();
    }
    await pool?.close();
    await docker.close();
    await removeTree(root);
  }
}
