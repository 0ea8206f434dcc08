/**
 * Rules for every path the translator writes or mounts. A materialised file's path is relative to the pod's
 * data directory and can never escape it: no absolute paths, no `..`, no empty or `.` segments, no NUL,
 * bounded length. We never create symbolic links, so a checked path cannot be redirected by one.
 */

export const MAX_PATH_LENGTH = 4096;
export const MAX_SEGMENT_LENGTH = 255;

/** Returns why `path` is not a safe relative path, or undefined when it is. */
export function checkRelativePath(path: string): string | undefined {
  if (path.length === 0) {
    return "must not be empty";
  }
  if (path.length > MAX_PATH_LENGTH) {
    return `must be at most ${MAX_PATH_LENGTH} characters`;
  }
  if (path.includes("\0")) {
    return "must not contain NUL";
  }
  if (path.startsWith("/")) {
    return "must be relative";
  }
  if (path.includes("\\")) {
    return "must not contain a backslash";
  }
  for (const segment of path.split("/")) {
    if (segment === "") {
      return "must not contain empty segments (leading, trailing or double '/')";
    }
    if (segment === "..") {
      return "must not contain '..'";
    }
    if (segment === ".") {
      return "must not contain '.' segments";
    }
    if (segment.length > MAX_SEGMENT_LENGTH) {
      return `segments must be at most ${MAX_SEGMENT_LENGTH} characters`;
    }
  }
  return undefined;
}

/** Returns why `path` is not a safe absolute path in a container, or undefined when it is. */
export function checkAbsolutePath(path: string): string | undefined {
  if (!path.startsWith("/")) {
    return "must be an absolute path";
  }
  if (path.length > MAX_PATH_LENGTH) {
    return `must be at most ${MAX_PATH_LENGTH} characters`;
  }
  if (path.includes("\0")) {
    return "must not contain NUL";
  }
  if (path.split("/").some((segment) => segment === "..")) {
    return "must not contain '..'";
  }
  return undefined;
}

/** Removes duplicate and trailing slashes: `/a//b/` → `/a/b`. */
export function normalizeAbsolutePath(path: string): string {
  const segments = path.split("/").filter((segment) => segment !== "" && segment !== ".");
  return `/${segments.join("/")}`;
}

/** True when `path` equals `root` or lies below it (both normalised absolute paths). */
export function isPathWithin(path: string, root: string): boolean {
  if (root === "/") {
    return true;
  }
  return path === root || path.startsWith(`${root}/`);
}

const configKeyPattern = /^[-._a-zA-Z0-9]+$/;

/** ConfigMap and Secret keys (Kubernetes: `[-._a-zA-Z0-9]+`, not `.` or `..`, at most 253 characters). */
export function checkConfigKey(key: string): string | undefined {
  if (!configKeyPattern.test(key)) {
    return "a key must consist of alphanumeric characters, '-', '_' or '.'";
  }
  if (key === "." || key === "..") {
    return "a key must not be '.' or '..'";
  }
  if (key.length > 253) {
    return "a key must be at most 253 characters";
  }
  return undefined;
}

const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 label (volume, container and port names). */
export function checkDnsLabel(name: string): string | undefined {
  if (name.length > 63) {
    return "must be at most 63 characters";
  }
  if (!dnsLabelPattern.test(name)) {
    return "must be a lowercase RFC 1123 label ([a-z0-9]([-a-z0-9]*[a-z0-9])?)";
  }
  return undefined;
}
