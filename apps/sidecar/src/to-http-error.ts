import { IldError } from "@ild/common";
import { HttpError } from "./errors.js";

/**
 * Maps anything a handler threw to an HTTP answer. The message goes to interLink, which puts it into
 * `pod.status.message` (what `kubectl describe` shows), so it names the pod, what failed and the code.
 */
export function toHttpError(error: unknown, action: string): HttpError {
  if (error instanceof HttpError) {
    return error;
  }
  if (IldError.hasCode(error, "ILD_WIRE_INVALID")) {
    return new HttpError(400, error.code, error.message, { cause: error, details: error.details });
  }
  if (IldError.isInstance(error)) {
    const status = statusForCode(error.code);
    return new HttpError(status, error.code, `${action}: ${error.message} [${error.code}]`, {
      cause: error,
      details: error.details,
    });
  }
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) {
    return new HttpError(504, "ILD_SIDECAR_TIMEOUT", `${action}: gave up: ${error.message}`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(500, "ILD_SIDECAR_INTERNAL", `${action}: internal error: ${message}`, {
    cause: error,
  });
}

export function statusForCode(code: string): number {
  if (code === "ILD_WIRE_INVALID" || /INVALID|BAD_REQUEST|MALFORMED/.test(code)) {
    return 400;
  }
  if (/UNSUPPORTED|TRANSLATION|POLICY|FORBIDDEN|DENIED/.test(code)) {
    return 422;
  }
  if (/NOT_FOUND|UNKNOWN_POD|NO_SUCH/.test(code)) {
    return 404;
  }
  if (/CONFLICT/.test(code)) {
    return 409;
  }
  if (/TOO_MANY/.test(code)) {
    return 429;
  }
  if (/EXHAUSTED|UNAVAILABLE|BUSY|NO_CAPACITY|CLOSED|SHUTTING_DOWN/.test(code)) {
    return 503;
  }
  if (/TIMEOUT|ABORT/.test(code)) {
    return 504;
  }
  return 500;
}
