import { IldError } from "@ild/common";
import type { TranslationIssue } from "./plan-types.js";

/** Stable code of {@link PodTranslationError}. */
export const POD_INVALID_CODE = "ILD_POD_INVALID";

/**
 * The pod cannot be translated. Carries every problem found (not just the first), each naming the field path,
 * e.g. `spec.containers[1].env[3].valueFrom.secretKeyRef: secret "db" was not sent`.
 */
export class PodTranslationError extends IldError {
  readonly issues: TranslationIssue[];
  readonly podName: string | undefined;
  readonly namespace: string | undefined;

  constructor(issues: TranslationIssue[], pod: { name?: string; namespace?: string } = {}) {
    const who = pod.name === undefined ? "pod" : `pod ${pod.namespace ?? "default"}/${pod.name}`;
    const lines = issues.map((issue) => `${issue.path}: ${issue.message}`);
    super(
      POD_INVALID_CODE,
      `${who} cannot be translated (${issues.length} problem(s)): ${lines.join("; ")}`,
      {
        details: { issues },
      },
    );
    this.issues = issues;
    this.podName = pod.name;
    this.namespace = pod.namespace;
  }
}

/** Stable code of {@link RenderContextError}. */
export const RENDER_CONTEXT_INVALID_CODE = "ILD_RENDER_CONTEXT_INVALID";

/** The caller's rendering context (data dirs, network mode, volume names) cannot render this plan. */
export class RenderContextError extends IldError {
  readonly field: string;

  constructor(field: string, message: string) {
    super(RENDER_CONTEXT_INVALID_CODE, `${field}: ${message}`, { details: { field } });
    this.field = field;
  }
}
