import path from "node:path";
import { UnsafePathError } from "../errors.js";

export interface PodPaths {
  /** `<dataRoot>/pods/<uid>`: non-secret files (configMaps, emptyDirs, downward API). */
  dataDir: string;
  /** `<runRoot>/pods/<uid>`: pod.json and the stop marker. */
  runDir: string;
  /** `<runRoot>/pods/<uid>/secrets`: secret files (tmpfs). */
  secretDir: string;
  podJson: string;
  stopMarker: string;
}

const UID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/;

export function podPaths(dataRoot: string, runRoot: string, podUid: string): PodPaths {
  if (!UID_PATTERN.test(podUid) || podUid.includes("..")) {
    throw new UnsafePathError(podUid);
  }
  const runDir = path.join(runRoot, "pods", podUid);
  return {
    dataDir: path.join(dataRoot, "pods", podUid),
    runDir,
    secretDir: path.join(runDir, "secrets"),
    podJson: path.join(runDir, "pod.json"),
    stopMarker: path.join(runDir, "stopping"),
  };
}

/** Joins a relative pod file path under `base`, refusing absolute paths, `..` and empty segments. */
export function safeJoin(base: string, relative: string): string {
  if (
    relative === "" ||
    relative.length > 4096 ||
    relative.includes("\0") ||
    path.posix.isAbsolute(relative) ||
    relative.split("/").some((segment) => segment === ".." || segment === "")
  ) {
    throw new UnsafePathError(relative);
  }
  const joined = path.resolve(base, relative);
  if (!joined.startsWith(`${path.resolve(base)}${path.sep}`)) {
    throw new UnsafePathError(relative);
  }
  return joined;
}
