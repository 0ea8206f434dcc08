import type { z } from "zod";
import type { WireIssue } from "../errors.js";

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders a zod issue path as `pod.metadata.uid`, `container[0].secrets[1].data["ca.crt"]` or `[0].metadata`. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>, prefix = ""): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === "number") {
      out += `[${segment}]`;
    } else if (typeof segment === "string" && identifier.test(segment)) {
      out += out === "" ? segment : `.${segment}`;
    } else {
      out += `[${JSON.stringify(String(segment))}]`;
    }
  }
  return out;
}

/** A short description of a JSON value for error messages: `null`, `a number`, `"abc"`. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return "nothing";
  }
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  switch (typeof value) {
    case "string": {
      const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
      return `'${shown}'`;
    }
    case "number":
    case "boolean":
      return String(value);
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

const article: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "a boolean",
  object: "an object",
  record: "an object",
  map: "an object",
  array: "an array",
  null: "null",
};

/** Per-parse zod error map: "required", "expected a string, got 42", or the schema's own message. */
export function wireErrorMap(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) {
      return "required";
    }
    const expected = article[issue.expected] ?? issue.expected;
    return `expected ${expected}, got ${describeValue(issue.input)}`;
  }
  return undefined;
}

/** Converts a zod error into wire issues, with paths prefixed by `prefix` (e.g. `[0]` for a legacy array). */
export function toWireIssues(error: z.ZodError, prefix = ""): WireIssue[] {
  const issues: WireIssue[] = [];
  const seen = new Set<string>();
  for (const issue of error.issues) {
    const path = formatIssuePath(issue.path, prefix);
    const key = `${path}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push({ path, message: issue.message });
    }
  }
  return issues;
}
