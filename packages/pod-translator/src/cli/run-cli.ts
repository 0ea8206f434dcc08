import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { RetrievedContainer } from "@ild/interlink-api";
import { dump, loadAll, YAML11_SCHEMA } from "js-yaml";
import type { ConfigMap, Pod, Secret } from "kubernetes-types/core/v1.js";
import { PodTranslationError } from "../errors.js";
import type { AssignedDevice, PodPlan } from "../plan-types.js";
import { POLICY_LEVELS, type PolicyLevel } from "../policy/levels.js";
import { isDeviceResource } from "../resources.js";
import { toDockerCreateBodies, toDockerSandboxSettings } from "../to-docker-create-bodies.js";
import { type TranslatePodOptions, translatePod } from "../translate-pod.js";

export const USAGE = `usage: ild-plan POD_FILE [options]

Prints the translation plan, the Docker Engine API create bodies and the warnings of a pod (dry run).
POD_FILE: a Pod (YAML or JSON; may also hold ConfigMaps and Secrets as extra documents) or an
interLink /create body ({pod, container}).

options:
  --secrets FILE          Secrets (YAML/JSON, several documents or a List); repeatable
  --config-maps FILE      ConfigMaps (YAML/JSON, several documents or a List); repeatable
  --devices FILE          container name -> assigned devices (default: placeholders for requested devices)
  --format yaml|json      output format (default yaml)
  --network-mode MODE     Docker network mode of the pod's containers (default container:<sandbox>)
  --level baseline|restricted|privileged   security policy level (default baseline)
  --privileged deny|allow   privileged containers (default deny; capabilities = allow)
  --host-path-allow PATH  allow hostPath volumes at or below PATH; repeatable
  --show-secrets          print secret values instead of <redacted>
  -h, --help              this help

exit status: 0 plan printed, 1 the pod cannot be translated (errors on stderr), 2 usage or input error`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Promise<string>;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, "utf8"),
};

const DRY_RUN_UID = "00000000-0000-4000-8000-000000000000";
const REDACTED = "<redacted>";

class UsageError extends Error {}

function parseDocuments(text: string, file: string): unknown[] {
  try {
    return loadAll(text, null, { schema: YAML11_SCHEMA }).flatMap((document) => {
      if (document && typeof document === "object" && (document as { kind?: string }).kind === "List") {
        return ((document as { items?: unknown[] }).items ?? []) as unknown[];
      }
      return document === null || document === undefined ? [] : [document];
    });
  } catch (error) {
    throw new UsageError(`${file}: not valid YAML/JSON: ${(error as Error).message}`);
  }
}

/** Secrets as interLink sends them: `data` base64 (stringData folded in). */
function normalizeSecret(secret: Secret): Secret {
  const data: Record<string, string> = { ...(secret.data ?? {}) };
  for (const [key, value] of Object.entries(secret.stringData ?? {})) {
    data[key] = Buffer.from(value, "utf8").toString("base64");
  }
  const { stringData: _ignored, ...rest } = secret;
  return { ...rest, data };
}

function placeholderDevices(pod: Pod): Record<string, AssignedDevice[]> {
  const devices: Record<string, AssignedDevice[]> = {};
  let next = 0;
  for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const wanted = { ...(container.resources?.requests ?? {}), ...(container.resources?.limits ?? {}) };
    for (const [resource, value] of Object.entries(wanted)) {
      const count = Number(value);
      if (!isDeviceResource(resource) || !Number.isInteger(count) || count <= 0) {
        continue;
      }
      for (let index = 0; index < count; index++, next++) {
        const list = devices[container.name] ?? [];
        devices[container.name] = list;
        if (resource.startsWith("nvidia.com/")) {
          list.push({ resource, vendor: "nvidia", id: `GPU-00000000-0000-0000-0000-dry-run-${next}` });
        } else if (resource === "amd.com/gpu") {
          list.push({ resource, vendor: "amd", paths: ["/dev/kfd", `/dev/dri/renderD${128 + next}`] });
        } else {
          list.push({ resource, vendor: "generic", paths: [`/dev/dry-run-${next}`] });
        }
      }
    }
  }
  return devices;
}

function redactPlan(plan: PodPlan, showSecrets: boolean): unknown {
  const redactEnv = (env: PodPlan["containers"][number]["env"]) =>
    env.map((variable) => (variable.secret && !showSecrets ? { ...variable, value: REDACTED } : variable));
  const containers = (list: PodPlan["containers"]) =>
    list.map((container) => ({ ...container, env: redactEnv(container.env) }));
  return {
    ...plan,
    initContainers: containers(plan.initContainers),
    containers: containers(plan.containers),
    files: plan.files.map((file) => {
      const bytes = Buffer.from(file.content);
      const text = bytes.toString("utf8");
      const content =
        file.secret && !showSecrets
          ? `${REDACTED} (${bytes.length} bytes)`
          : Buffer.from(text, "utf8").equals(bytes)
            ? text
            : `base64:${bytes.toString("base64")}`;
      return { ...file, mode: `0${file.mode.toString(8)}`, content };
    }),
    directories: (plan.directories ?? []).map((directory) => ({
      ...directory,
      mode: `0${directory.mode.toString(8)}`,
    })),
    imagePullSecrets: plan.imagePullSecrets.map((auth) =>
      showSecrets ? auth : { registry: auth.registry, username: auth.username, password: REDACTED },
    ),
  };
}

/** The CLI, callable in-process; returns the exit status. */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`ild-plan: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`exactly one POD_FILE is required\n${USAGE}`);
  }
  const format = values.format ?? "yaml";
  if (format !== "yaml" && format !== "json") {
    throw new UsageError(`--format must be yaml or json, got "${format}"`);
  }
  const privileged = values.privileged ?? "deny";
  if (privileged !== "deny" && privileged !== "allow" && privileged !== "capabilities") {
    throw new UsageError(`--privileged must be deny or allow, got "${privileged}"`);
  }
  const level = values.level ?? "baseline";
  if (!(POLICY_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--level must be ${POLICY_LEVELS.join(", ")}, got "${level}"`);
  }
  const read = async (file: string): Promise<unknown[]> => {
    let text: string;
    try {
      text = await io.readFile(file);
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    return parseDocuments(text, file);
  };

  const podFile = positionals[0] ?? "";
  const configMaps: ConfigMap[] = [];
  const secrets: Secret[] = [];
  let pod: Pod | undefined;
  let sent: RetrievedContainer[] = [];
  for (const document of await read(podFile)) {
    const object = document as { kind?: string; pod?: Pod; container?: RetrievedContainer[] };
    if (object.pod && typeof object.pod === "object") {
      pod = object.pod;
      sent = Array.isArray(object.container) ? object.container : [];
    } else if (object.kind === "ConfigMap") {
      configMaps.push(document as ConfigMap);
    } else if (object.kind === "Secret") {
      secrets.push(document as Secret);
    } else if (object.kind === "Pod" || (object.kind === undefined && "spec" in object)) {
      pod = document as Pod;
    } else {
      throw new UsageError(`${podFile}: unexpected document of kind "${object.kind ?? "?"}"`);
    }
  }
  for (const file of values["config-maps"] ?? []) {
    configMaps.push(...((await read(file)) as ConfigMap[]));
  }
  for (const file of values.secrets ?? []) {
    secrets.push(...((await read(file)) as Secret[]));
  }
  if (!pod) {
    throw new UsageError(`${podFile}: no Pod found`);
  }
  const notes: string[] = [];
  if (!pod.metadata?.uid) {
    pod = { ...pod, metadata: { ...(pod.metadata ?? {}), uid: DRY_RUN_UID } };
    notes.push(`metadata.uid missing: using ${DRY_RUN_UID}`);
  }
  let devices: Record<string, AssignedDevice[]>;
  if (values.devices) {
    const [document] = await read(values.devices);
    devices = (document ?? {}) as Record<string, AssignedDevice[]>;
  } else {
    devices = placeholderDevices(pod);
    if (Object.keys(devices).length > 0) {
      notes.push("devices requested: placeholder devices assigned (use --devices for real ones)");
    }
  }
  const options: TranslatePodOptions = {
    policy: { level: level as PolicyLevel, privileged, hostPathAllowList: values["host-path-allow"] ?? [] },
    devices,
  };
  const containers: RetrievedContainer[] = [
    ...sent,
    { name: "ild-plan", configMaps, secrets: secrets.map(normalizeSecret), projectedvolumemaps: null },
  ];
  let result: ReturnType<typeof translatePod>;
  try {
    result = translatePod({ pod, containers, options });
  } catch (error) {
    if (error instanceof PodTranslationError) {
      io.stderr(`ild-plan: ${error.issues.length} error(s) in ${podFile}:\n`);
      for (const issue of error.issues) {
        io.stderr(`  ${issue.path}: ${issue.message}\n`);
      }
      return 1;
    }
    throw error;
  }
  const { plan, warnings } = result;
  const podDir = `${plan.namespace}-${plan.uid}`;
  const memoryVolumeNames = Object.fromEntries(
    plan.volumes
      .filter((volume) => volume.medium === "memory")
      .map((volume) => [volume.name, `ild-${plan.uid}-${volume.name}`]),
  );
  const bodies = toDockerCreateBodies(plan, {
    podDataDir: `/var/lib/ild/pods/${podDir}`,
    podSecretDir: `/run/ild/secrets/${podDir}`,
    networkMode: values["network-mode"] ?? "container:<sandbox>",
    memoryVolumeNames,
  });
  const showSecrets = values["show-secrets"] === true;
  const secretValues = new Set(
    [...plan.initContainers, ...plan.containers].flatMap((container) =>
      container.env
        .filter((variable) => variable.secret)
        .map((variable) => `${variable.name}=${variable.value}`),
    ),
  );
  const output = {
    notes,
    warnings,
    plan: redactPlan(plan, showSecrets),
    /** What the pod's sandbox (the container or DIND whose namespaces the containers join) gets. */
    sandbox: toDockerSandboxSettings(plan, { memoryVolumeNames }),
    docker: bodies.map(({ name, body }) => ({
      name,
      body: showSecrets
        ? body
        : {
            ...body,
            Env: (body.Env ?? []).map((entry) =>
              secretValues.has(entry) ? `${entry.slice(0, entry.indexOf("="))}=${REDACTED}` : entry,
            ),
          },
    })),
  };
  io.stdout(
    format === "json"
      ? `${JSON.stringify(output, null, 2)}\n`
      : dump(output, { lineWidth: 120, noRefs: true, skipInvalid: true }),
  );
  for (const warning of warnings) {
    io.stderr(`warning: ${warning.path}: ${warning.message}\n`);
  }
  return 0;
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      secrets: { type: "string", multiple: true },
      "config-maps": { type: "string", multiple: true },
      devices: { type: "string" },
      format: { type: "string" },
      "network-mode": { type: "string" },
      privileged: { type: "string" },
      level: { type: "string" },
      "host-path-allow": { type: "string", multiple: true },
      "show-secrets": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}
