import { IldError } from "@ild/common";

/** Per resource: how many devices a pod asked for, and how many the book had free. */
export interface ResourceShortage {
  resource: string;
  requested: number;
  free: number;
  total: number;
}

/** A pod asked for more devices of a resource than the book has free. Nothing was booked. */
export class DeviceUnavailableError extends IldError {
  static readonly code = "ILD_DEVICE_UNAVAILABLE";
  readonly podUid: string;
  /** Resource name → total count the pod asked for (all containers together). */
  readonly requested: Record<string, number>;
  /** Resource name → devices free before this request. */
  readonly free: Record<string, number>;
  readonly shortages: ResourceShortage[];

  constructor(
    podUid: string,
    requested: Record<string, number>,
    free: Record<string, number>,
    total: Record<string, number>,
  ) {
    const shortages: ResourceShortage[] = Object.keys(requested)
      .filter((resource) => (requested[resource] ?? 0) > (free[resource] ?? 0))
      .map((resource) => ({
        resource,
        requested: requested[resource] ?? 0,
        free: free[resource] ?? 0,
        total: total[resource] ?? 0,
      }));
    const described = (
      shortages.length > 0
        ? shortages
        : Object.keys(requested).map((resource) => ({
            resource,
            requested: requested[resource] ?? 0,
            free: free[resource] ?? 0,
            total: total[resource] ?? 0,
          }))
    )
      .map((s) => `${s.resource}: asked ${s.requested}, free ${s.free} of ${s.total}`)
      .join("; ");
    super(DeviceUnavailableError.code, `pod ${podUid}: not enough devices (${described})`, {
      details: { podUid, requested, free, total },
    });
    this.podUid = podUid;
    this.requested = requested;
    this.free = free;
    this.shortages = shortages;
  }
}

/** A device request is malformed (not an integer, negative, bad pod UID, duplicate container). */
export class DeviceRequestError extends IldError {
  static readonly code = "ILD_DEVICE_REQUEST_INVALID";
  /** Path of the offending field, e.g. `requests[1].requests["nvidia.com/gpu"]`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(DeviceRequestError.code, `${field}: ${message}`, { details: { field } });
    this.field = field;
  }
}

/** The pod already holds an allocation that differs from the new request; release it first. */
export class DeviceAllocationConflictError extends IldError {
  static readonly code = "ILD_DEVICE_ALLOCATION_CONFLICT";
  readonly podUid: string;

  constructor(podUid: string) {
    super(
      DeviceAllocationConflictError.code,
      `pod ${podUid} already holds a different device allocation; release it before allocating again`,
      { details: { podUid } },
    );
    this.podUid = podUid;
  }
}

/** Device configuration (generic device map, device list given to the book) is invalid. */
export class DeviceConfigError extends IldError {
  static readonly code = "ILD_DEVICE_CONFIG_INVALID";
  readonly field: string;

  constructor(field: string, message: string) {
    super(DeviceConfigError.code, `${field}: ${message}`, { details: { field } });
    this.field = field;
  }
}

/** The book could not write its state file. The allocation that triggered the write was rolled back. */
export class DeviceBookPersistError extends IldError {
  static readonly code = "ILD_DEVICE_BOOK_PERSIST_FAILED";
  readonly path: string;

  constructor(path: string, cause: unknown) {
    super(DeviceBookPersistError.code, `could not persist the device book to ${path}: ${String(cause)}`, {
      cause,
      details: { path },
    });
    this.path = path;
  }
}

/** A device label (`io.ild.devices`) could not be decoded. */
export class DeviceLabelError extends IldError {
  static readonly code = "ILD_DEVICE_LABEL_INVALID";

  constructor(message: string) {
    super(DeviceLabelError.code, message);
  }
}
