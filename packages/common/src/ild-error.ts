const marker = Symbol.for("ild.error");

export interface IldErrorOptions {
  cause?: unknown;
  /** Extra structured data, safe to log and to show to a user. */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error thrown by the ild packages. `code` is a stable `ILD_*` string that callers
 * branch on; `isInstance` works across duplicate copies of a package (no `instanceof` needed).
 */
export class IldError extends Error {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read by isInstance through the symbol
  private readonly [marker] = true;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: IldErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  static isInstance(error: unknown): error is IldError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }

  /** True when `error` is an IldError carrying `code`. */
  static hasCode(error: unknown, code: string): error is IldError {
    return IldError.isInstance(error) && error.code === code;
  }
}
