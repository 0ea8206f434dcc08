import type { IssueCollector } from "../issues.js";
import { isPathWithin, normalizeAbsolutePath } from "../paths.js";

/**
 * hostPath volumes only at or below an allow-listed prefix (`Ild.policy.hostPathAllowList`), at every
 * level. Lexical, on normalised paths: the engine resolves symlinks before it mounts.
 */
export function checkHostPathAllowed(
  hostPath: string,
  volumeName: string,
  path: string,
  allowList: readonly string[],
  issues: IssueCollector,
): boolean {
  const normalized = normalizeAbsolutePath(hostPath);
  if (allowList.some((root) => isPathWithin(normalized, normalizeAbsolutePath(root)))) {
    return true;
  }
  issues.error(
    path,
    `hostPath "${normalized}" of volume "${volumeName}" is not allowed by policy (Ild.policy.hostPathAllowList: ${
      allowList.length === 0 ? "none" : allowList.join(", ")
    })`,
  );
  return false;
}
