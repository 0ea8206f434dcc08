/** How a raw setting is shown in messages: `'abc'`, `42`, `true`, `a list`, `an object`. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return "nothing";
  }
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "a list";
  }
  if (typeof value === "string") {
    return `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;
  }
  if (typeof value === "object") {
    return "a mapping";
  }
  return String(value);
}
