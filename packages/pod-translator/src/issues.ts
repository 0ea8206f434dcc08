import type { TranslationIssue } from "./plan-types.js";

/** Collects errors and warnings during one translation so the caller sees all of them at once. */
export class IssueCollector {
  readonly errors: TranslationIssue[] = [];
  readonly warnings: TranslationIssue[] = [];

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }
}
