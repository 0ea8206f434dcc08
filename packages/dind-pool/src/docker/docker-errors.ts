import { IldError } from "@ild/common";

/** Any failed Docker Engine API call. `statusCode` is the HTTP status when the engine answered. */
export class DockerError extends IldError {
  readonly statusCode: number | undefined;
  /** What was being done, e.g. `container.start`. */
  readonly operation: string;

  constructor(
    operation: string,
    message: string,
    options: { statusCode?: number; cause?: unknown; code?: string } = {},
  ) {
    super(options.code ?? "ILD_DOCKER_ERROR", `${operation}: ${message}`, {
      cause: options.cause,
      details: { operation, statusCode: options.statusCode },
    });
    this.operation = operation;
    this.statusCode = options.statusCode;
  }
}

/** 404: no such container, image, network or volume. */
export class DockerNotFoundError extends DockerError {
  constructor(operation: string, message: string, options: { cause?: unknown } = {}) {
    super(operation, message, { ...options, statusCode: 404, code: "ILD_DOCKER_NOT_FOUND" });
  }
}

/** 409: name in use, removal in progress, container not running for exec, network has endpoints. */
export class DockerConflictError extends DockerError {
  constructor(operation: string, message: string, options: { cause?: unknown } = {}) {
    super(operation, message, { ...options, statusCode: 409, code: "ILD_DOCKER_CONFLICT" });
  }
}

/** The engine answered with something we cannot parse (bad NDJSON line, truncated frame). */
export class DockerProtocolError extends DockerError {
  constructor(operation: string, message: string, options: { cause?: unknown } = {}) {
    super(operation, message, { ...options, code: "ILD_DOCKER_PROTOCOL" });
  }
}

/** An in-band error line of a pull/load/build progress stream (HTTP 200, then `{"error": ...}`). */
export class DockerStreamError extends DockerError {
  constructor(operation: string, message: string, options: { cause?: unknown } = {}) {
    super(operation, message, { ...options, code: "ILD_DOCKER_STREAM" });
  }
}

/** The engine could not be reached at all (socket missing, connection refused, TLS failure). */
export class DockerUnavailableError extends DockerError {
  readonly endpoint: string;
  constructor(operation: string, endpoint: string, message: string, options: { cause?: unknown } = {}) {
    super(operation, `${endpoint}: ${message}`, { ...options, code: "ILD_DOCKER_UNAVAILABLE" });
    this.endpoint = endpoint;
  }
}
