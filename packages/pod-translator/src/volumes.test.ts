import type { RetrievedContainer } from "@ild/interlink-api";
import type { Container, Pod, Volume } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { PodTranslationError } from "./errors.js";
import type { PodPlan, TranslationIssue } from "./plan-types.js";
import { type TranslatePodOptions, translatePod } from "./translate-pod.js";

function podWith(
  volumes: Volume[],
  mounts: Container["volumeMounts"],
  extra: Partial<Pod["spec"]> = {},
): Pod {
  return {
    metadata: {
      name: "vol-pod",
      namespace: "default",
      uid: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
      labels: { b: "2", a: 'x"y' },
    },
    spec: {
      containers: [{ name: "main", image: "ild/busybox:1", volumeMounts: mounts ?? [] }],
      volumes,
      ...extra,
    },
  };
}

function plan(pod: Pod, containers: RetrievedContainer[] = [], options?: TranslatePodOptions): PodPlan {
  const input: Parameters<typeof translatePod>[0] = { pod, containers };
  if (options) {
    input.options = options;
  }
  return translatePod(input).plan;
}

function issues(
  pod: Pod,
  containers: RetrievedContainer[] = [],
  options?: TranslatePodOptions,
): TranslationIssue[] {
  try {
    plan(pod, containers, options);
  } catch (error) {
    if (error instanceof PodTranslationError) {
      expect(error.code).toBe("ILD_POD_INVALID");
      return error.issues;
    }
    throw error;
  }
  throw new Error("expected a PodTranslationError");
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
const b64 = (value: string | Uint8Array): string => Buffer.from(value).toString("base64");

const cm = (data: Record<string, string>, binaryData?: Record<string, string>): RetrievedContainer => ({
  name: "main",
  configMaps: [{ metadata: { name: "cfg" }, data, ...(binaryData ? { binaryData } : {}) }],
});
const secret = (data: Record<string, string>): RetrievedContainer => ({
  name: "main",
  secrets: [
    {
      metadata: { name: "sec" },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
    },
  ],
});

describe("unsupported volumes", () => {
  it.each([
    ["persistentVolumeClaim", { claimName: "data" }],
    ["csi", { driver: "x" }],
    ["nfs", { server: "s", path: "/" }],
    ["ephemeral", {}],
    ["gitRepo", { repository: "r" }],
  ])("%s is an error naming the volume", (kind, source) => {
    const volume = { name: "data", [kind]: source } as Volume;
    const [issue] = issues(podWith([volume], [{ name: "data", mountPath: "/data" }]));
    expect(issue?.path).toBe(`spec.volumes[0].${kind}`);
    expect(issue?.message).toContain(`volume "data": ${kind} volumes are not supported`);
  });

  it("a volume without a source is an emptyDir (API server default)", () => {
    const result = plan(podWith([{ name: "scratch" }], [{ name: "scratch", mountPath: "/s" }]));
    expect(result.volumes).toEqual([
      { name: "scratch", kind: "emptyDir", dir: "volumes/scratch", medium: "disk" },
    ]);
  });

  it("reports duplicate and invalid volume names and mounts of unknown volumes", () => {
    expect(
      issues(
        podWith(
          [
            { name: "a", emptyDir: {} },
            { name: "a", emptyDir: {} },
            { name: "Bad_Name", emptyDir: {} },
          ],
          [{ name: "ghost", mountPath: "/g" }],
        ),
      ).map((issue) => issue.path),
    ).toEqual(["spec.volumes[1].name", "spec.volumes[2].name", "spec.containers[0].volumeMounts[0].name"]);
  });
});

describe("emptyDir", () => {
  it("disk emptyDir: world-writable dir; memory emptyDir: tmpfs with its size limit", () => {
    const result = plan(
      podWith(
        [
          { name: "disk", emptyDir: { sizeLimit: "1Gi" } },
          { name: "mem", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
        ],
        [
          { name: "disk", mountPath: "/disk" },
          { name: "mem", mountPath: "/mem" },
        ],
      ),
    );
    expect(result.directories).toEqual([{ path: "volumes/disk", mode: 0o777, secret: false }]);
    expect(result.containers[0]?.mounts).toEqual([
      { volume: "disk", target: "/disk", readOnly: false, source: { kind: "dataDir", path: "volumes/disk" } },
      {
        volume: "mem",
        target: "/mem",
        readOnly: false,
        source: { kind: "tmpfs", sizeBytes: 67108864, mode: 0o777 },
      },
    ]);
    // a disk sizeLimit is enforced by the runner (eviction), so no warning
    expect(result.warnings).toEqual([]);
  });

  it("refuses HugePages media, bad size limits and subPath on memory volumes", () => {
    expect(
      issues(
        podWith(
          [
            { name: "huge", emptyDir: { medium: "HugePages" } },
            { name: "size", emptyDir: { sizeLimit: "lots" } },
            { name: "mem", emptyDir: { medium: "Memory" } },
          ],
          [{ name: "mem", mountPath: "/m", subPath: "x" }],
        ),
      ),
    ).toEqual([
      {
        path: "spec.volumes[0].emptyDir.medium",
        message: 'medium "HugePages" is not supported (use "" or "Memory")',
      },
      { path: "spec.volumes[1].emptyDir.sizeLimit", message: '"lots" is not a valid quantity' },
      {
        path: "spec.containers[0].volumeMounts[0].subPath",
        message: 'subPath is not supported on the memory emptyDir "mem"',
      },
    ]);
  });
});

describe("configMap volumes", () => {
  it("projects every key (data and binaryData) with the default mode 0644, read-only", () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const result = plan(
      podWith([{ name: "cfg", configMap: { name: "cfg" } }], [{ name: "cfg", mountPath: "/etc/cfg" }]),
      [cm({ "app.conf": "a=1\n", "é.txt": "x" }, { "blob.bin": b64(bytes) })].map((c) => ({
        ...c,
        configMaps: [
          {
            metadata: { name: "cfg" },
            data: { "app.conf": "a=1\n" },
            binaryData: { "blob.bin": b64(bytes) },
          },
        ],
      })),
    );
    expect(result.files.map((file) => [file.path, file.mode, file.secret])).toEqual([
      ["volumes/cfg/app.conf", 0o644, false],
      ["volumes/cfg/blob.bin", 0o644, false],
    ]);
    expect([...(result.files[1]?.content ?? [])]).toEqual([0, 1, 2, 255]);
    expect(result.containers[0]?.mounts[0]).toEqual({
      volume: "cfg",
      target: "/etc/cfg",
      readOnly: true,
      source: { kind: "dataDir", path: "volumes/cfg" },
    });
  });

  it("items select keys into paths with per-item modes and nested directories", () => {
    const result = plan(
      podWith(
        [
          {
            name: "cfg",
            configMap: {
              name: "cfg",
              defaultMode: 0o440,
              items: [
                { key: "a", path: "conf/a.yaml" },
                { key: "b", path: "b", mode: 0o600 },
              ],
            },
          },
        ],
        [{ name: "cfg", mountPath: "/c" }],
      ),
      [cm({ a: "A", b: "B", c: "not projected" })],
    );
    expect(result.files.map((file) => [file.path, file.mode, text(file.content)])).toEqual([
      ["volumes/cfg/conf/a.yaml", 0o440, "A"],
      ["volumes/cfg/b", 0o600, "B"],
    ]);
    expect(result.directories).toEqual([
      { path: "volumes/cfg", mode: 0o755, secret: false },
      { path: "volumes/cfg/conf", mode: 0o755, secret: false },
    ]);
  });

  it("a missing optional configMap gives an empty volume; a required one is an error", () => {
    const optional = plan(
      podWith(
        [{ name: "cfg", configMap: { name: "absent", optional: true } }],
        [{ name: "cfg", mountPath: "/c" }],
      ),
    );
    expect(optional.files).toEqual([]);
    expect(optional.directories).toEqual([{ path: "volumes/cfg", mode: 0o755, secret: false }]);
    expect(issues(podWith([{ name: "cfg", configMap: { name: "absent" } }], []))).toEqual([
      { path: "spec.volumes[0].configMap", message: 'configmap "absent" was not sent' },
    ]);
  });

  it("a missing item key is an error unless the volume is optional", () => {
    const volume: Volume = { name: "cfg", configMap: { name: "cfg", items: [{ key: "nope", path: "x" }] } };
    expect(issues(podWith([volume], []), [cm({ a: "A" })])).toEqual([
      { path: "spec.volumes[0].configMap.items[0].key", message: 'key "nope" not found in configmap "cfg"' },
    ]);
    const optional = plan(podWith([{ ...volume, configMap: { ...volume.configMap, optional: true } }], []), [
      cm({ a: "A" }),
    ]);
    expect(optional.files).toEqual([]);
  });

  it.each([
    ["../escape", "must not contain '..'"],
    ["a/../../escape", "must not contain '..'"],
    ["/etc/passwd", "must be relative"],
    ["a//b", "must not contain empty segments (leading, trailing or double '/')"],
    ["./a", "must not contain '.' segments"],
    ["", "must not be empty"],
  ])("item path %j is refused: %s", (path, message) => {
    expect(
      issues(podWith([{ name: "cfg", configMap: { name: "cfg", items: [{ key: "a", path }] } }], []), [
        cm({ a: "A" }),
      ]),
    ).toEqual([{ path: "spec.volumes[0].configMap.items[0].path", message: `path "${path}" ${message}` }]);
  });

  it("refuses keys that are not valid ConfigMap keys when projecting every key", () => {
    expect(
      issues(podWith([{ name: "cfg", configMap: { name: "cfg" } }], []), [cm({ "../x": "A", ok: "B" })]),
    ).toEqual([
      {
        path: "spec.volumes[0].configMap",
        message: `configmap "cfg" key "../x": a key must consist of alphanumeric characters, '-', '_' or '.'`,
      },
    ]);
  });

  it("refuses the same path twice and a path that is both file and directory", () => {
    const twice = issues(
      podWith(
        [
          {
            name: "cfg",
            configMap: {
              name: "cfg",
              items: [
                { key: "a", path: "x" },
                { key: "b", path: "x" },
              ],
            },
          },
        ],
        [],
      ),
      [cm({ a: "A", b: "B" })],
    );
    expect(twice[0]?.message).toBe('path "x" is produced twice in the same volume');
    const nested = issues(
      podWith(
        [
          {
            name: "cfg",
            configMap: {
              name: "cfg",
              items: [
                { key: "a", path: "x" },
                { key: "b", path: "x/y" },
              ],
            },
          },
        ],
        [],
      ),
      [cm({ a: "A", b: "B" })],
    );
    expect(nested[0]?.message).toBe('path "x" is both a file and the directory of "x/y"');
  });

  it.each([-1, 0o1000, 1.5])("refuses mode %d", (mode) => {
    expect(
      issues(podWith([{ name: "cfg", configMap: { name: "cfg", defaultMode: mode } }], []), [
        cm({ a: "A" }),
      ])[0]?.path,
    ).toBe("spec.volumes[0].configMap.defaultMode");
  });
});

describe("secret volumes", () => {
  it("decodes base64, defaults to 0600, lives in the secret directory", () => {
    const result = plan(
      podWith([{ name: "s", secret: { secretName: "sec" } }], [{ name: "s", mountPath: "/s" }]),
      [secret({ password: "s3cr3t\n", "tls.key": "-----BEGIN-----" })],
    );
    expect(result.files.map((file) => [file.path, file.mode, file.secret, text(file.content)])).toEqual([
      ["volumes/s/password", 0o600, true, "s3cr3t\n"],
      ["volumes/s/tls.key", 0o600, true, "-----BEGIN-----"],
    ]);
    expect(result.volumes[0]).toMatchObject({ name: "s", kind: "secret", secret: true });
    expect(result.directories).toEqual([{ path: "volumes/s", mode: 0o755, secret: true }]);
    expect(result.containers[0]?.mounts[0]?.source).toEqual({
      kind: "dataDir",
      path: "volumes/s",
      secret: true,
    });
  });

  it("honours an explicit defaultMode or item mode", () => {
    const result = plan(
      podWith(
        [
          {
            name: "s",
            secret: {
              secretName: "sec",
              defaultMode: 0o644,
              items: [
                { key: "a", path: "a" },
                { key: "b", path: "b", mode: 0o400 },
              ],
            },
          },
        ],
        [],
      ),
      [secret({ a: "A", b: "B" })],
    );
    expect(result.files.map((file) => file.mode)).toEqual([0o644, 0o400]);
  });

  it("fsGroup owns the files (group-readable) and the directories (setgid); a shared runAsUser owns the files", () => {
    const result = plan(
      podWith([{ name: "s", secret: { secretName: "sec" } }], [{ name: "s", mountPath: "/s" }], {
        securityContext: { fsGroup: 2000, runAsUser: 1000 },
      }),
      [secret({ a: "A" })],
    );
    expect(result.files[0]).toMatchObject({ mode: 0o640, uid: 1000, gid: 2000 });
    expect(result.directories).toEqual([{ path: "volumes/s", mode: 0o2755, gid: 2000, secret: true }]);
    expect(result.volumes[0]?.gid).toBe(2000);
  });

  it("warns when a non-root container could not read a 0600 secret owned by someone else", () => {
    const pod: Pod = {
      metadata: { name: "p", uid: "u" },
      spec: {
        volumes: [{ name: "s", secret: { secretName: "sec" } }],
        containers: [
          {
            name: "a",
            image: "x:1",
            securityContext: { runAsUser: 1000 },
            volumeMounts: [{ name: "s", mountPath: "/s" }],
          },
          {
            name: "b",
            image: "x:1",
            securityContext: { runAsUser: 2000 },
            volumeMounts: [{ name: "s", mountPath: "/s" }],
          },
          { name: "root", image: "x:1", volumeMounts: [{ name: "s", mountPath: "/s" }] },
        ],
      },
    };
    const result = plan(pod, [secret({ k: "v" })]);
    expect(result.warnings.map((warning) => warning.path)).toEqual([
      "spec.containers[0].volumeMounts[0]",
      "spec.containers[1].volumeMounts[0]",
    ]);
    expect(result.warnings.map((warning) => warning.message)).toEqual([
      'container "a" runs as uid 1000 but "volumes/s/k" (mode 0600) is not readable by it; set defaultMode, fsGroup or a pod-level runAsUser',
      'container "b" runs as uid 2000 but "volumes/s/k" (mode 0600) is not readable by it; set defaultMode, fsGroup or a pod-level runAsUser',
    ]);
    const shared = plan(
      {
        ...pod,
        spec: { ...pod.spec, containers: pod.spec?.containers ?? [], securityContext: { fsGroup: 3000 } },
      },
      [secret({ k: "v" })],
    );
    expect(shared.warnings).toEqual([]);
  });

  it("refuses data that is not base64", () => {
    expect(
      issues(podWith([{ name: "s", secret: { secretName: "sec" } }], []), [
        { name: "main", secrets: [{ metadata: { name: "sec" }, data: { a: "%%%" } }] },
      ]),
    ).toEqual([{ path: "spec.volumes[0].secret", message: 'key "a" of secret "sec" is not valid base64' }]);
  });
});

describe("projected and downwardAPI volumes", () => {
  it("uses interLink's projectedvolumemaps by VOLUME name, with modes from the sources", () => {
    const result = plan(
      podWith(
        [
          {
            name: "kube-api-access",
            projected: {
              sources: [
                { serviceAccountToken: { path: "token" } },
                { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                {
                  downwardAPI: {
                    items: [
                      { path: "namespace", fieldRef: { fieldPath: "metadata.namespace" }, mode: 0o444 },
                    ],
                  },
                },
              ],
            },
          },
        ],
        [{ name: "kube-api-access", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" }],
      ),
      [
        {
          name: "main",
          projectedvolumemaps: [
            {
              metadata: { name: "kube-api-access" },
              data: { token: "eyJ.x.y", "ca.crt": "-----BEGIN-----\nA\n", namespace: "default" },
            },
          ],
        },
      ],
    );
    expect(result.files.map((file) => [file.path, file.mode, file.secret, text(file.content)])).toEqual([
      ["volumes/kube-api-access/token", 0o600, true, "eyJ.x.y"],
      ["volumes/kube-api-access/ca.crt", 0o644, true, "-----BEGIN-----\nA\n"],
      ["volumes/kube-api-access/namespace", 0o444, true, "default"],
    ]);
    expect(result.containers[0]?.mounts[0]).toMatchObject({ readOnly: true, source: { secret: true } });
  });

  it("falls back to the sources when interLink sent no data (other callers)", () => {
    const result = plan(
      podWith(
        [
          {
            name: "p",
            projected: {
              defaultMode: 0o440,
              sources: [
                { configMap: { name: "cfg" } },
                { secret: { name: "sec", items: [{ key: "a", path: "creds/a" }] } },
                {
                  downwardAPI: {
                    items: [
                      { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
                      {
                        path: "mem",
                        resourceFieldRef: {
                          containerName: "main",
                          resource: "limits.memory",
                          divisor: "1Mi",
                        },
                      },
                    ],
                  },
                },
                { serviceAccountToken: { path: "token" } },
              ],
            },
          },
        ],
        [],
        {
          containers: [{ name: "main", image: "ild/busybox:1", resources: { limits: { memory: "256Mi" } } }],
        },
      ),
      [{ ...cm({ x: "X" }), ...secret({ a: "A" }) }],
    );
    expect(result.files.map((file) => [file.path, file.mode, text(file.content)])).toEqual([
      ["volumes/p/x", 0o440, "X"],
      ["volumes/p/creds/a", 0o440, "A"],
      ["volumes/p/labels", 0o440, 'a="x\\"y"\nb="2"'],
      ["volumes/p/mem", 0o440, "256"],
    ]);
    expect(result.warnings).toEqual([
      {
        path: "spec.volumes[0].projected.sources[3].serviceAccountToken",
        message: 'no token was sent for "token"; the file is not created',
      },
    ]);
  });

  it("a plain downwardAPI volume is computed from the pod", () => {
    const result = plan(
      podWith(
        [
          {
            name: "info",
            downwardAPI: {
              items: [
                { path: "name", fieldRef: { fieldPath: "metadata.name" } },
                { path: "uid", fieldRef: { fieldPath: "metadata.uid" }, mode: 0o400 },
              ],
            },
          },
        ],
        [{ name: "info", mountPath: "/info" }],
      ),
    );
    expect(result.files.map((file) => [file.path, file.mode, file.secret, text(file.content)])).toEqual([
      ["volumes/info/name", 0o644, false, "vol-pod"],
      ["volumes/info/uid", 0o400, false, "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"],
    ]);
  });

  it("refuses unsafe paths sent in projectedvolumemaps", () => {
    const found = issues(
      podWith([{ name: "p", projected: { sources: [{ configMap: { name: "cfg" } }] } }], []),
      [
        {
          name: "main",
          projectedvolumemaps: [{ metadata: { name: "p" }, data: { "../../etc/cron.d/x": "boom" } }],
        },
      ],
    );
    expect(found).toEqual([
      { path: "spec.volumes[0].projected", message: `path "../../etc/cron.d/x" must not contain '..'` },
    ]);
  });
});

describe("hostPath", () => {
  const policy = { policy: { privileged: "deny" as const, hostPathAllowList: ["/srv/data", "/cvmfs/"] } };

  it("is refused without an allow-list entry", () => {
    expect(issues(podWith([{ name: "h", hostPath: { path: "/etc" } }], []))).toEqual([
      {
        path: "spec.volumes[0].hostPath.path",
        message:
          'hostPath "/etc" of volume "h" is not allowed by policy (Ild.policy.hostPathAllowList: none)',
      },
    ]);
  });

  it.each([["/srv/database"], ["/srv"], ["/srv/data/../../etc"], ["relative"]])("refuses %s", (path) => {
    expect(issues(podWith([{ name: "h", hostPath: { path } }], []), [], policy)[0]?.path).toBe(
      "spec.volumes[0].hostPath.path",
    );
  });

  it("is mounted from the host path (plus subPath) with its type kept", () => {
    const result = plan(
      podWith(
        [{ name: "h", hostPath: { path: "/srv/data//x/", type: "DirectoryOrCreate" } }],
        [{ name: "h", mountPath: "/x", subPath: "sub", readOnly: true }],
      ),
      [],
      policy,
    );
    expect(result.volumes[0]).toEqual({
      name: "h",
      kind: "hostPath",
      medium: "disk",
      hostPath: { path: "/srv/data/x", type: "DirectoryOrCreate" },
    });
    expect(result.containers[0]?.mounts[0]).toEqual({
      volume: "h",
      target: "/x",
      readOnly: true,
      source: { kind: "hostPath", path: "/srv/data/x/sub", type: "DirectoryOrCreate" },
      subPath: "sub",
    });
  });

  it("refuses an unknown type", () => {
    expect(
      issues(podWith([{ name: "h", hostPath: { path: "/cvmfs", type: "Weird" } }], []), [], policy),
    ).toEqual([{ path: "spec.volumes[0].hostPath.type", message: 'unknown hostPath type "Weird"' }]);
  });
});

describe("volumeMounts", () => {
  const volumes: Volume[] = [
    { name: "work", emptyDir: {} },
    { name: "cfg", configMap: { name: "cfg" } },
  ];

  it("subPath to a configMap key is a single-file mount", () => {
    const result = plan(
      podWith(volumes, [{ name: "cfg", mountPath: "/etc/app.conf", subPath: "app.conf" }]),
      [cm({ "app.conf": "x" })],
    );
    expect(result.containers[0]?.mounts[0]).toEqual({
      volume: "cfg",
      target: "/etc/app.conf",
      readOnly: true,
      source: { kind: "dataDir", path: "volumes/cfg/app.conf" },
      isFile: true,
      subPath: "app.conf",
    });
  });

  it("subPathExpr with an undefined variable is an error, as in the kubelet", () => {
    expect(
      issues(podWith(volumes, [{ name: "work", mountPath: "/w", subPathExpr: "$(NOPE)/x" }]), [cm({})]),
    ).toEqual([
      { path: "spec.containers[0].volumeMounts[0].subPathExpr", message: "missing value for NOPE" },
    ]);
  });

  it("subPathExpr uses the container's env", () => {
    const pod: Pod = {
      metadata: { name: "p", uid: "u-1" },
      spec: {
        volumes: [{ name: "work", emptyDir: {} }],
        containers: [
          {
            name: "main",
            image: "ild/busybox:1",
            env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
            volumeMounts: [{ name: "work", mountPath: "/work", subPathExpr: "logs/$(POD_NAME)" }],
          },
        ],
      },
    };
    const result = plan(pod);
    expect(result.containers[0]?.mounts[0]?.source).toEqual({ kind: "dataDir", path: "volumes/work/logs/p" });
    expect(result.directories?.map((directory) => directory.path)).toEqual([
      "volumes/work",
      "volumes/work/logs",
      "volumes/work/logs/p",
    ]);
  });

  it.each([
    [{ name: "work", mountPath: "/w", subPath: "../../etc" }, "spec.containers[0].volumeMounts[0].subPath"],
    [{ name: "work", mountPath: "/w", subPath: "/abs" }, "spec.containers[0].volumeMounts[0].subPath"],
    [{ name: "work", mountPath: "relative" }, "spec.containers[0].volumeMounts[0].mountPath"],
    [{ name: "work", mountPath: "/a/../b" }, "spec.containers[0].volumeMounts[0].mountPath"],
    [{ name: "work", mountPath: "//" }, "spec.containers[0].volumeMounts[0].mountPath"],
    [{ name: "work", mountPath: "/w", subPath: "a", subPathExpr: "b" }, "spec.containers[0].volumeMounts[0]"],
  ])("refuses %j", (mount, path) => {
    expect(issues(podWith(volumes, [mount]), [cm({})])[0]?.path).toBe(path);
  });

  it("refuses the same mountPath twice and a subPath below a file", () => {
    expect(
      issues(
        podWith(volumes, [
          { name: "work", mountPath: "/w" },
          { name: "work", mountPath: "/w/" },
          { name: "cfg", mountPath: "/c", subPath: "app.conf/deeper" },
        ]),
        [cm({ "app.conf": "x" })],
      ),
    ).toEqual([
      {
        path: "spec.containers[0].volumeMounts[1].mountPath",
        message: '"/w" is mounted twice in this container',
      },
      {
        path: "spec.containers[0].volumeMounts[2].subPath",
        message: '"app.conf/deeper" lies below the file "app.conf"',
      },
    ]);
  });

  it("applies mount propagation: HostToContainer is rslave (Bidirectional: privileged only, see policy), anything else refused", () => {
    const result = plan(
      podWith(volumes, [
        { name: "work", mountPath: "/w", mountPropagation: "HostToContainer" },
        { name: "work", mountPath: "/n", mountPropagation: "None" },
      ]),
      [cm({})],
    );
    expect(result.warnings).toEqual([]);
    expect(result.containers[0]?.mounts.map((mount) => [mount.target, mount.propagation])).toEqual([
      ["/w", "rslave"],
      ["/n", undefined],
    ]);
    expect(
      issues(podWith(volumes, [{ name: "work", mountPath: "/w", mountPropagation: "Sideways" as "None" }]), [
        cm({}),
      ]),
    ).toEqual([
      {
        path: "spec.containers[0].volumeMounts[0].mountPropagation",
        message: '"Sideways" is not one of None, HostToContainer, Bidirectional',
      },
    ]);
  });
});
