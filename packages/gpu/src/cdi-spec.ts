/**
 * Container Device Interface spec files, as `nvidia-ctk cdi generate` writes them (YAML or JSON):
 * `cdiVersion`, `kind` (`vendor/class`), `devices[].name` + `containerEdits`, top-level `containerEdits`.
 * Every problem is a CdiSpecError naming the file and the field path.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { load } from "js-yaml";
import { CdiSpecError } from "./cdi-errors.js";
import {
  type ContainerEdits,
  type DeviceNodeEdit,
  type HookEdit,
  type MountEdit,
  mergeEdits,
} from "./container-edits.js";

export interface CdiDevice {
  name: string;
  containerEdits: ContainerEdits;
}

export interface CdiSpec {
  file: string;
  cdiVersion: string;
  /** `nvidia.com/gpu`, `amd.com/gpu`, … */
  kind: string;
  devices: CdiDevice[];
  containerEdits: ContainerEdits;
}

/** Where CDI specs live (the CDI default order: /etc/cdi, then /var/run/cdi). */
export const CDI_SPEC_DIRS = ["/etc/cdi", "/var/run/cdi"] as const;

const KIND = /^[a-z0-9][a-z0-9.-]*\/[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
const DEVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$/;

type Fail = (field: string, message: string) => never;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== "string" || value === "") {
    fail(field, "must be a non-empty string");
  }
  return value as string;
}

function optionalStrings(value: unknown, field: string, fail: Fail): string[] | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    fail(field, "must be a list of strings");
  }
  return [...(value as string[])];
}

function list(value: unknown, field: string, fail: Fail): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    fail(field, "must be a list");
  }
  return value as unknown[];
}

function absolute(value: unknown, field: string, fail: Fail): string {
  const path = str(value, field, fail);
  if (!path.startsWith("/")) {
    fail(field, `"${path}" must be an absolute path`);
  }
  return path;
}

function deviceNode(value: unknown, field: string, fail: Fail): DeviceNodeEdit {
  if (!isRecord(value)) {
    fail(field, "must be an object");
  }
  const raw = value as Record<string, unknown>;
  const node: DeviceNodeEdit = { path: absolute(raw.path, `${field}.path`, fail) };
  if (raw.hostPath !== undefined) {
    node.hostPath = absolute(raw.hostPath, `${field}.hostPath`, fail);
  }
  if (raw.type !== undefined) {
    if (raw.type !== "c" && raw.type !== "b") {
      fail(`${field}.type`, `"${String(raw.type)}" must be "c" or "b"`);
    }
    node.type = raw.type as "c" | "b";
  }
  for (const key of ["major", "minor"] as const) {
    const number = raw[key];
    if (number !== undefined) {
      if (typeof number !== "number" || !Number.isInteger(number) || number < 0) {
        fail(`${field}.${key}`, "must be a non-negative integer");
      }
      node[key] = number as number;
    }
  }
  if (raw.permissions !== undefined) {
    const permissions = str(raw.permissions, `${field}.permissions`, fail);
    if (!/^[rwm]{1,3}$/.test(permissions)) {
      fail(`${field}.permissions`, `"${permissions}" must be made of r, w, m`);
    }
    node.permissions = permissions;
  }
  return node;
}

function mount(value: unknown, field: string, fail: Fail): MountEdit {
  if (!isRecord(value)) {
    fail(field, "must be an object");
  }
  const raw = value as Record<string, unknown>;
  const options = optionalStrings(raw.options, `${field}.options`, fail);
  return {
    hostPath: absolute(raw.hostPath, `${field}.hostPath`, fail),
    containerPath: absolute(raw.containerPath, `${field}.containerPath`, fail),
    ...(options === undefined ? {} : { options }),
  };
}

function hook(value: unknown, field: string, fail: Fail): HookEdit {
  if (!isRecord(value)) {
    fail(field, "must be an object");
  }
  const raw = value as Record<string, unknown>;
  const args = optionalStrings(raw.args, `${field}.args`, fail);
  const env = optionalStrings(raw.env, `${field}.env`, fail);
  return {
    hookName: str(raw.hookName, `${field}.hookName`, fail),
    path: absolute(raw.path, `${field}.path`, fail),
    ...(args === undefined ? {} : { args }),
    ...(env === undefined ? {} : { env }),
  };
}

function containerEdits(value: unknown, field: string, fail: Fail): ContainerEdits {
  if (value === undefined || value === null) {
    return mergeEdits();
  }
  if (!isRecord(value)) {
    fail(field, "must be an object");
  }
  const raw = value as Record<string, unknown>;
  const env = optionalStrings(raw.env, `${field}.env`, fail) ?? [];
  env.forEach((entry, index) => {
    if (!/^[^=]+=/.test(entry)) {
      fail(`${field}.env[${index}]`, `"${entry}" must be NAME=value`);
    }
  });
  return {
    deviceNodes: list(raw.deviceNodes, `${field}.deviceNodes`, fail).map((item, index) =>
      deviceNode(item, `${field}.deviceNodes[${index}]`, fail),
    ),
    mounts: list(raw.mounts, `${field}.mounts`, fail).map((item, index) =>
      mount(item, `${field}.mounts[${index}]`, fail),
    ),
    env,
    hooks: list(raw.hooks, `${field}.hooks`, fail).map((item, index) =>
      hook(item, `${field}.hooks[${index}]`, fail),
    ),
  };
}

/** Parses one spec file's text (YAML, which also reads JSON). `file` only names it in errors. */
export function parseCdiSpec(text: string, file: string): CdiSpec {
  const fail: Fail = (field, message) => {
    throw new CdiSpecError(file, field, message);
  };
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    fail("(document)", `not YAML or JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!isRecord(document)) {
    fail("(document)", "must be a mapping");
  }
  const raw = document as Record<string, unknown>;
  const cdiVersion = str(raw.cdiVersion, "cdiVersion", fail);
  if (!/^0\.\d+\.\d+$/.test(cdiVersion)) {
    fail("cdiVersion", `"${cdiVersion}" is not a CDI version this reader knows (0.x.y)`);
  }
  const kind = str(raw.kind, "kind", fail);
  if (!KIND.test(kind)) {
    fail("kind", `"${kind}" must be vendor/class, e.g. nvidia.com/gpu`);
  }
  const devices = list(raw.devices, "devices", fail).map((item, index): CdiDevice => {
    const field = `devices[${index}]`;
    if (!isRecord(item)) {
      fail(field, "must be an object");
    }
    const device = item as Record<string, unknown>;
    const name = str(device.name, `${field}.name`, fail);
    if (!DEVICE_NAME.test(name)) {
      fail(`${field}.name`, `"${name}" is not a valid CDI device name`);
    }
    return { name, containerEdits: containerEdits(device.containerEdits, `${field}.containerEdits`, fail) };
  });
  if (devices.length === 0) {
    fail("devices", "must name at least one device");
  }
  const names = new Set<string>();
  devices.forEach((device, index) => {
    if (names.has(device.name)) {
      fail(`devices[${index}].name`, `"${device.name}" is named twice`);
    }
    names.add(device.name);
  });
  return {
    file,
    cdiVersion,
    kind,
    devices,
    containerEdits: containerEdits(raw.containerEdits, "containerEdits", fail),
  };
}

/** The spec's common edits plus one device's, or undefined when the spec has no device of that name. */
export function cdiDeviceEdits(spec: CdiSpec, name: string): ContainerEdits | undefined {
  const device = spec.devices.find((entry) => entry.name === name);
  return device === undefined ? undefined : mergeEdits(spec.containerEdits, device.containerEdits);
}

export interface ReadCdiSpecsOptions {
  dirs?: readonly string[];
  /** Only specs of this kind (default `nvidia.com/gpu`); `undefined` keeps every kind. */
  kind?: string | undefined;
}

/**
 * Reads every `*.yaml`, `*.yml`, `*.json` in the spec folders (a missing folder is skipped). A bad file
 * throws CdiSpecError: the operator wrote or generated it, and a half-read spec would hand out wrong devices.
 */
export async function readCdiSpecs(options: ReadCdiSpecsOptions = {}): Promise<CdiSpec[]> {
  const kind = "kind" in options ? options.kind : "nvidia.com/gpu";
  const specs: CdiSpec[] = [];
  for (const dir of options.dirs ?? CDI_SPEC_DIRS) {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        continue;
      }
      throw error;
    }
    for (const name of names.filter((entry) => /\.(ya?ml|json)$/.test(entry))) {
      const file = join(dir, name);
      const spec = parseCdiSpec(await readFile(file, "utf8"), file);
      if (kind === undefined || spec.kind === kind) {
        specs.push(spec);
      }
    }
  }
  return specs;
}
