import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseMountInfo } from "@ild/dind-pool";

/** The options of the mount that holds `target` (the longest mount point above it). */
export async function readMountOptions(target: string): Promise<string[]> {
  const resolved = path.resolve(target);
  const mounts = parseMountInfo(await readFile("/proc/self/mountinfo", "utf8"));
  const holder = mounts
    .filter(
      (mount) => resolved === mount.target || resolved.startsWith(`${mount.target.replace(/\/$/, "")}/`),
    )
    .sort((a, b) => b.target.length - a.target.length)[0];
  return holder?.options ?? [];
}
