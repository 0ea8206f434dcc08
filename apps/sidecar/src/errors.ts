import { IldError } from "@ild/common";

/** An answer the HTTP layer gives on purpose: a status code and a message a user can act on. */
export class HttpError extends IldError {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(code, message, { cause: options.cause, details: options.details });
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** A request body field failed validation; `path` names the field (`pod.metadata.uid`, `[0].metadata`). */
export class RequestValidationError extends HttpError {
  readonly path: string;

  constructor(what: string, path: string, problem: string) {
    super(400, "ILD_SIDECAR_BAD_REQUEST", `invalid ${what}: ${path === "" ? "" : `${path}: `}${problem}`, {
      details: { path },
    });
    this.path = path;
  }
}

/** The sidecar cannot start: a clear one-line reason, no stack trace (exit code 1). */
export class StartupError extends IldError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}
