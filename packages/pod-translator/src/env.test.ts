import type { RetrievedContainer } from "@ild/interlink-api";
import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { PodTranslationError } from "./errors.js";
import { type TranslatePodOptions, translatePod } from "./translate-pod.js";

const uid = "11111111-2222-4333-8444-555555555555";

function podWith(container: Partial<Container>, extra: Partial<Pod["spec"]> = {}): Pod {
  return {
    metadata: {
      name: "env-pod",
      namespace: "team-a",
      uid,
      labels: { app: "web", "app.kubernetes.io/name": "web-ui" },
      annotations: { "example.org/owner": 'Jane "JD" Doe' },
    },
    spec: {
      containers: [{ name: "main", image: "ild/busybox:1", ...container }],
      nodeName: "vk-node",
      ...extra,
    },
    status: { podIP: "10.0.0.5", hostIP: "192.168.1.2" },
  };
}

const sent: RetrievedContainer[] = [
  { name: "other", configMaps: null, secrets: null, projectedvolumemaps: null, emptyDirs: null },
  {
    name: "holder",
    configMaps: [{ metadata: { name: "cfg" }, data: { level: "debug", shared: "from-cfg", "bad=key": "x" } }],
    secrets: [
      {
        metadata: { name: "db" },
        data: {
          password: Buffer.from("p@ss w'rd\"$(X)").toString("base64"),
          user: Buffer.from("admin").toString("base64"),
        },
      },
    ],
  },
];

function envOf(container: Partial<Container>, options?: TranslatePodOptions, extra?: Partial<Pod["spec"]>) {
  const input: Parameters<typeof translatePod>[0] = { pod: podWith(container, extra), containers: sent };
  if (options) {
    input.options = options;
  }
  const { plan, warnings } = translatePod(input);
  const main = plan.containers[0];
  return { env: main?.env ?? [], main, warnings };
}

function issuesOf(container: Partial<Container>) {
  try {
    translatePod({ pod: podWith(container), containers: sent });
  } catch (error) {
    if (error instanceof PodTranslationError) {
      return error.issues;
    }
    throw error;
  }
  throw new Error("expected a PodTranslationError");
}

describe("env values", () => {
  it.each([
    ["It's a beautiful day"],
    ['He said "hello world"'],
    ['{"name": "test", "value": "123"}'],
    ["echo 'Hello' && echo \"World\""],
    ["Run `command` here"],
    ["Line 1\nLine 2 with 'quotes'\nLine 3"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${...} that must stay as written
    ["price $5, $HOME, ${HOME}"],
    ["héllo wörld ✓ 日本 🚀"],
    [""],
    ["   "],
    ['"[1, 2]"'],
    ["a=b=c"],
    ["\t\r\n"],
  ])("keeps %j byte for byte", (value) => {
    const { env } = envOf({ env: [{ name: "V", value }] });
    expect(env).toEqual([{ name: "V", value }]);
  });

  it("expands $(VAR) from earlier entries only, honours $$ and keeps unknown references", () => {
    const { env } = envOf({
      env: [
        { name: "LATER_REF", value: "$(B)" },
        { name: "A", value: "a" },
        { name: "B", value: "$(A)-b" },
        { name: "C", value: "$$(A) $(MISSING) $(B)" },
      ],
    });
    expect(env).toEqual([
      { name: "LATER_REF", value: "$(B)" },
      { name: "A", value: "a" },
      { name: "B", value: "a-b" },
      { name: "C", value: "$(A) $(MISSING) a-b" },
    ]);
  });

  it("a later duplicate wins", () => {
    const { env } = envOf({
      env: [
        { name: "X", value: "1" },
        { name: "X", value: "2" },
      ],
    });
    expect(env).toEqual([{ name: "X", value: "2" }]);
  });

  it("rejects names with '=' and values with NUL, all at once", () => {
    const issues = issuesOf({
      env: [
        { name: "A=B", value: "x" },
        { name: "OK", value: "fine" },
        { name: "NUL", value: "a\0b" },
      ],
    });
    expect(issues).toEqual([
      { path: "spec.containers[0].env[0].name", message: "must not contain '='" },
      { path: "spec.containers[0].env[2]", message: "value must not contain NUL" },
    ]);
  });
});

describe("env valueFrom", () => {
  it("resolves configMapKeyRef and secretKeyRef from objects sent for another container", () => {
    const { env } = envOf({
      env: [
        { name: "LEVEL", valueFrom: { configMapKeyRef: { name: "cfg", key: "level" } } },
        { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
        { name: "AFTER", value: "$(PASSWORD)" },
      ],
    });
    expect(env).toEqual([
      { name: "LEVEL", value: "debug" },
      { name: "PASSWORD", value: "p@ss w'rd\"$(X)", secret: true },
      { name: "AFTER", value: "p@ss w'rd\"$(X)", secret: true },
    ]);
  });

  it("leaves optional references that are missing unset", () => {
    const { env } = envOf({
      env: [
        { name: "A", valueFrom: { configMapKeyRef: { name: "nope", key: "k", optional: true } } },
        { name: "B", valueFrom: { configMapKeyRef: { name: "cfg", key: "nope", optional: true } } },
        { name: "C", valueFrom: { secretKeyRef: { name: "nope", key: "k", optional: true } } },
        { name: "D", valueFrom: { secretKeyRef: { name: "db", key: "nope", optional: true } } },
      ],
    });
    expect(env).toEqual([]);
  });

  it("reports every missing required reference with its field path", () => {
    const issues = issuesOf({
      env: [
        { name: "OK", value: "x" },
        { name: "A", valueFrom: { configMapKeyRef: { name: "nope", key: "k" } } },
        { name: "B", valueFrom: { configMapKeyRef: { name: "cfg", key: "nope" } } },
        { name: "C", valueFrom: { secretKeyRef: { name: "missing-db", key: "k" } } },
        { name: "D", valueFrom: { secretKeyRef: { name: "db", key: "nope" } } },
        { name: "E", valueFrom: { fieldRef: { fieldPath: "spec.unknown" } } },
        { name: "F", value: "x", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "G", valueFrom: {} },
      ],
    });
    expect(issues).toEqual([
      {
        path: "spec.containers[0].env[1].valueFrom.configMapKeyRef",
        message: 'configmap "nope" was not sent',
      },
      {
        path: "spec.containers[0].env[2].valueFrom.configMapKeyRef",
        message: 'key "nope" not found in configmap "cfg"',
      },
      {
        path: "spec.containers[0].env[3].valueFrom.secretKeyRef",
        message: 'secret "missing-db" was not sent',
      },
      {
        path: "spec.containers[0].env[4].valueFrom.secretKeyRef",
        message: 'key "nope" not found in secret "db"',
      },
      {
        path: "spec.containers[0].env[5].valueFrom.fieldRef.fieldPath",
        message: 'unsupported fieldPath "spec.unknown"',
      },
      { path: "spec.containers[0].env[6]", message: "value and valueFrom are mutually exclusive" },
      {
        path: "spec.containers[0].env[7].valueFrom",
        message: "exactly one of configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef is required",
      },
    ]);
  });

  it("reports a secret whose data is not base64", () => {
    expect(() =>
      translatePod({
        pod: podWith({ env: [{ name: "X", valueFrom: { secretKeyRef: { name: "bad", key: "k" } } }] }),
        containers: [{ name: "main", secrets: [{ metadata: { name: "bad" }, data: { k: "not base64!" } }] }],
      }),
    ).toThrow(/key "k" of secret "bad" is not valid base64/);
  });

  it.each([
    ["metadata.name", "env-pod"],
    ["metadata.namespace", "team-a"],
    ["metadata.uid", uid],
    ["metadata.labels['app']", "web"],
    ["metadata.labels['app.kubernetes.io/name']", "web-ui"],
    ["metadata.labels['missing']", ""],
    ["metadata.annotations['example.org/owner']", 'Jane "JD" Doe'],
    ["spec.nodeName", "vk-node"],
    ["spec.serviceAccountName", ""],
    ["status.podIP", "10.0.0.5"],
    ["status.hostIP", "192.168.1.2"],
  ])("fieldRef %s → %j", (fieldPath, value) => {
    const { env } = envOf({ env: [{ name: "F", valueFrom: { fieldRef: { fieldPath } } }] });
    expect(env).toEqual([{ name: "F", value }]);
  });

  it("caller options override nodeName, podIP and hostIP", () => {
    const { env } = envOf(
      {
        env: [
          { name: "N", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
          { name: "P", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "H", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
        ],
      },
      { nodeName: "real-node", podIP: "172.18.0.2", hostIP: "10.1.1.1" },
    );
    expect(env.map((variable) => variable.value)).toEqual(["real-node", "172.18.0.2", "10.1.1.1"]);
  });

  it("refuses whole label maps in env (downwardAPI volumes only)", () => {
    expect(
      issuesOf({ env: [{ name: "L", valueFrom: { fieldRef: { fieldPath: "metadata.labels" } } }] }),
    ).toEqual([
      {
        path: "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath",
        message: '"metadata.labels" is only supported in downwardAPI volumes',
      },
    ]);
  });

  it.each([
    ["limits.cpu", undefined, "2"],
    ["limits.cpu", "1m", "1500"],
    ["requests.cpu", "1m", "250"],
    ["requests.cpu", undefined, "1"],
    ["limits.memory", undefined, "536870912"],
    ["limits.memory", "1Mi", "512"],
    ["requests.memory", "1Mi", "512"],
    ["limits.memory", "1Gi", "1"],
  ])("resourceFieldRef %s with divisor %s → %s (rounded up)", (resource, divisor, value) => {
    const ref = divisor === undefined ? { resource } : { resource, divisor };
    const { env } = envOf({
      resources: { limits: { cpu: "1500m", memory: "512Mi" }, requests: { cpu: "250m" } },
      env: [{ name: "R", valueFrom: { resourceFieldRef: ref } }],
    });
    expect(env).toEqual([{ name: "R", value }]);
  });

  it("uses node allocatable for limits a container does not set, and warns when unknown", () => {
    const container = {
      env: [{ name: "CPUS", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } }],
    };
    expect(envOf(container, { nodeAllocatable: { cpu: "8" } }).env).toEqual([{ name: "CPUS", value: "8" }]);
    const { env, warnings } = envOf(container);
    expect(env).toEqual([]);
    expect(warnings).toEqual([
      {
        path: "spec.containers[0].env[0].valueFrom.resourceFieldRef",
        message: 'container "main" sets no limits.cpu and no node allocatable was given; CPUS is left unset',
      },
    ]);
  });
});

describe("envFrom", () => {
  it("applies sources in order, with prefix; env entries win; invalid keys are skipped with a warning", () => {
    const { env, warnings } = envOf({
      envFrom: [
        { configMapRef: { name: "cfg" } },
        { prefix: "DB_", secretRef: { name: "db" } },
        { configMapRef: { name: "absent", optional: true } },
      ],
      env: [{ name: "shared", value: "from-env" }],
    });
    expect(env).toEqual([
      { name: "level", value: "debug" },
      { name: "DB_password", value: "p@ss w'rd\"$(X)", secret: true },
      { name: "DB_user", value: "admin", secret: true },
      { name: "shared", value: "from-env" },
    ]);
    expect(warnings).toEqual([
      {
        path: "spec.containers[0].envFrom[0].configMapRef",
        message: `key "bad=key" skipped: must not contain '='`,
      },
    ]);
  });

  it("a later envFrom source overrides an earlier one", () => {
    const two = translatePod({
      pod: podWith({ envFrom: [{ configMapRef: { name: "a" } }, { configMapRef: { name: "b" } }] }),
      containers: [
        {
          name: "main",
          configMaps: [
            { metadata: { name: "a" }, data: { K: "from-a", ONLY_A: "a" } },
            { metadata: { name: "b" }, data: { K: "from-b" } },
          ],
        },
      ],
    });
    expect(two.plan.containers[0]?.env).toEqual([
      { name: "ONLY_A", value: "a" },
      { name: "K", value: "from-b" },
    ]);
  });

  it("reports missing required sources", () => {
    expect(
      issuesOf({ envFrom: [{ secretRef: { name: "nope" } }, { configMapRef: { name: "nope2" } }, {}] }),
    ).toEqual([
      { path: "spec.containers[0].envFrom[0].secretRef", message: 'secret "nope" was not sent' },
      { path: "spec.containers[0].envFrom[1].configMapRef", message: 'configmap "nope2" was not sent' },
      { path: "spec.containers[0].envFrom[2]", message: "one of configMapRef or secretRef is required" },
    ]);
  });
});

describe("command and args expansion", () => {
  it("expands $(VAR) inside each argument from the final env, keeping argument boundaries", () => {
    const { main } = envOf({
      command: ["/bin/echo", "$(GREETING) world", "$$(GREETING)"],
      args: ["a b", "$(MISSING)", "'$(GREETING)'", "x;$(GREETING)|y"],
      env: [{ name: "GREETING", value: "hello there" }],
    });
    expect(main?.entrypoint).toEqual(["/bin/echo", "hello there world", "$(GREETING)"]);
    expect(main?.cmd).toEqual(["a b", "$(MISSING)", "'hello there'", "x;hello there|y"]);
  });
});

describe("env values (property: what the pod says is what the container gets)", () => {
  const pieces = [
    "'",
    '"',
    "\\",
    "`",
    "\n",
    "\t",
    " ",
    "=",
    ";",
    "&&",
    "|",
    "*",
    "é",
    "日本",
    "🚀",
    "[",
    "]",
    "{",
    "}",
    "x",
    "$5",
    "$HOME",
    "%",
  ];
  let seed = 0x51f15e;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };

  it("500 generated values survive translation and rendering unchanged (Env entries split at the first '=')", async () => {
    const { toDockerCreateBodies } = await import("./to-docker-create-bodies.js");
    const values = Array.from({ length: 500 }, () =>
      Array.from({ length: next() % 12 }, () => pieces[next() % pieces.length]).join(""),
    );
    const env = values.map((value, index) => ({ name: `V${index}`, value }));
    const { plan } = translatePod({ pod: podWith({ env }) });
    const [rendered] = toDockerCreateBodies(plan, {
      podDataDir: "/d",
      podSecretDir: "/s",
      networkMode: "host",
    });
    const seen = new Map(
      (rendered?.body.Env ?? []).map((entry) => [
        entry.slice(0, entry.indexOf("=")),
        entry.slice(entry.indexOf("=") + 1),
      ]),
    );
    values.forEach((value, index) => {
      expect(seen.get(`V${index}`)).toBe(value);
    });
  });
});
