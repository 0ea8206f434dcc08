import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RetrievedPodData } from "@ild/interlink-api";
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

export async function savePod(paths: PodPaths, stored: StoredPod): Promise<void> {
  await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
  await writeFile(paths.podJson, JSON.stringify(stored), { mode: 0o600 });
}

export async function loadPod(paths: PodPaths): Promise<StoredPod | undefined> {
  try {
    const stored = JSON.parse(await readFile(paths.podJson, "utf8")) as StoredPod;
    return stored.version === 1 ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** Pod UIDs that have a run directory under `<runRoot>/pods`. */
export async function listStoredPodUids(runRoot: string): Promise<string[]> {
  try {
    return await readdir(path.join(runRoot, "pods"));
  } catch {
    return [];
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
