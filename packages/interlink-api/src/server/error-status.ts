import { IldError } from "@ild/common";
import { WIRE_INVALID } from "../errors.js";

/** IldError code → HTTP status. Bad input is 400; anything not listed is 500. */
export type ErrorStatusMap = Readonly<Record<string, number>>;

export const defaultErrorStatuses: ErrorStatusMap = Object.freeze({ [WIRE_INVALID]: 400 });

/** The HTTP status for a thrown error: by IldError code (`extra` first, then the defaults), else 500. */
export function errorToStatus(error: unknown, extra: ErrorStatusMap = {}): number {
  if (IldError.isInstance(error)) {
    const status = extra[error.code] ?? defaultErrorStatuses[error.code];
    if (status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599) {
      return status;
    }
  }
  return 500;
}

/** A one-line human-readable text for an error: interLink shows it in pod.status.message. */
export function errorToMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message === "" ? error.name : error.message;
  }
  return typeof error === "string" ? error : "internal error";
}
