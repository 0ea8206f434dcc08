import { IldError } from "@ild/common";

/** One problem found in a wire object: `path` is like `pod.metadata.uid` or `container[0].secrets[1].data`. */
export interface WireIssue {
  path: string;
  message: string;
}

export const WIRE_INVALID = "ILD_WIRE_INVALID";

/**
 * A request or response body does not have the shape of the interLink wire contract. `what` names the
 * object ("create request", "status response", …) and `issues` lists every problem with its field path.
 */
export class WireValidationError extends IldError {
  readonly what: string;
  readonly issues: readonly WireIssue[];

  constructor(what: string, issues: readonly WireIssue[], options: { cause?: unknown } = {}) {
    const lines = issues.map((issue) =>
      issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`,
    );
    super(WIRE_INVALID, `invalid ${what}: ${lines.join("; ")}`, {
      cause: options.cause,
      details: { what, issues },
    });
    this.what = what;
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
  }
}
