import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDockerClient } from "@ild/dind-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliIo, runCli, TIMEOUT_EXIT_CODE } from "./run-cli.js";

let dir: string;
const docker = createDockerClient({});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ild-run-test-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await docker.close();
});

function capture(env: NodeJS.ProcessEnv = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { env, out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
}

async function podFile(
  name: string,
  uid: string,
  script: string,
  extra: { pod?: string; container?: string } = {},
): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  uid: ${uid}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 0
${extra.pod ?? ""}  containers:
    - name: main
      image: ild/busybox:1
      command: ["sh", "-c", ${JSON.stringify(script)}]
${extra.container ?? ""}`,
  );
  return file;
}

async function leftovers(uid: string): Promise<number> {
  return (await docker.listContainers({ all: true, label: [`io.ild.pod-uid=${uid}`] })).length;
}

describe("ild-run", () => {
  it("runs a succeeding pod with ConfigMaps and Secrets from files, streams prefixed logs, exits 0", async () => {
    const uid = randomUUID();
    const file = await podFile("ok", uid, 'cat /cfg/greeting; echo " $PASSWORD"', {
      pod: "  volumes:\n    - name: cfg\n      configMap: { name: settings }\n",
      container:
        "      volumeMounts: [{ name: cfg, mountPath: /cfg }]\n" +
        "      env: [{ name: PASSWORD, valueFrom: { secretKeyRef: { name: creds, key: password } } }]\n",
    });
    const configMaps = path.join(dir, "cm.yaml");
    await writeFile(
      configMaps,
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { greeting: hello }\n",
    );
    const secrets = path.join(dir, "secrets.yaml");
    await writeFile(
      secrets,
      "apiVersion: v1\nkind: Secret\nmetadata: { name: creds }\nstringData: { password: pw }\n",
    );
    const io = capture();
    const code = await runCli([file, "--config-maps", configMaps, "--secrets", secrets], io);
    expect(io.err.join("")).toContain("Succeeded");
    expect(code).toBe(0);
    expect(io.out.join("")).toBe("[main] hello pw\n");
    expect(await leftovers(uid)).toBe(0);
  });

  it("exits with the failing container's exit code", async () => {
    const uid = randomUUID();
    const io = capture();
    const code = await runCli([await podFile("fail", uid, "echo failing; exit 42")], io);
    expect(code).toBe(42);
    expect(io.out.join("")).toBe("[main] failing\n");
    expect(await leftovers(uid)).toBe(0);
  });

  it("runs on the dind engine with --engine dind", async () => {
    const uid = randomUUID();
    const io = capture();
    const code = await runCli([await podFile("in-dind", uid, "echo inside; exit 3"), "--engine", "dind"], io);
    expect(io.out.join("")).toBe("[main] inside\n");
    expect(code).toBe(3);
    expect(await leftovers(uid)).toBe(0);
  });

  it("--dry-run prints the plan summary and the hooks, creating nothing", async () => {
    const uid = randomUUID();
    const io = capture();
    const code = await runCli([await podFile("dry", uid, "exit 1"), "--dry-run"], io);
    expect(code).toBe(0);
    const summary = JSON.parse(io.out.join(""));
    expect(summary.pod).toBe("default/dry");
    expect(summary.hooks.map((hook: { name: string }) => hook.name)).toContain("remove-containers");
    expect(await leftovers(uid)).toBe(0);
  });

  it("--timeout stops the pod and exits 124", async () => {
    const uid = randomUUID();
    const io = capture();
    const code = await runCli(
      [await podFile("slow", uid, "echo started; sleep 3600"), "--timeout", "2s"],
      io,
    );
    expect(code).toBe(TIMEOUT_EXIT_CODE);
    expect(io.err.join("")).toMatch(/did not complete within 2000 ms/);
    expect(await leftovers(uid)).toBe(0);
  });

  it("reads the pod from RUNNER_ARGS_PATH and name/namespace/dryRun from RUNNER_CONTEXT_PATH", async () => {
    const uid = randomUUID();
    const context = path.join(dir, "context.yaml");
    await writeFile(context, "name: from-context\nnamespace: tools\ndryRun: true\ntimeout: 1m\n");
    const io = capture({
      RUNNER_ARGS_PATH: await podFile("args", uid, "true"),
      RUNNER_CONTEXT_PATH: context,
    });
    expect(await runCli([], io)).toBe(0);
    expect(JSON.parse(io.out.join("")).pod).toBe("tools/from-context");
  });

  it("prints the usage on --help and exits 0", async () => {
    const io = capture();
    expect(await runCli(["--help"], io)).toBe(0);
    expect(io.out.join("")).toMatch(/^usage: ild-run pod\.yaml/);
  });

  it("rejects a bad engine with the usage text", async () => {
    const io = capture();
    expect(await runCli(["pod.yaml", "--engine", "vm"], io)).toBe(2);
    expect(io.err.join("")).toMatch(/usage: ild-run/);
  });
});
