/**
 * Pod-path slots: a DIND never sees another pod's files. For each pod path the pool is given (e.g.
 * `<dataRoot>/pods`), every DIND gets its own empty host folder `<poolDir>/slots/<key>/<index>`,
 * bind-mounted at that path with rslave propagation. A lease binds its pod's folders into the slot
 * (`lease.slotFor(path)`), and the bind appears inside the running DIND; a warm DIND's slots are
 * empty (tenant-neutral). `<poolDir>/slots` is a shared mount so that those binds propagate.
 */
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { ensureSharedMount, removeTree } from "../host/host-mounts.js";

export interface DindSlot {
  /** The path inside the DIND (the same as the pod path on the host). */
  path: string;
  /** The DIND's own host folder that appears at `path` inside it. */
  hostDir: string;
}

export function slotRoot(poolDir: string): string {
  return join(poolDir, "slots");
}

export function dindSlots(poolDir: string, key: string, podPaths: readonly string[]): DindSlot[] {
  return podPaths.map((path, index) => ({ path, hostDir: join(slotRoot(poolDir), key, String(index)) }));
}

/** Makes the slot root a shared mount (idempotent); only when the pool has pod paths. */
export async function prepareSlotRoot(poolDir: string, podPaths: readonly string[]): Promise<void> {
  if (podPaths.length > 0) {
    await ensureSharedMount(slotRoot(poolDir), { noexec: false });
  }
}

export async function createSlots(slots: readonly DindSlot[]): Promise<void> {
  for (const slot of slots) {
    await mkdir(slot.hostDir, { recursive: true, mode: 0o700 });
  }
}

/** Unmounts whatever a lease bound into the DIND's slots, then removes them. */
export async function removeSlots(poolDir: string, key: string): Promise<void> {
  await removeTree(join(slotRoot(poolDir), key));
}

/** Slots of DINDs that no longer exist (after a crash). */
export async function removeStaleSlots(poolDir: string, keepKeys: ReadonlySet<string>): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(slotRoot(poolDir));
  } catch {
    return;
  }
  for (const entry of entries) {
    if (/^[0-9a-f]{8}$/.test(entry) && !keepKeys.has(entry)) {
      await removeSlots(poolDir, entry);
    }
  }
}
