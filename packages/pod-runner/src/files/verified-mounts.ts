/**
 * subPath and hostPath mounts, resolved safely at every container create (first start and every
 * restart), the way the kubelet does it: the path is walked below the volume's root without following
 * a symlink (open-beneath.ts), the open file is bind-mounted onto a folder of the pod's own
 * (`<podDataDir>/.subpaths/<container>/<generation>-<index>`), and the container mounts that. A pod
 * that plants `ln -s / x` in its emptyDir gets a refusal, never the engine's root; renaming things
 * after the check changes nothing (the bind holds the checked file). The bind reaches the pod's DIND
 * through its slot (shared mounts, see @ild/dind-pool podPaths).
 * hostPath: symlinks are resolved first (realpath), then the allow-list prefix is checked, then the
 * resolved path is opened below its allow-listed root without following symlinks.
 */
import { constants } from "node:fs";
import { lstat, mkdir, open, realpath } from "node:fs/promises";
import path from "node:path";
import { bindMount, removeTree, unmountBelow } from "@ild/dind-pool";
import type { ContainerPlan, MountPlan } from "@ild/pod-translator";
import { UnsafeMountError } from "../errors.js";
import { BeneathError, type OpenedBeneath, openBeneath } from "./open-beneath.js";

export const subPathDirName = ".subpaths";

export interface VerifyMountsContext {
  podDataDir: string;
  podSecretDir: string;
  /** Allow-listed hostPath prefixes (empty: the policy allowed any hostPath, e.g. level privileged). */
  hostPathAllowList: readonly string[];
  generation: number;
}

interface BodyMount {
  Type?: string;
  Source?: string;
  Target?: string;
}

/** Modes for folders created on the way (a missing subPath is created, as the kubelet does). */
const CREATED_DIR_MODE = 0o755;

function field(container: ContainerPlan, mount: MountPlan, leaf: string): string {
  const list = container.kind === "init" ? "initContainers" : "containers";
  return `spec.${list}[${container.index}].volumeMounts[mountPath=${mount.target}].${leaf}`;
}

function needsVerification(mount: MountPlan): boolean {
  return mount.source.kind === "hostPath" || (mount.source.kind === "dataDir" && mount.subPath !== undefined);
}

/** The folder of one container's verified binds. */
export function containerSubPathDir(podDataDir: string, containerName: string): string {
  return path.join(podDataDir, subPathDirName, containerName);
}

/**
 * Replaces the Source of every subPath/hostPath bind in `mounts` (the rendered body's) by a verified
 * bind. Binds of the container's previous instances are removed first. Throws UnsafeMountError naming
 * the field; nothing it bound survives a failure.
 */
export async function verifyContainerMounts(
  container: ContainerPlan,
  mounts: BodyMount[],
  context: VerifyMountsContext,
): Promise<void> {
  const planned = container.mounts.filter(needsVerification);
  if (planned.length === 0) {
    // the plan never changes for a pod: a container without such mounts never had verified binds
    return;
  }
  const dir = containerSubPathDir(context.podDataDir, container.name);
  await removeTree(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    for (const [index, mount] of planned.entries()) {
      const body = mounts.find((item) => item.Target === mount.target && item.Type === "bind");
      if (body === undefined) {
        continue;
      }
      body.Source = await bindVerified(
        container,
        mount,
        path.join(dir, `${context.generation}-${index}`),
        context,
      );
    }
  } catch (error) {
    await removeTree(dir).catch(() => {});
    throw error;
  }
}

async function bindVerified(
  container: ContainerPlan,
  mount: MountPlan,
  target: string,
  context: VerifyMountsContext,
): Promise<string> {
  const source = mount.source;
  if (source.kind === "dataDir") {
    const subPath = mount.subPath ?? "";
    const volumeDir = source.path.slice(0, source.path.length - subPath.length).replace(/\/+$/, "");
    const root = path.join(source.secret ? context.podSecretDir : context.podDataDir, volumeDir);
    const opened = await openOrRefuse(root, subPath, field(container, mount, "subPath"), CREATED_DIR_MODE);
    return bindOpened(opened, target);
  }
  if (source.kind !== "hostPath") {
    throw new Error(`unexpected mount source ${source.kind}`);
  }
  const subPath = mount.subPath ?? "";
  const volumePath = subPath === "" ? source.path : source.path.slice(0, -(subPath.length + 1));
  const fieldPath = field(container, mount, subPath === "" ? "name" : "subPath");
  const resolved = await resolveHostPath(volumePath, source.type ?? "", fieldPath);
  const root = await allowedRoot(resolved, context.hostPathAllowList, fieldPath, volumePath);
  if (resolved.special) {
    if (subPath !== "") {
      throw new UnsafeMountError(
        fieldPath,
        `a subPath below the ${source.type} "${volumePath}" is not possible`,
      );
    }
    // sockets and devices cannot be opened to pin them: bind the resolved, allow-listed path
    await createTarget(target, false);
    await bindMount(resolved.path, target);
    return target;
  }
  const relative = path.posix.join(path.relative(root, resolved.path) || ".", subPath);
  const opened = await openOrRefuse(root, relative, fieldPath, subPath === "" ? undefined : CREATED_DIR_MODE);
  return bindOpened(opened, target);
}

async function openOrRefuse(
  root: string,
  relative: string,
  fieldPath: string,
  createMissing: number | undefined,
): Promise<OpenedBeneath> {
  try {
    return await openBeneath(root, relative, createMissing === undefined ? {} : { createMissing });
  } catch (error) {
    if (error instanceof BeneathError) {
      throw new UnsafeMountError(
        fieldPath,
        `"${relative}" ${error.reason} (refused: it must stay inside the volume)`,
      );
    }
    throw error;
  }
}

async function createTarget(target: string, directory: boolean): Promise<void> {
  await unmountBelow(target);
  if (directory) {
    await mkdir(target, { recursive: true, mode: 0o700 });
  } else {
    const handle = await open(target, constants.O_CREAT | constants.O_WRONLY | constants.O_NOFOLLOW, 0o600);
    await handle.close();
  }
}

async function bindOpened(opened: OpenedBeneath, target: string): Promise<string> {
  try {
    await createTarget(target, opened.directory);
    await bindMount(opened.procPath, target);
    return target;
  } finally {
    await opened.handle.close();
  }
}

interface ResolvedHostPath {
  path: string;
  /** A socket, character or block device (bound by path; the type checked). */
  special: boolean;
}

const SPECIAL_TYPES: Record<string, (info: Awaited<ReturnType<typeof lstat>>) => boolean> = {
  Socket: (info) => info.isSocket(),
  CharDevice: (info) => info.isCharacterDevice(),
  BlockDevice: (info) => info.isBlockDevice(),
};

/** realpath (symlinks resolved) and the Kubernetes hostPath `type` checks and creations. */
async function resolveHostPath(
  volumePath: string,
  type: string,
  fieldPath: string,
): Promise<ResolvedHostPath> {
  let resolved = await realpath(volumePath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") {
      return undefined;
    }
    throw error;
  });
  if (resolved === undefined) {
    if (type === "DirectoryOrCreate") {
      await mkdir(volumePath, { recursive: true, mode: 0o755 });
    } else if (type === "FileOrCreate") {
      await mkdir(path.dirname(volumePath), { recursive: true, mode: 0o755 });
      const handle = await open(
        volumePath,
        constants.O_CREAT | constants.O_WRONLY | constants.O_NOFOLLOW,
        0o644,
      );
      await handle.close();
    } else {
      throw new UnsafeMountError(fieldPath, `hostPath "${volumePath}" does not exist`);
    }
    resolved = await realpath(volumePath);
  }
  const info = await lstat(resolved);
  const expect: Record<string, () => boolean> = {
    Directory: () => info.isDirectory(),
    DirectoryOrCreate: () => info.isDirectory(),
    File: () => info.isFile(),
    FileOrCreate: () => info.isFile(),
  };
  const special = SPECIAL_TYPES[type];
  const check = special ? () => special(info) : expect[type];
  if (check !== undefined && !check()) {
    throw new UnsafeMountError(fieldPath, `hostPath "${volumePath}" is not a ${type}`);
  }
  if (!info.isDirectory() && !info.isFile() && special === undefined) {
    throw new UnsafeMountError(
      fieldPath,
      `hostPath "${volumePath}" is neither a folder nor a file (set its type to Socket, CharDevice or BlockDevice)`,
    );
  }
  return { path: resolved, special: special !== undefined };
}

/** The allow-listed root (symlinks resolved) that holds `resolved`, or "/" when no list applies. */
async function allowedRoot(
  resolved: ResolvedHostPath,
  allowList: readonly string[],
  fieldPath: string,
  volumePath: string,
): Promise<string> {
  if (allowList.length === 0) {
    return "/";
  }
  for (const entry of allowList) {
    const root = await realpath(entry).catch(() => undefined);
    if (
      root !== undefined &&
      (resolved.path === root || resolved.path.startsWith(`${root === "/" ? "" : root}/`))
    ) {
      return root;
    }
  }
  throw new UnsafeMountError(
    fieldPath,
    `hostPath "${volumePath}" resolves to "${resolved.path}", outside the allow-list (Ild.policy.hostPathAllowList)`,
  );
}
