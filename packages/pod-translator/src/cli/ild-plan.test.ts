import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { load } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("../../", import.meta.url));
const cli = fileURLToPath(new URL("./ild-plan.ts", import.meta.url));
const fixtures = fileURLToPath(new URL("../../test/fixtures/pods/", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "ild-plan-test-"));

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI from source as a separate process: argv only, no shell. */
async function ildPlan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--conditions=@ild/source", "--import", "tsx", cli, ...args],
      {
        cwd: packageDir,
        env: { ...process.env, NODE_OPTIONS: "" },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function write(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

// Each case starts Node processes (about a second each on these machines).
describe("ild-plan CLI", { timeout: 60_000 }, () => {
  it("prints the plan, the Docker bodies and the warnings of a pod with its ConfigMaps and Secrets", async () => {
    const pod = write(
      "pod.yaml",
      `apiVersion: v1
kind: Pod
metadata:
  name: cli-demo
spec:
  restartPolicy: Never
  containers:
    - name: main
      image: ild/busybox:1
      command: ["echo", "$(GREETING)"]
      stdinOnce: true
      env:
        - name: GREETING
          valueFrom: { configMapKeyRef: { name: cfg, key: greeting } }
        - name: TOKEN
          valueFrom: { secretKeyRef: { name: creds, key: token } }
      volumeMounts:
        - { name: creds, mountPath: /creds }
  volumes:
    - name: creds
      secret: { secretName: creds, defaultMode: 0640 }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg }
data: { greeting: "hello 'world'" }
`,
    );
    const secrets = write(
      "secrets.yaml",
      `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata: { name: creds }
    stringData: { token: "t0p-s3cr3t" }
`,
    );
    const result = await ildPlan(pod, "--secrets", secrets);
    expect(result.code).toBe(0);
    const output = load(result.stdout) as {
      notes: string[];
      warnings: Array<{ path: string }>;
      plan: { files: Array<{ path: string; mode: string; content: string }> };
      docker: Array<{ name: string; body: { Entrypoint: string[]; Cmd: string[]; Env: string[] } }>;
    };
    expect(output.notes).toEqual(["metadata.uid missing: using 00000000-0000-4000-8000-000000000000"]);
    expect(output.warnings.map((warning) => warning.path)).toEqual(["spec.containers[0].stdinOnce"]);
    expect(output.plan.files).toEqual([
      expect.objectContaining({
        path: "volumes/creds/token",
        mode: "0640",
        content: "<redacted> (10 bytes)",
      }),
    ]);
    expect(output.docker[0]?.name).toBe("default-cli-demo-00000000-main");
    expect(output.docker[0]?.body.Entrypoint).toEqual(["echo", "hello 'world'"]);
    expect(output.docker[0]?.body.Cmd).toEqual([]);
    expect(output.docker[0]?.body.Env).toEqual([
      "GREETING=hello 'world'",
      "TOKEN=<redacted>",
      "NVIDIA_VISIBLE_DEVICES=void",
    ]);
    expect(result.stdout).not.toContain("t0p-s3cr3t");
    expect(result.stderr).toContain("warning: spec.containers[0].stdinOnce");

    const shown = await ildPlan(pod, "--secrets", secrets, "--show-secrets", "--format", "json");
    expect(shown.code).toBe(0);
    const json = JSON.parse(shown.stdout) as { docker: Array<{ body: { Env: string[] } }> };
    expect(json.docker[0]?.body.Env).toContain("TOKEN=t0p-s3cr3t");
  });

  it("reads interLink /create bodies and takes the policy from flags", async () => {
    const denied = await ildPlan(join(fixtures, "130-security-gpu.yaml"), "--format", "json");
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      "spec.containers[2].securityContext.privileged: true is not allowed by policy (Ild.policy.privileged: deny",
    );
    const allowed = await ildPlan(
      join(fixtures, "130-security-gpu.yaml"),
      "--privileged",
      "allow",
      "--format",
      "json",
    );
    expect(allowed.code).toBe(0);
    const output = JSON.parse(allowed.stdout) as {
      docker: Array<{ body: { HostConfig: { DeviceRequests?: unknown[] } } }>;
    };
    expect(output.docker[0]?.body.HostConfig.DeviceRequests).toHaveLength(1);
  });

  it("takes the policy level from --level (baseline by default)", async () => {
    const pod = write(
      "host-port.yaml",
      `kind: Pod
metadata: { name: ports, uid: u-3 }
spec:
  containers:
    - { name: main, image: ild/busybox:1, ports: [{ containerPort: 80, hostPort: 8080 }] }
`,
    );
    const [refused, allowed, unknown] = await Promise.all([
      ildPlan(pod),
      ildPlan(pod, "--level", "privileged"),
      ildPlan(pod, "--level", "lax"),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "spec.containers[0].ports[0].hostPort: 8080 is not allowed by the baseline policy (Ild.policy.level)",
    );
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toContain("warning: spec.containers[0].ports[0].hostPort");
    expect(unknown.code).toBe(2);
  });

  it("exits 1 with every error on a bad pod", async () => {
    const pod = write(
      "bad.yaml",
      `kind: Pod
metadata: { name: bad, uid: u-1 }
spec:
  containers:
    - name: main
      image: ild/busybox:1
      env: [{ name: DB, valueFrom: { secretKeyRef: { name: db, key: password } } }]
  volumes:
    - { name: data, persistentVolumeClaim: { claimName: data } }
`,
    );
    const result = await ildPlan(pod);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("2 error(s)");
    expect(result.stderr).toContain(
      'spec.containers[0].env[0].valueFrom.secretKeyRef: secret "db" was not sent',
    );
    expect(result.stderr).toContain('spec.volumes[0].persistentVolumeClaim: volume "data"');
  });

  it("exits 2 on usage errors", async () => {
    const [none, format, missing, unknown, help] = await Promise.all([
      ildPlan(),
      ildPlan("a.yaml", "--format", "xml"),
      ildPlan(join(work, "missing.yaml")),
      ildPlan("a.yaml", "--bogus"),
      ildPlan("--help"),
    ]);
    expect([none.code, format.code, missing.code, unknown.code, help.code]).toEqual([2, 2, 2, 2, 0]);
    expect(none.stderr).toContain("exactly one POD_FILE is required");
    expect(format.stderr).toContain("--format must be yaml or json");
    expect(missing.stderr).toContain("cannot read");
    expect(unknown.stderr).toContain("--bogus");
    expect(help.stdout).toContain("usage: ild-plan POD_FILE");
  });
});
