import { IldError } from "@ild/common";

/** A CDI spec file that cannot be used: names the file and the field path. */
export class CdiSpecError extends IldError {
  static readonly code = "ILD_CDI_SPEC_INVALID";
  readonly file: string;
  readonly field: string;

  constructor(file: string, field: string, message: string) {
    super(CdiSpecError.code, `${file}: ${field}: ${message}`, { details: { file, field } });
    this.file = file;
    this.field = field;
  }
}

/** The edits for a device name a device node or a driver file that is not on this host. */
export class DeviceFileMissingError extends IldError {
  static readonly code = "ILD_DEVICE_FILE_MISSING";
  readonly deviceId: string;
  readonly path: string;

  constructor(deviceId: string, path: string, source: string) {
    super(
      DeviceFileMissingError.code,
      `device ${deviceId}: ${source} names ${path}, which does not exist on this host`,
      {
        details: { deviceId, path, source },
      },
    );
    this.deviceId = deviceId;
    this.path = path;
  }
}

/** No NVIDIA driver on this host: neither a CDI spec nor the driver's device nodes and libraries. */
export class NvidiaDriverMissingError extends IldError {
  static readonly code = "ILD_NVIDIA_DRIVER_MISSING";

  constructor(reason: string) {
    super(NvidiaDriverMissingError.code, `no NVIDIA driver files for the containers: ${reason}`, {
      details: { reason },
    });
  }
}

/** A booked device has no spec entry (CDI) or no device node (discovery). */
export class DeviceEditsMissingError extends IldError {
  static readonly code = "ILD_DEVICE_EDITS_MISSING";
  readonly deviceId: string;

  constructor(deviceId: string, reason: string) {
    super(DeviceEditsMissingError.code, `device ${deviceId}: ${reason}`, { details: { deviceId } });
    this.deviceId = deviceId;
  }
}
