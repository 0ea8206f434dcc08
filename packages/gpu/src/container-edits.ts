/**
 * Container edits in the Container Device Interface (CDI) shape: what a container needs to use a device
 * (its device nodes, the driver files bind-mounted read-only, environment, hooks). Built from a CDI spec
 * (cdi-spec.ts) or by discovery (nvidia-edits.ts); rendered into Docker bodies by docker-rendering.ts.
 */

export interface DeviceNodeEdit {
  /** Path inside the container. */
  path: string;
  /** Path on the host (or in the DIND) when it differs from `path`. */
  hostPath?: string;
  type?: "c" | "b";
  major?: number;
  minor?: number;
  /** cgroup permissions, `rwm` when unset. */
  permissions?: string;
}

export interface MountEdit {
  hostPath: string;
  containerPath: string;
  /** CDI mount options (`ro`, `nosuid`, `nodev`, `bind`, …). ild always mounts read-only. */
  options?: string[];
}

/** An OCI hook named by the spec (e.g. nvidia-ctk `create-symlinks`). Recorded; Docker bodies cannot run them. */
export interface HookEdit {
  hookName: string;
  path: string;
  args?: string[];
  env?: string[];
}

export interface ContainerEdits {
  deviceNodes: DeviceNodeEdit[];
  mounts: MountEdit[];
  /** `NAME=value` entries. */
  env: string[];
  hooks: HookEdit[];
}

export function emptyEdits(): ContainerEdits {
  return { deviceNodes: [], mounts: [], env: [], hooks: [] };
}

/**
 * Merges edits in order: a device node or a mount appears once (first one wins, keyed by its path in the
 * container), an env variable keeps its last value (CDI: device edits override the spec's common ones).
 */
export function mergeEdits(...all: ReadonlyArray<ContainerEdits | undefined>): ContainerEdits {
  const merged = emptyEdits();
  const env = new Map<string, string>();
  for (const edits of all) {
    if (edits === undefined) {
      continue;
    }
    for (const node of edits.deviceNodes) {
      if (!merged.deviceNodes.some((existing) => existing.path === node.path)) {
        merged.deviceNodes.push({ ...node });
      }
    }
    for (const mount of edits.mounts) {
      if (!merged.mounts.some((existing) => existing.containerPath === mount.containerPath)) {
        merged.mounts.push({ ...mount, ...(mount.options ? { options: [...mount.options] } : {}) });
      }
    }
    for (const entry of edits.env) {
      const name = entry.split("=", 1)[0] ?? entry;
      env.delete(name);
      env.set(name, entry);
    }
    for (const hook of edits.hooks) {
      if (!merged.hooks.some((existing) => JSON.stringify(existing) === JSON.stringify(hook))) {
        merged.hooks.push(hook);
      }
    }
  }
  merged.env = [...env.values()];
  return merged;
}
