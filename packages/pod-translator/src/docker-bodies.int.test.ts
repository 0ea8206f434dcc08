/**
 * Real-engine test: the bodies this package renders are accepted by Docker (API 1.41) and the containers see
 * exactly what Kubernetes would give them (argv, env bytes, files and modes, shared volumes, localhost).
 * A tiny "engine" here materialises the plan the way @ild/pod-runner must.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RetrievedContainer } from "@ild/interlink-api";
import { load, YAML11_SCHEMA } from "js-yaml";
import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { afterAll, describe, expect, it } from "vitest";
import type { PodPlan } from "./plan-types.js";
import { toDockerCreateBodies, toDockerSandboxSettings } from "./to-docker-create-bodies.js";
import { type TranslatePodOptions, translatePod } from "./translate-pod.js";

const SOCKET = "/var/run/docker.sock";
const RUN = randomUUID().slice(0, 8);
const LABELS = { "io.ild.test": "pod-translator", "io.ild.test-run": RUN };
const workDir = mkdtempSync(join(tmpdir(), "ild-pod-translator-int-"));
const createdContainers: string[] = [];
const createdVolumes: string[] = [];

function docker(method: string, path: string, body?: unknown): Promise<{ status: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath: SOCKET,
        method,
        path: `/v1.41${path}`,
        headers: payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, data: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function dockerJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const { status, data } = await docker(method, path, body);
  if (status >= 300) {
    throw new Error(`${method} ${path} → ${status}: ${data.toString()}`);
  }
  return (data.length === 0 ? {} : JSON.parse(data.toString())) as T;
}

/** Demultiplexes a non-TTY log stream (8-byte frame headers). */
function demux(data: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= data.length) {
    const size = data.readUInt32BE(offset + 4);
    const frame = data.subarray(offset + 8, offset + 8 + size);
    (data[offset] === 2 ? err : out).push(frame);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/** Writes the plan's directories and files the way an engine must (explicit modes and owners). */
function materialize(plan: PodPlan, dataDir: string, secretDir: string): void {
  for (const directory of plan.directories ?? []) {
    const path = join(directory.secret ? secretDir : dataDir, directory.path);
    mkdirSync(path, { recursive: true });
    chmodSync(path, directory.mode);
    if (directory.uid !== undefined || directory.gid !== undefined) {
      chownSync(path, directory.uid ?? 0, directory.gid ?? 0);
    }
  }
  for (const file of plan.files) {
    const path = join(file.secret ? secretDir : dataDir, file.path);
    writeFileSync(path, file.content, { flag: "wx" });
    chmodSync(path, file.mode);
    if (file.uid !== undefined || file.gid !== undefined) {
      chownSync(path, file.uid ?? 0, file.gid ?? 0);
    }
  }
}

interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a pod: sandbox (holds the network namespace and pod identity), memory volumes, then each container to
 * completion in order (init first). `background` containers are started and left running.
 */
async function runPod(
  pod: Pod,
  sent: RetrievedContainer[] = [],
  options?: TranslatePodOptions,
  background: string[] = [],
): Promise<{ plan: PodPlan; results: Record<string, RunResult> }> {
  const input: Parameters<typeof translatePod>[0] = { pod, containers: sent };
  if (options) {
    input.options = options;
  }
  const { plan } = translatePod(input);
  const podDir = join(workDir, `${plan.namespace}-${plan.uid}`);
  const dataDir = join(podDir, "data");
  const secretDir = join(podDir, "secrets");
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(secretDir, { recursive: true, mode: 0o700 });
  materialize(plan, dataDir, secretDir);

  const memoryVolumeNames: Record<string, string> = {};
  for (const volume of plan.volumes.filter((candidate) => candidate.medium === "memory")) {
    const name = `ild-pt-${RUN}-${plan.name}-${volume.name}`;
    await dockerJson("POST", "/volumes/create", {
      Name: name,
      Driver: "local",
      DriverOpts: { type: "tmpfs", device: "tmpfs", o: `size=${volume.sizeLimitBytes ?? 16 * 1024 * 1024}` },
      Labels: LABELS,
    });
    createdVolumes.push(name);
    memoryVolumeNames[volume.name] = name;
  }

  const sandboxSettings = toDockerSandboxSettings(plan, { memoryVolumeNames });
  const sandbox = await dockerJson<{ Id: string }>(
    "POST",
    `/containers/create?name=ild-pt-${RUN}-${plan.name}-sandbox`,
    {
      Image: "ild/busybox:1",
      Cmd: ["sleep", "300"],
      Labels: LABELS,
      Hostname: sandboxSettings.Hostname,
      HostConfig: { ...sandboxSettings.HostConfig, NetworkMode: "bridge" },
    },
  );
  createdContainers.push(sandbox.Id);
  await dockerJson("POST", `/containers/${sandbox.Id}/start`);

  const bodies = toDockerCreateBodies(plan, {
    podDataDir: dataDir,
    podSecretDir: secretDir,
    networkMode: `container:${sandbox.Id}`,
    memoryVolumeNames,
    labels: LABELS,
    namePrefix: `ild-pt-${RUN}-`,
  });
  const results: Record<string, RunResult> = {};
  for (const { container, name, body } of bodies) {
    const created = await dockerJson<{ Id: string }>(
      "POST",
      `/containers/create?name=${encodeURIComponent(name)}`,
      body,
    );
    createdContainers.push(created.Id);
    const started = await docker("POST", `/containers/${created.Id}/start`);
    if (started.status >= 300) {
      // e.g. the binary does not exist: the engine refuses to start it and records the exit code.
      const state = await dockerJson<{ State: { ExitCode: number; Error: string } }>(
        "GET",
        `/containers/${created.Id}/json`,
      );
      results[container.name] = { exitCode: state.State.ExitCode, stdout: "", stderr: state.State.Error };
      continue;
    }
    if (background.includes(container.name)) {
      continue;
    }
    const waited = await dockerJson<{ StatusCode: number }>("POST", `/containers/${created.Id}/wait`);
    const logs = await docker("GET", `/containers/${created.Id}/logs?stdout=1&stderr=1`);
    results[container.name] = { exitCode: waited.StatusCode, ...demux(logs.data) };
  }
  return { plan, results };
}

function fixture(name: string): {
  pod: Pod;
  container?: RetrievedContainer[];
  options?: TranslatePodOptions;
} {
  return load(readFileSync(new URL(`../test/fixtures/pods/${name}`, import.meta.url), "utf8"), {
    schema: YAML11_SCHEMA,
  }) as { pod: Pod; container?: RetrievedContainer[] };
}

function simplePod(name: string, containers: Container[], spec: Partial<Pod["spec"]> = {}): Pod {
  return {
    metadata: { name, namespace: "int", uid: randomUUID() },
    spec: { restartPolicy: "Never", containers, ...spec },
  };
}

afterAll(async () => {
  for (const id of createdContainers.reverse()) {
    await docker("DELETE", `/containers/${id}?force=1&v=1`);
  }
  for (const name of createdVolumes) {
    await docker("DELETE", `/volumes/${name}`);
  }
  rmSync(workDir, { recursive: true, force: true });
});

describe("Docker accepts the bodies and containers see Kubernetes semantics", { timeout: 60_000 }, () => {
  it("hello world: command + args with $(VAR) from a fieldRef", async () => {
    const { results } = await runPod(fixture("000-hello-world.yaml").pod);
    expect(results.hello).toEqual({ exitCode: 0, stdout: "hello world from hello-world\n", stderr: "" });
  });

  it("argv boundaries survive exactly (no shell)", async () => {
    const args = [
      "a b",
      "c;d",
      "$HOME",
      "`id`",
      "'single'",
      '"double"',
      "line1\nline2",
      "",
      "*",
      "é✓",
      "$(X)",
      "$$(X)",
    ];
    const { results } = await runPod(
      simplePod("argv", [
        {
          name: "py",
          image: "ild/python:3-slim-offline",
          command: ["python3", "-c", "import json,sys; print(json.dumps(sys.argv[1:]))"],
          args,
          env: [{ name: "X", value: "ex" }],
        },
      ]),
    );
    expect(results.py?.exitCode).toBe(0);
    expect(JSON.parse(results.py?.stdout ?? "")).toEqual([...args.slice(0, 10), "ex", "$(X)"]);
  });

  it("env values arrive byte for byte", async () => {
    const quotes = fixture("100-env-quotes.yaml").pod.spec?.containers[0]?.env ?? [];
    const { plan, results } = await runPod(
      simplePod("env", [
        {
          name: "py",
          image: "ild/python:3-slim-offline",
          command: ["python3", "-c", "import json,os; print(json.dumps(dict(os.environ)))"],
          env: quotes,
        },
      ]),
    );
    expect(results.py?.exitCode).toBe(0);
    const seen = JSON.parse(results.py?.stdout ?? "{}") as Record<string, string>;
    for (const variable of plan.containers[0]?.env ?? []) {
      expect(seen[variable.name]).toBe(variable.value);
    }
    expect(seen.NEWLINES).toBe("Line 1\nLine 2 with 'quotes'\nLine 3");
    // Kubernetes expands env values too: `$$` is an escaped `$`, other `$` stay.
    expect(seen.DOLLARS).toBe("price $5 and $HOME and $ and $(");
  });

  it("command without args clears the image CMD; no command keeps the image ENTRYPOINT/CMD", async () => {
    const { results } = await runPod(
      simplePod("cmd", [
        { name: "version", image: "ild/python:3-slim-offline", command: ["python3", "--version"] },
        { name: "args-only", image: "ild/busybox:1", args: ["echo", "args", "only"] },
      ]),
    );
    expect(results.version?.exitCode).toBe(0);
    expect(`${results.version?.stdout}${results.version?.stderr}`).toMatch(/^Python 3\.\d+/);
    expect(results["args-only"]).toEqual({ exitCode: 0, stdout: "args only\n", stderr: "" });
  });

  it("configMap and secret volumes: content, modes, owners; user and groups applied", async () => {
    const config = fixture("030-config-volumes.yaml");
    const pod = config.pod;
    const [first, second] = pod.spec?.containers ?? [];
    if (!first || !second) {
      throw new Error("fixture changed");
    }
    first.command = [
      "python3",
      "-c",
      "import os; exec(open('/config-map/script.py').read()); s=os.stat('/config-map/nested/data.bin'); print(oct(s.st_mode & 0o7777), s.st_uid, s.st_gid, open('/etc/app/app.conf').read().strip(), os.getuid(), sorted(os.getgroups()))",
    ];
    second.command = [
      "python3",
      "-c",
      "import os; exec(open('/secrets/script.py').read()); s=os.stat('/all/password'); print(oct(s.st_mode & 0o7777), open('/all/password').read())",
    ];
    const { results } = await runPod(pod, config.container);
    expect(results.config).toEqual({
      exitCode: 0,
      // No runAsGroup and no passwd entry for uid 1000: primary group 0, as under Kubernetes.
      stdout: "hello configurable world\n0o440 1000 2000 threads=4 1000 [0, 2000]\n",
      stderr: "",
    });
    expect(results.secret).toEqual({ exitCode: 0, stdout: "hello secret world\n0o644 s3cr3t\n", stderr: "" });
  });

  it("shared disk and memory emptyDirs, init container first, localhost shared by the pod", async () => {
    const pod = simplePod(
      "shared",
      [
        {
          name: "server",
          image: "ild/python:3-slim-offline",
          command: ["python3", "-m", "http.server", "8080", "--bind", "127.0.0.1", "--directory", "/data"],
          volumeMounts: [{ name: "work", mountPath: "/data" }],
        },
        {
          name: "client",
          image: "ild/busybox:1",
          command: [
            "sh",
            "-c",
            "for i in $(seq 1 100); do wget -qO- http://127.0.0.1:8080/ready && cat /cache/memo && exit 0; sleep 0.1; done; exit 1",
          ],
          volumeMounts: [{ name: "cache", mountPath: "/cache" }],
        },
      ],
      {
        initContainers: [
          {
            name: "prepare",
            image: "ild/busybox:1",
            command: ["sh", "-c", "echo ready > /work/ready && echo remembered > /cache/memo"],
            volumeMounts: [
              { name: "work", mountPath: "/work" },
              { name: "cache", mountPath: "/cache" },
            ],
          },
        ],
        volumes: [
          { name: "work", emptyDir: {} },
          { name: "cache", emptyDir: { medium: "Memory", sizeLimit: "8Mi" } },
        ],
      },
    );
    const { results } = await runPod(pod, [], undefined, ["server"]);
    expect(results.prepare?.exitCode).toBe(0);
    expect(results.client).toMatchObject({ exitCode: 0, stdout: "ready\nremembered\n" });
  });

  it("projected volumes from interLink's maps keep newlines", async () => {
    const projected = fixture("120-projected-volumes.yaml");
    const { results } = await runPod(projected.pod, projected.container);
    expect(results.check).toEqual({ exitCode: 0, stdout: "line one\nline two\nline three\n\n", stderr: "" });
  });

  it("read-only root, no-new-privileges, dropped capabilities and the privileged capability set are accepted", async () => {
    const { results } = await runPod(
      simplePod("security", [
        {
          name: "locked",
          image: "ild/busybox:1",
          command: [
            "sh",
            "-c",
            "id -u; touch /x 2>/dev/null && echo writable || echo read-only; grep NoNewPrivs /proc/self/status",
          ],
          securityContext: {
            runAsUser: 1234,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
          },
        },
        {
          name: "privileged",
          image: "ild/busybox:1",
          command: ["sh", "-c", "grep CapEff /proc/self/status"],
          securityContext: { privileged: true },
        },
      ]),
      [],
      { policy: { privileged: "capabilities", hostPathAllowList: [] } },
    );
    expect(results.locked).toEqual({ exitCode: 0, stdout: "1234\nread-only\nNoNewPrivs:\t1\n", stderr: "" });
    expect(results.privileged?.exitCode).toBe(0);
    expect(results.privileged?.stdout).not.toMatch(/CapEff:\s+0+\n/);
  });

  it("resource limits reach the container's cgroup (fractional CPU kept)", async () => {
    const script = [
      "import json, os",
      "def read(p):",
      "    return open(p).read().strip() if os.path.exists(p) else None",
      "v1 = '/sys/fs/cgroup/cpu/cpu.cfs_quota_us'",
      "if os.path.exists(v1):",
      "    print(json.dumps({'cpu': read(v1) + ' ' + read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'),",
      "        'memory': read('/sys/fs/cgroup/memory/memory.limit_in_bytes'), 'shares': read('/sys/fs/cgroup/cpu/cpu.shares')}))",
      "else:",
      "    print(json.dumps({'cpu': read('/sys/fs/cgroup/cpu.max'), 'memory': read('/sys/fs/cgroup/memory.max'), 'shares': None}))",
    ].join("\n");
    const { results } = await runPod(
      simplePod("limits", [
        {
          name: "py",
          image: "ild/python:3-slim-offline",
          command: ["python3", "-c", script],
          resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "250m", memory: "64Mi" } },
        },
      ]),
    );
    expect(results.py?.exitCode).toBe(0);
    const seen = JSON.parse(results.py?.stdout ?? "{}") as {
      cpu: string;
      memory: string;
      shares: string | null;
    };
    expect(seen.cpu).toBe("50000 100000");
    expect(seen.memory).toBe("134217728");
    if (seen.shares !== null) {
      expect(seen.shares).toBe("256");
    }
  });

  it("inside a DIND (network mode host of the inner engine) each container carries the pod's identity", async () => {
    // This engine stands in for a DIND's inner engine: `host` is then the pod's own namespace.
    const { plan } = translatePod({
      pod: simplePod(
        "identity",
        [
          {
            name: "show",
            image: "ild/busybox:1",
            command: ["sh", "-c", "hostname; grep db /etc/hosts; cat /etc/resolv.conf"],
          },
        ],
        {
          hostname: "box",
          hostAliases: [{ ip: "10.0.0.1", hostnames: ["db"] }],
          dnsPolicy: "None",
          dnsConfig: {
            nameservers: ["10.96.0.10"],
            searches: ["svc.local"],
            options: [{ name: "ndots", value: "2" }],
          },
        },
      ),
    });
    const [rendered] = toDockerCreateBodies(plan, {
      podDataDir: join(workDir, "identity"),
      podSecretDir: join(workDir, "identity-secrets"),
      networkMode: "host",
      labels: LABELS,
      namePrefix: `ild-pt-${RUN}-`,
    });
    if (!rendered) {
      throw new Error("no body");
    }
    const created = await dockerJson<{ Id: string }>(
      "POST",
      `/containers/create?name=${rendered.name}`,
      rendered.body,
    );
    createdContainers.push(created.Id);
    await dockerJson("POST", `/containers/${created.Id}/start`);
    const waited = await dockerJson<{ StatusCode: number }>("POST", `/containers/${created.Id}/wait`);
    const logs = demux((await docker("GET", `/containers/${created.Id}/logs?stdout=1&stderr=1`)).data);
    expect(waited.StatusCode).toBe(0);
    expect(logs.stdout).toBe("box\n10.0.0.1\tdb\nsearch svc.local\nnameserver 10.96.0.10\noptions ndots:2\n");
  });

  it("a failing command reports its exit code", async () => {
    const { results } = await runPod(fixture("090-failing-commands.yaml").pod);
    expect(results["exit-3"]).toEqual({ exitCode: 3, stdout: "failing\n", stderr: "" });
    expect(results["not-found"]?.exitCode).toBe(127);
    expect(results["not-found"]?.stderr).toContain('exec: "/does/not/exist"');
  });
});
