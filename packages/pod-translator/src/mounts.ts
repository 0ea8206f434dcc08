import type { Container } from "kubernetes-types/core/v1.js";
import { expandVariables } from "./expand.js";
import type { IssueCollector } from "./issues.js";
import { checkAbsolutePath, checkRelativePath, normalizeAbsolutePath } from "./paths.js";
import type { DirectoryPlan, EnvVarPlan, MountPlan } from "./plan-types.js";
import { CONTENT_DIR_MODE, EMPTY_DIR_MODE, type VolumesResult } from "./volumes.js";

/**
 * A container's volumeMounts → mounts. subPath/subPathExpr select a path inside the volume (validated like a
 * materialised file; a missing subPath directory is created, as the kubelet does).
 */
export function planMounts(
  container: Container,
  path: string,
  env: readonly EnvVarPlan[],
  volumes: VolumesResult,
  extraDirectories: Map<string, DirectoryPlan>,
  issues: IssueCollector,
): MountPlan[] {
  const mounts: MountPlan[] = [];
  const targets = new Set<string>();
  const values = new Map(env.map((variable) => [variable.name, variable.value]));
  (container.volumeMounts ?? []).forEach((mount, index) => {
    const mountPath = `${path}.volumeMounts[${index}]`;
    const built = volumes.byName.get(mount.name);
    if (!built) {
      issues.error(
        `${mountPath}.name`,
        `volume "${mount.name}" is not defined in spec.volumes (or is invalid)`,
      );
      return;
    }
    const targetProblem = checkAbsolutePath(mount.mountPath ?? "");
    if (targetProblem) {
      issues.error(`${mountPath}.mountPath`, `"${mount.mountPath ?? ""}" ${targetProblem}`);
      return;
    }
    const target = normalizeAbsolutePath(mount.mountPath);
    if (target === "/") {
      issues.error(`${mountPath}.mountPath`, "cannot be the root directory");
      return;
    }
    if (targets.has(target)) {
      issues.error(`${mountPath}.mountPath`, `"${target}" is mounted twice in this container`);
      return;
    }
    targets.add(target);
    if (mount.subPath && mount.subPathExpr) {
      issues.error(mountPath, "subPath and subPathExpr are mutually exclusive");
      return;
    }
    let subPath = mount.subPath ?? "";
    if (mount.subPathExpr) {
      // As the kubelet: every referenced variable must be defined and non-empty.
      const missing = new Set<string>();
      subPath = expandVariables(mount.subPathExpr, (name) => {
        const value = values.get(name);
        if (!value) {
          missing.add(name);
        }
        return value ?? "";
      });
      if (missing.size > 0) {
        issues.error(`${mountPath}.subPathExpr`, `missing value for ${[...missing].join(", ")}`);
        return;
      }
    }
    if (subPath !== "") {
      const problem = checkRelativePath(subPath);
      if (problem) {
        issues.error(
          `${mountPath}.${mount.subPathExpr ? "subPathExpr" : "subPath"}`,
          `"${subPath}" ${problem}`,
        );
        return;
      }
    }
    let propagation: MountPlan["propagation"];
    if (mount.mountPropagation === "HostToContainer") {
      propagation = "rslave";
    } else if (mount.mountPropagation === "Bidirectional") {
      // the policy admits it for privileged containers only (as Kubernetes does)
      propagation = "rshared";
    } else if (mount.mountPropagation && mount.mountPropagation !== "None") {
      issues.error(
        `${mountPath}.mountPropagation`,
        `"${mount.mountPropagation}" is not one of None, HostToContainer, Bidirectional`,
      );
      return;
    }
    if (mount.recursiveReadOnly && mount.recursiveReadOnly !== "Disabled") {
      issues.warn(`${mountPath}.recursiveReadOnly`, "not applied; the mount is read-only at its top only");
    }
    const plan = built.plan;
    const readOnly = built.forceReadOnly || mount.readOnly === true;
    const withPropagation = (item: MountPlan): MountPlan =>
      propagation === undefined || item.source.kind === "tmpfs" ? item : { ...item, propagation };
    if (plan.kind === "hostPath" && plan.hostPath) {
      mounts.push(
        withPropagation({
          volume: plan.name,
          target,
          readOnly,
          source: {
            kind: "hostPath",
            path: subPath === "" ? plan.hostPath.path : `${plan.hostPath.path}/${subPath}`,
            type: plan.hostPath.type,
          },
          ...(subPath === "" ? {} : { subPath }),
        }),
      );
      return;
    }
    if (plan.medium === "memory") {
      if (subPath !== "") {
        issues.error(
          `${mountPath}.subPath`,
          `subPath is not supported on the memory emptyDir "${plan.name}"`,
        );
        return;
      }
      const source: MountPlan["source"] = { kind: "tmpfs" };
      if (plan.sizeLimitBytes !== undefined) {
        source.sizeBytes = plan.sizeLimitBytes;
      }
      source.mode = plan.gid === undefined ? EMPTY_DIR_MODE : 0o2777;
      mounts.push({ volume: plan.name, target, readOnly, source });
      return;
    }
    const dir = plan.dir ?? "";
    const secret = plan.secret === true;
    const source: MountPlan["source"] = { kind: "dataDir", path: subPath === "" ? dir : `${dir}/${subPath}` };
    if (secret) {
      source.secret = true;
    }
    const mountPlan: MountPlan = { volume: plan.name, target, readOnly, source };
    if (subPath !== "") {
      mountPlan.subPath = subPath;
      if (built.files.has(subPath)) {
        mountPlan.isFile = true;
      } else if (!built.dirs.has(subPath)) {
        // The kubelet creates a missing subPath as a directory.
        const segments = subPath.split("/");
        for (let depth = 1; depth <= segments.length; depth++) {
          const sub = segments.slice(0, depth).join("/");
          if (built.files.has(sub)) {
            issues.error(`${mountPath}.subPath`, `"${subPath}" lies below the file "${sub}"`);
            return;
          }
          const key = `${secret ? "s" : "d"}:${dir}/${sub}`;
          if (!built.dirs.has(sub) && !extraDirectories.has(key)) {
            const directory: DirectoryPlan = {
              path: `${dir}/${sub}`,
              mode: plan.kind === "emptyDir" ? EMPTY_DIR_MODE : CONTENT_DIR_MODE,
              secret,
            };
            if (plan.gid !== undefined) {
              directory.gid = plan.gid;
            }
            extraDirectories.set(key, directory);
          }
        }
      }
    }
    mounts.push(withPropagation(mountPlan));
  });
  return mounts;
}
