import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RetrievedPodData } from "@ild/interlink-api";
import { PodStateError } from "../errors.js";
import type { EngineKind } from "../runner-types.js";
import type { PodPaths } from "./pod-paths.js";

/** What a restarted runner needs to take a pod back: its input and the choices made at start. */
export interface StoredPod {
  version: 1;
  input: RetrievedPodData;
  engine: EngineKind;
  /** Epoch ms of the first start (activeDeadlineSeconds). */
  startedAt: number;
  /** The runner that owns the pod: a runner recovering from a shared run root leaves others' pods alone. */
  runnerId?: string;
}

/** Writes `file` atomically: a temporary file in the same folder, fsync, rename, fsync of the folder. */
export async function writeFileAtomic(file: string, content: string, mode = 0o600): Promise<void> {
  const temporary = `${file}.tmp-${randomBytes(4).toString("hex")}`;
  try {
    const handle = await open(temporary, "wx", mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
  const folder = await open(path.dirname(file), "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

export async function savePod(paths: PodPaths, stored: StoredPod): Promise<void> {
  await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(paths.podJson, JSON.stringify(stored));
}

/**
 * The stored pod; undefined only when there is none (no pod.json). A file that cannot be read or
 * parsed is a PodStateError: the caller must not take it for "no pod" (that would tear a running pod down).
 */
export async function loadPod(paths: PodPaths): Promise<StoredPod | undefined> {
  let text: string;
  try {
    text = await readFile(paths.podJson, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return undefined;
    }
    throw new PodStateError(paths.podJson, (error as NodeJS.ErrnoException).code ?? String(error), {
      cause: error,
    });
  }
  let stored: StoredPod;
  try {
    stored = JSON.parse(text) as StoredPod;
  } catch (error) {
    throw new PodStateError(paths.podJson, "not valid JSON", { cause: error });
  }
  if (stored?.version !== 1) {
    throw new PodStateError(paths.podJson, `unknown version ${JSON.stringify(stored?.version)}`);
  }
  return stored;
}

/** Pod UIDs that have a run directory under `<runRoot>/pods` (none when the folder does not exist). */
export async function listStoredPodUids(runRoot: string): Promise<string[]> {
  try {
    return (await readdir(path.join(runRoot, "pods"))).filter((name) => !name.includes(".tmp-"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return [];
    }
    throw error;
  }
}

export async function markStopping(paths: PodPaths): Promise<void> {
  await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
  await writeFile(paths.stopMarker, "", { mode: 0o600 });
}

export async function isStopping(paths: PodPaths): Promise<boolean> {
  try {
    await readFile(paths.stopMarker);
    return true;
  } catch {
    return false;
  }
}
