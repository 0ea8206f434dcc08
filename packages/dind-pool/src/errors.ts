import { IldError } from "@ild/common";

/** No warm DIND became free before the acquire deadline. */
export class PoolExhaustedError extends IldError {
  readonly poolId: string;
  readonly poolSize: number;
  readonly waitedMs: number;
  constructor(poolId: string, poolSize: number, waitedMs: number) {
    super(
      "ILD_POOL_EXHAUSTED",
      `pool ${poolId}: no DIND became available within ${waitedMs} ms (size ${poolSize}, all leased or building)`,
      { details: { poolId, poolSize, waitedMs } },
    );
    this.poolId = poolId;
    this.poolSize = poolSize;
    this.waitedMs = waitedMs;
  }
}

/** The pool was closed (acquire after close, or waiters pending at close). */
export class PoolClosedError extends IldError {
  readonly poolId: string;
  constructor(poolId: string) {
    super("ILD_POOL_CLOSED", `pool ${poolId} is closed`, { details: { poolId } });
    this.poolId = poolId;
  }
}

/** Bad pool options; `field` is the option path (e.g. `poolId`, `sharedPaths[1].path`). */
export class InvalidPoolOptionsError extends IldError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("ILD_POOL_OPTIONS_INVALID", `${field}: ${message}`, { details: { field } });
    this.field = field;
  }
}

export type DindStartPhase = "prepare" | "create" | "start" | "ready";

/** A DIND could not be built; it was removed again (container, network, volumes, socket dir). */
export class DindStartError extends IldError {
  readonly containerName: string;
  readonly phase: DindStartPhase;
  /** The DIND's last log lines (dockerd's own diagnostics). */
  readonly logTail: string[];
  readonly exitCode: number | undefined;
  constructor(
    containerName: string,
    phase: DindStartPhase,
    message: string,
    options: { logTail?: string[]; exitCode?: number; cause?: unknown } = {},
  ) {
    const tail = options.logTail ?? [];
    super(
      "ILD_DIND_START_FAILED",
      `DIND ${containerName} failed during ${phase}: ${message}${tail.length > 0 ? `\n--- last log lines ---\n${tail.join("\n")}` : ""}`,
      { cause: options.cause, details: { containerName, phase, exitCode: options.exitCode } },
    );
    this.containerName = containerName;
    this.phase = phase;
    this.logTail = tail;
    this.exitCode = options.exitCode;
  }
}

/** An egress CIDR is not a valid IPv4 CIDR; `field` is e.g. `egress.allowCidrs[2]`. */
export class InvalidEgressError extends IldError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("ILD_EGRESS_INVALID", `${field}: ${message}`, { details: { field } });
    this.field = field;
  }
}

/** Installing the egress rules inside the DIND failed. */
export class EgressSetupError extends IldError {
  readonly containerId: string;
  constructor(containerId: string, message: string, options: { cause?: unknown } = {}) {
    super("ILD_EGRESS_FAILED", `egress rules for ${containerId.slice(0, 12)}: ${message}`, {
      cause: options.cause,
      details: { containerId },
    });
    this.containerId = containerId;
  }
}

/** An image could not be made available to an inner engine. */
export class ImageDeliveryError extends IldError {
  readonly reference: string;
  constructor(reference: string, message: string, options: { cause?: unknown } = {}) {
    super("ILD_IMAGE_DELIVERY_FAILED", `image ${reference}: ${message}`, {
      cause: options.cause,
      details: { reference },
    });
    this.reference = reference;
  }
}

/** A mount the pool or runner makes on the host (pod folders into a DIND's slot) failed. */
export class HostMountError extends IldError {
  readonly operation: string;
  constructor(operation: string, message: string, options: { cause?: unknown } = {}) {
    super("ILD_HOST_MOUNT_FAILED", `${operation}: ${message}`, {
      cause: options.cause,
      details: { operation },
    });
    this.operation = operation;
  }
}

/**
 * The host engine refused the DIND's security settings in the start-up probe (`securityMode: auto`
 * never falls back to a weaker set by itself): set `Ild.dind.securityMode` / `Ild.dind.runtime`.
 */
export class DindSecurityProbeError extends IldError {
  readonly mode: string;
  constructor(mode: string, message: string, options: { cause?: unknown } = {}) {
    super(
      "ILD_DIND_SECURITY_PROBE_FAILED",
      `the host engine refused the ${mode} DIND security settings: ${message}; choose another Ild.dind.securityMode (capabilities or privileged are explicit opt-ins) or fix Ild.dind.runtime`,
      { cause: options.cause, details: { mode } },
    );
    this.mode = mode;
  }
}
