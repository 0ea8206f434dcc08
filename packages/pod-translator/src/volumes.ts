import type {
  ConfigMap,
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  Secret,
  Volume,
  VolumeProjection,
} from "kubernetes-types/core/v1.js";
import { type DownwardContext, resolveFieldPath, resolveResourceField } from "./downward-api.js";
import type { IssueCollector } from "./issues.js";
import { checkConfigKey, checkDnsLabel, checkRelativePath, normalizeAbsolutePath } from "./paths.js";
import type { DirectoryPlan, MaterializedFile, VolumeKind, VolumePlan } from "./plan-types.js";
import {
  configMapKeyBytes,
  configMapKeys,
  decodeBase64,
  type PodSources,
  secretKeyBytes,
  secretKeys,
} from "./pod-sources.js";
import { checkHostPathAllowed } from "./policy/host-path.js";
import { parseQuantity, quantityValue } from "./quantity.js";

/** Kubernetes' default file mode for configMap, downwardAPI and projected volumes. */
export const DEFAULT_CONFIG_FILE_MODE = 0o644;
/**
 * Our default for secret material (secret volumes, secret and token projections) when no mode is given:
 * 0600, stricter than Kubernetes' 0644. An explicit `defaultMode`/`mode` (the API server fills
 * `defaultMode: 420` on real pods) is honoured as given.
 */
export const DEFAULT_SECRET_FILE_MODE = 0o600;
/** emptyDir roots are world-writable as in Kubernetes, so any container user can write. */
export const EMPTY_DIR_MODE = 0o777;
/** Directories holding materialised files. */
export const CONTENT_DIR_MODE = 0o755;

/** Prefix of every volume directory, relative to the pod's data (or secret) directory. */
export const VOLUMES_DIR = "volumes";

export interface VolumeOwnership {
  uid?: number;
  gid?: number;
}

export interface VolumePolicy {
  hostPathAllowList: readonly string[];
}

export interface BuiltVolume {
  plan: VolumePlan;
  /** Relative paths (within the volume) of materialised files. */
  files: Set<string>;
  /** Relative paths (within the volume) of directories holding materialised files. */
  dirs: Set<string>;
  /** configMap, secret, projected and downwardAPI volumes are always mounted read-only, as in Kubernetes. */
  forceReadOnly: boolean;
}

export interface VolumesResult {
  volumes: VolumePlan[];
  byName: Map<string, BuiltVolume>;
  files: MaterializedFile[];
  directories: DirectoryPlan[];
}

interface FileEntry {
  /** Relative to the volume root. */
  path: string;
  bytes: Uint8Array;
  mode: number;
  /** Field path that produced it, for errors. */
  origin: string;
}

const supportedKinds = new Set(["emptyDir", "configMap", "secret", "projected", "downwardAPI", "hostPath"]);
const hostPathTypes = new Set([
  "",
  "DirectoryOrCreate",
  "Directory",
  "FileOrCreate",
  "File",
  "Socket",
  "CharDevice",
  "BlockDevice",
]);
const encoder = new TextEncoder();

/** Plans every pod volume: directories, materialised files (validated paths, modes, owners). */
export function planVolumes(
  pod: Pod,
  sources: PodSources,
  context: DownwardContext,
  policy: VolumePolicy,
  ownerFor: (volumeName: string) => VolumeOwnership,
  issues: IssueCollector,
): VolumesResult {
  const result: VolumesResult = { volumes: [], byName: new Map(), files: [], directories: [] };
  (pod.spec?.volumes ?? []).forEach((volume, index) => {
    const path = `spec.volumes[${index}]`;
    const name = volume?.name ?? "";
    const nameProblem = checkDnsLabel(name);
    if (nameProblem) {
      issues.error(`${path}.name`, `volume name "${name}" ${nameProblem}`);
      return;
    }
    if (result.byName.has(name)) {
      issues.error(`${path}.name`, `duplicate volume name "${name}"`);
      return;
    }
    const kinds = Object.keys(volume).filter(
      (key) => key !== "name" && (volume as unknown as Record<string, unknown>)[key] != null,
    );
    if (kinds.length > 1) {
      issues.error(path, `volume "${name}" sets more than one source (${kinds.join(", ")})`);
      return;
    }
    // The API server defaults a volume without a source to an emptyDir.
    const kind = kinds[0] ?? "emptyDir";
    if (!supportedKinds.has(kind)) {
      issues.error(
        `${path}.${kind}`,
        `volume "${name}": ${kind} volumes are not supported (supported: emptyDir, configMap, secret, projected, downwardAPI, hostPath)`,
      );
      return;
    }
    const built = planOneVolume(
      volume,
      kind as VolumeKind,
      path,
      sources,
      context,
      policy,
      ownerFor(name),
      issues,
    );
    if (!built) {
      return;
    }
    result.volumes.push(built.volume.plan);
    result.byName.set(name, built.volume);
    result.files.push(...built.files);
    result.directories.push(...built.directories);
  });
  return result;
}

function planOneVolume(
  volume: Volume,
  kind: VolumeKind,
  path: string,
  sources: PodSources,
  context: DownwardContext,
  policy: VolumePolicy,
  owner: VolumeOwnership,
  issues: IssueCollector,
): { volume: BuiltVolume; files: MaterializedFile[]; directories: DirectoryPlan[] } | undefined {
  const name = volume.name;
  const dir = `${VOLUMES_DIR}/${name}`;
  const withGid = <T extends object>(value: T): T =>
    owner.gid === undefined ? value : { ...value, gid: owner.gid };

  if (kind === "hostPath") {
    const source = volume.hostPath;
    const hostPath = source?.path ?? "";
    const type = source?.type ?? "";
    if (!hostPath.startsWith("/") || hostPath.includes("\0") || hostPath.split("/").includes("..")) {
      issues.error(`${path}.hostPath.path`, `"${hostPath}" must be an absolute path without '..'`);
      return undefined;
    }
    if (!hostPathTypes.has(type)) {
      issues.error(`${path}.hostPath.type`, `unknown hostPath type "${type}"`);
      return undefined;
    }
    const normalized = normalizeAbsolutePath(hostPath);
    if (!checkHostPathAllowed(hostPath, name, `${path}.hostPath.path`, policy.hostPathAllowList, issues)) {
      return undefined;
    }
    const plan: VolumePlan = { name, kind, medium: "disk", hostPath: { path: normalized, type } };
    return {
      volume: { plan, files: new Set(), dirs: new Set(), forceReadOnly: false },
      files: [],
      directories: [],
    };
  }

  if (kind === "emptyDir") {
    const source = volume.emptyDir ?? {};
    const medium = source.medium ?? "";
    if (medium !== "" && medium !== "Memory") {
      issues.error(`${path}.emptyDir.medium`, `medium "${medium}" is not supported (use "" or "Memory")`);
      return undefined;
    }
    let sizeLimitBytes: number | undefined;
    if (source.sizeLimit !== undefined && source.sizeLimit !== null) {
      try {
        sizeLimitBytes = quantityValue(parseQuantity(source.sizeLimit));
      } catch (error) {
        issues.error(`${path}.emptyDir.sizeLimit`, (error as Error).message);
        return undefined;
      }
    }
    if (medium === "Memory") {
      const plan: VolumePlan = { name, kind, medium: "memory" };
      if (sizeLimitBytes !== undefined) {
        plan.sizeLimitBytes = sizeLimitBytes;
      }
      return {
        volume: { plan: withGid(plan), files: new Set(), dirs: new Set(), forceReadOnly: false },
        files: [],
        directories: [],
      };
    }
    const plan: VolumePlan = withGid({ name, kind, dir, medium: "disk" });
    if (sizeLimitBytes !== undefined) {
      plan.sizeLimitBytes = sizeLimitBytes;
    }
    const mode = owner.gid === undefined ? EMPTY_DIR_MODE : 0o2777;
    return {
      volume: { plan, files: new Set(), dirs: new Set(), forceReadOnly: false },
      files: [],
      directories: [withGid({ path: dir, mode, secret: false })],
    };
  }

  let entries: FileEntry[] | undefined;
  let secret = false;
  if (kind === "configMap") {
    const source = volume.configMap ?? {};
    const configMap = sources.configMaps.get(source.name ?? "");
    const modePath = `${path}.configMap`;
    entries = configMap
      ? projectKeys(
          "configmap",
          configMap,
          source.items,
          checkMode(source.defaultMode, `${modePath}.defaultMode`, issues) ?? DEFAULT_CONFIG_FILE_MODE,
          source.optional ?? false,
          modePath,
          issues,
        )
      : missing("configmap", source.name, source.optional, modePath, issues);
  } else if (kind === "secret") {
    secret = true;
    const source = volume.secret ?? {};
    const object = sources.secrets.get(source.secretName ?? "");
    const modePath = `${path}.secret`;
    entries = object
      ? projectKeys(
          "secret",
          object,
          source.items,
          checkMode(source.defaultMode, `${modePath}.defaultMode`, issues) ?? DEFAULT_SECRET_FILE_MODE,
          source.optional ?? false,
          modePath,
          issues,
        )
      : missing("secret", source.secretName, source.optional, modePath, issues);
  } else if (kind === "downwardAPI") {
    const source = volume.downwardAPI ?? {};
    const defaultMode = checkMode(source.defaultMode, `${path}.downwardAPI.defaultMode`, issues);
    const sent = sources.projected.get(name);
    entries = sent
      ? entriesFromSentMap(sent, `${path}.downwardAPI`, () => defaultMode ?? DEFAULT_CONFIG_FILE_MODE, issues)
      : downwardItems(
          source.items ?? [],
          defaultMode ?? DEFAULT_CONFIG_FILE_MODE,
          `${path}.downwardAPI`,
          context,
          issues,
        );
  } else {
    const source = volume.projected ?? {};
    const projections = source.sources ?? [];
    const projectedPath = `${path}.projected`;
    const defaultMode = checkMode(source.defaultMode, `${projectedPath}.defaultMode`, issues);
    const sent = sources.projected.get(name);
    secret = projections.some((projection) => projection.secret || projection.serviceAccountToken);
    if (sent) {
      if (projections.length === 0 && sent.data?.token !== undefined) {
        secret = true;
      }
      entries = entriesFromSentMap(
        sent,
        projectedPath,
        (itemPath) => projectedModeOf(itemPath, projections, defaultMode),
        issues,
      );
    } else {
      entries = projectSources(projections, defaultMode, projectedPath, sources, context, issues);
    }
  }
  if (entries === undefined) {
    return undefined;
  }

  const volumeDirMode = owner.gid === undefined ? CONTENT_DIR_MODE : 0o2755;
  const plan: VolumePlan = withGid({ name, kind, dir, medium: "disk" });
  if (secret) {
    plan.secret = true;
  }
  const built: BuiltVolume = { plan, files: new Set(), dirs: new Set(), forceReadOnly: true };
  const directories: DirectoryPlan[] = [withGid({ path: dir, mode: volumeDirMode, secret })];
  const files: MaterializedFile[] = [];
  const ok = checkEntryPaths(entries, issues);
  if (!ok) {
    return undefined;
  }
  for (const entry of entries) {
    const segments = entry.path.split("/");
    for (let depth = 1; depth < segments.length; depth++) {
      const sub = segments.slice(0, depth).join("/");
      if (!built.dirs.has(sub)) {
        built.dirs.add(sub);
        directories.push(withGid({ path: `${dir}/${sub}`, mode: volumeDirMode, secret }));
      }
    }
    built.files.add(entry.path);
    const file: MaterializedFile = {
      path: `${dir}/${entry.path}`,
      content: entry.bytes,
      mode: owner.gid === undefined ? entry.mode : entry.mode | 0o440,
      secret,
    };
    if (owner.uid !== undefined) {
      file.uid = owner.uid;
    }
    if (owner.gid !== undefined) {
      file.gid = owner.gid;
    }
    files.push(file);
  }
  return { volume: built, files, directories };
}

function missing(
  what: "configmap" | "secret",
  objectName: string | undefined,
  optional: boolean | undefined,
  path: string,
  issues: IssueCollector,
): FileEntry[] | undefined {
  if (optional) {
    return [];
  }
  issues.error(path, `${what} "${objectName ?? ""}" was not sent`);
  return undefined;
}

/** A file mode must be 0..0777 (Kubernetes rejects anything else). */
function checkMode(mode: number | undefined, path: string, issues: IssueCollector): number | undefined {
  if (mode === undefined || mode === null) {
    return undefined;
  }
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    issues.error(path, `mode ${mode} must be an integer between 0 and 0777 (511)`);
    return undefined;
  }
  return mode;
}

/** configMap/secret keys → files: every key, or only `items` (key → path, optional mode). */
function projectKeys(
  what: "configmap" | "secret",
  object: ConfigMap | Secret,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  path: string,
  issues: IssueCollector,
): FileEntry[] | undefined {
  const objectName = object.metadata?.name ?? "";
  const lookup = (key: string) =>
    what === "secret" ? secretKeyBytes(object as Secret, key) : configMapKeyBytes(object as ConfigMap, key);
  const entries: FileEntry[] = [];
  let failed = false;
  if (!items || items.length === 0) {
    const keys = what === "secret" ? secretKeys(object as Secret) : configMapKeys(object as ConfigMap);
    for (const key of keys) {
      const keyProblem = checkConfigKey(key);
      if (keyProblem) {
        issues.error(path, `${what} "${objectName}" key "${key}": ${keyProblem}`);
        failed = true;
        continue;
      }
      const found = lookup(key);
      if (!found.found) {
        issues.error(path, found.reason ?? `key "${key}" missing`);
        failed = true;
        continue;
      }
      entries.push({ path: key, bytes: found.bytes, mode: defaultMode, origin: path });
    }
    return failed ? undefined : entries;
  }
  items.forEach((item, index) => {
    const itemPath = `${path}.items[${index}]`;
    const found = lookup(item.key);
    if (!found.found) {
      if (found.reason) {
        issues.error(itemPath, found.reason);
        failed = true;
      } else if (!optional) {
        issues.error(`${itemPath}.key`, `key "${item.key}" not found in ${what} "${objectName}"`);
        failed = true;
      }
      return;
    }
    const mode = checkMode(item.mode, `${itemPath}.mode`, issues);
    if (item.mode !== undefined && mode === undefined) {
      failed = true;
      return;
    }
    entries.push({
      path: item.path,
      bytes: found.bytes,
      mode: mode ?? defaultMode,
      origin: `${itemPath}.path`,
    });
  });
  return failed ? undefined : entries;
}

/** interLink's pseudo-ConfigMap of a projected/downwardAPI volume: `data` is `{path: content}`. */
function entriesFromSentMap(
  sent: ConfigMap,
  path: string,
  modeOf: (itemPath: string) => number,
  issues: IssueCollector,
): FileEntry[] | undefined {
  const entries: FileEntry[] = [];
  for (const [itemPath, content] of Object.entries(sent.data ?? {})) {
    entries.push({
      path: itemPath,
      bytes: encoder.encode(content ?? ""),
      mode: modeOf(itemPath),
      origin: path,
    });
  }
  for (const [itemPath, encoded] of Object.entries(sent.binaryData ?? {})) {
    const bytes = decodeBase64(encoded ?? "");
    if (!bytes) {
      issues.error(path, `projected data "${itemPath}" is not valid base64`);
      return undefined;
    }
    entries.push({ path: itemPath, bytes, mode: modeOf(itemPath), origin: path });
  }
  return entries;
}

/** The mode of a file interLink sent for a projected volume: the matching item's mode, else the default. */
function projectedModeOf(
  itemPath: string,
  projections: VolumeProjection[],
  defaultMode: number | undefined,
): number {
  for (const projection of projections) {
    const items =
      projection.configMap?.items ?? projection.secret?.items ?? projection.downwardAPI?.items ?? [];
    const item = items.find((candidate) => candidate.path === itemPath);
    if (item?.mode !== undefined && item.mode !== null) {
      return item.mode;
    }
    if (projection.serviceAccountToken && (projection.serviceAccountToken.path ?? "") === itemPath) {
      return defaultMode ?? DEFAULT_SECRET_FILE_MODE;
    }
    if (item && projection.secret) {
      return defaultMode ?? DEFAULT_SECRET_FILE_MODE;
    }
  }
  return defaultMode ?? DEFAULT_CONFIG_FILE_MODE;
}

/** Builds a projected volume from its sources when interLink sent no data for it (other callers). */
function projectSources(
  projections: VolumeProjection[],
  defaultMode: number | undefined,
  path: string,
  sources: PodSources,
  context: DownwardContext,
  issues: IssueCollector,
): FileEntry[] | undefined {
  const entries: FileEntry[] = [];
  let failed = false;
  projections.forEach((projection, index) => {
    const sourcePath = `${path}.sources[${index}]`;
    let produced: FileEntry[] | undefined;
    if (projection.configMap) {
      const source = projection.configMap;
      const object = sources.configMaps.get(source.name ?? "");
      produced = object
        ? projectKeys(
            "configmap",
            object,
            source.items,
            defaultMode ?? DEFAULT_CONFIG_FILE_MODE,
            source.optional ?? false,
            `${sourcePath}.configMap`,
            issues,
          )
        : missing("configmap", source.name, source.optional, `${sourcePath}.configMap`, issues);
    } else if (projection.secret) {
      const source = projection.secret;
      const object = sources.secrets.get(source.name ?? "");
      produced = object
        ? projectKeys(
            "secret",
            object,
            source.items,
            defaultMode ?? DEFAULT_SECRET_FILE_MODE,
            source.optional ?? false,
            `${sourcePath}.secret`,
            issues,
          )
        : missing("secret", source.name, source.optional, `${sourcePath}.secret`, issues);
    } else if (projection.downwardAPI) {
      produced = downwardItems(
        projection.downwardAPI.items ?? [],
        defaultMode ?? DEFAULT_CONFIG_FILE_MODE,
        `${sourcePath}.downwardAPI`,
        context,
        issues,
      );
    } else if (projection.serviceAccountToken) {
      issues.warn(
        `${sourcePath}.serviceAccountToken`,
        `no token was sent for "${projection.serviceAccountToken.path}"; the file is not created`,
      );
      produced = [];
    } else {
      issues.warn(sourcePath, "unsupported projection source; nothing is created for it");
      produced = [];
    }
    if (produced === undefined) {
      failed = true;
    } else {
      entries.push(...produced);
    }
  });
  return failed ? undefined : entries;
}

function downwardItems(
  items: DownwardAPIVolumeFile[],
  defaultMode: number,
  path: string,
  context: DownwardContext,
  issues: IssueCollector,
): FileEntry[] | undefined {
  const entries: FileEntry[] = [];
  let failed = false;
  const containers = [...(context.pod.spec?.initContainers ?? []), ...(context.pod.spec?.containers ?? [])];
  items.forEach((item, index) => {
    const itemPath = `${path}.items[${index}]`;
    const mode = checkMode(item.mode, `${itemPath}.mode`, issues);
    let value: string | undefined;
    if (item.fieldRef && !item.resourceFieldRef) {
      const resolution = resolveFieldPath(item.fieldRef.fieldPath, context, true);
      if (resolution.ok) {
        value = resolution.value;
      } else {
        issues.error(`${itemPath}.fieldRef.fieldPath`, resolution.message);
      }
    } else if (item.resourceFieldRef && !item.fieldRef) {
      const ref = item.resourceFieldRef;
      const container = containers.find((candidate) => candidate.name === ref.containerName);
      if (!container) {
        issues.error(
          `${itemPath}.resourceFieldRef.containerName`,
          `no container named "${ref.containerName ?? ""}"`,
        );
      } else {
        const resolution = resolveResourceField(ref.resource, ref.divisor, container, context);
        if (resolution.ok) {
          value = resolution.value;
        } else if (resolution.soft) {
          issues.warn(`${itemPath}.resourceFieldRef`, `${resolution.message}; "${item.path}" is not created`);
          return;
        } else {
          issues.error(`${itemPath}.resourceFieldRef`, resolution.message);
        }
      }
    } else {
      issues.error(itemPath, "exactly one of fieldRef or resourceFieldRef is required");
    }
    if (value === undefined || (item.mode !== undefined && mode === undefined)) {
      failed = true;
      return;
    }
    entries.push({
      path: item.path,
      bytes: encoder.encode(value),
      mode: mode ?? defaultMode,
      origin: `${itemPath}.path`,
    });
  });
  return failed ? undefined : entries;
}

/** Every path must be safe, unique, and not both a file and a directory. */
function checkEntryPaths(entries: FileEntry[], issues: IssueCollector): boolean {
  let ok = true;
  const seen = new Set<string>();
  for (const entry of entries) {
    const problem = checkRelativePath(entry.path);
    if (problem) {
      issues.error(entry.origin, `path "${entry.path}" ${problem}`);
      ok = false;
      continue;
    }
    if (seen.has(entry.path)) {
      issues.error(entry.origin, `path "${entry.path}" is produced twice in the same volume`);
      ok = false;
      continue;
    }
    seen.add(entry.path);
  }
  for (const path of seen) {
    const segments = path.split("/");
    for (let depth = 1; depth < segments.length; depth++) {
      const parent = segments.slice(0, depth).join("/");
      if (seen.has(parent)) {
        issues.error(
          entries[0]?.origin ?? "",
          `path "${parent}" is both a file and the directory of "${path}"`,
        );
        ok = false;
      }
    }
  }
  return ok;
}
