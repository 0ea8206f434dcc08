import {
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerUnavailableError,
} from "./docker-errors.js";

const unavailableCodes = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "EHOSTUNREACH", "ENOTFOUND", "EPIPE"]);

/** The message the engine put in its JSON body (`{"message": ...}`), else the raw error text. */
function engineMessage(error: Record<string, unknown>): string {
  const json = error.json;
  if (json && typeof json === "object" && typeof (json as { message?: unknown }).message === "string") {
    return (json as { message: string }).message;
  }
  if (typeof json === "string" && json.trim() !== "") {
    return json.trim();
  }
  if (Buffer.isBuffer(json) && json.length > 0) {
    return json.toString("utf8").trim();
  }
  return typeof error.message === "string" ? error.message : String(error);
}

/** True for the errors an AbortSignal produces (ours to rethrow as they are). */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    ((error as { name?: unknown }).name === "AbortError" ||
      (error as { name?: unknown }).name === "TimeoutError" ||
      (error as { code?: unknown }).code === "ABORT_ERR")
  );
}

/**
 * Maps whatever dockerode/docker-modem/node:http threw to our typed errors, once, here.
 * 404 → DockerNotFoundError, 409 → DockerConflictError, connection failures → DockerUnavailableError,
 * aborts are returned unchanged (the caller's signal reason wins), anything else → DockerError.
 * Callers decide what is benign (304 never reaches here: the adapter treats it as success).
 */
export function toDockerError(operation: string, error: unknown, endpoint = "docker"): Error {
  if (error instanceof DockerError) {
    return error;
  }
  if (isAbortError(error)) {
    return error as Error;
  }
  if (typeof error !== "object" || error === null) {
    return new DockerError(operation, String(error), { cause: error });
  }
  const record = error as Record<string, unknown>;
  const statusCode = typeof record.statusCode === "number" ? record.statusCode : undefined;
  const message = engineMessage(record);
  if (statusCode === 404) {
    return new DockerNotFoundError(operation, message, { cause: error });
  }
  if (statusCode === 409) {
    return new DockerConflictError(operation, message, { cause: error });
  }
  if (statusCode === undefined && typeof record.code === "string" && unavailableCodes.has(record.code)) {
    return new DockerUnavailableError(operation, endpoint, message, { cause: error });
  }
  return new DockerError(operation, message, { cause: error, ...(statusCode ? { statusCode } : {}) });
}
