/**
 * Labels are the source of truth for everything the pool creates on the host engine (containers,
 * networks, volumes). Docker labels are immutable, so the lease state lives in two places:
 *
 * - the DIND container carries `io.ild.lease-state=building` when it was created for the warm pool
 *   (it never changes), or `leased` + `io.ild.pod-uid` when it was built for one lease (devices);
 * - when a pool DIND is leased, the pool creates a small **lease-marker volume**
 *   `<dind name>-lease` labelled `io.ild.role=lease-marker`, `io.ild.lease-state=leased`,
 *   `io.ild.pod-uid=<uid>` and `io.ild.dind=<dind name>`, BEFORE the lease is handed out, and
 *   removes it AFTER the DIND is destroyed.
 *
 * After a restart, `reconcile()` re-adopts exactly the DINDs that have a marker and removes every
 * other DIND of the pool (building/warm/half-built, also one built for a lease but never handed
 * out: the marker is written only once the DIND is ready) with its network,
 * volumes and socket directory. Everything is scoped by `io.ild.pool-id`: nothing of another pool
 * (or of anyone else) is ever listed, let alone removed.
 */
export const managedByValue = "dind-pool";

export const labelKeys = {
  managedBy: "io.ild.managed-by",
  poolId: "io.ild.pool-id",
  role: "io.ild.role",
  leaseState: "io.ild.lease-state",
  podUid: "io.ild.pod-uid",
  /** Name of the DIND a network/volume/marker belongs to. */
  dind: "io.ild.dind",
  /** Host path of the DIND's socket directory. */
  socketDir: "io.ild.socket-dir",
  /** Host path of the seed store the DIND was started from (empty when none). */
  seed: "io.ild.seed",
  sessionId: "io.ild.session-id",
  createdAt: "io.ild.created-at",
} as const;

export type DindRole = "dind" | "network" | "data" | "lease-marker" | "probe" | "seed-builder";
export type LeaseStateLabel = "building" | "warm" | "leased";

/** The labels shared by everything the pool `poolId` creates. */
export function poolLabels(
  poolId: string,
  role: DindRole,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...extra,
    [labelKeys.managedBy]: managedByValue,
    [labelKeys.poolId]: poolId,
    [labelKeys.role]: role,
  };
}

/** Label filters (`key=value`) selecting this pool's objects, optionally one role. */
export function poolFilter(poolId: string, role?: DindRole): string[] {
  const filters = [`${labelKeys.managedBy}=${managedByValue}`, `${labelKeys.poolId}=${poolId}`];
  if (role !== undefined) {
    filters.push(`${labelKeys.role}=${role}`);
  }
  return filters;
}
