import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { parseQuantity, type Quantity, quantityMilliValue, quantityValue } from "./quantity.js";

/** What the downward API can read besides the pod itself. */
export interface DownwardContext {
  pod: Pod;
  nodeName?: string;
  podIP?: string;
  hostIP?: string;
  /** Node allocatable, used for `limits.*` when a container sets no limit (as the kubelet does). */
  nodeAllocatable?: { cpu?: string; memory?: string; "ephemeral-storage"?: string };
}

/** `soft`: the value cannot be known here (not the pod's fault); callers warn instead of failing. */
export type Resolution = { ok: true; value: string } | { ok: false; message: string; soft?: boolean };

const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/**
 * Resolves a `fieldRef.fieldPath`. `wholeMaps` allows `metadata.labels` and `metadata.annotations` (downward API
 * volumes only), rendered as Kubernetes does: sorted `key="value"` lines.
 */
export function resolveFieldPath(
  fieldPath: string,
  context: DownwardContext,
  wholeMaps: boolean,
): Resolution {
  const { pod } = context;
  const metadata = pod.metadata ?? {};
  const match = labelOrAnnotation.exec(fieldPath);
  if (match) {
    const map = match[1] === "labels" ? metadata.labels : metadata.annotations;
    return { ok: true, value: map?.[match[2] ?? ""] ?? "" };
  }
  switch (fieldPath) {
    case "metadata.name":
      return { ok: true, value: metadata.name ?? "" };
    case "metadata.namespace":
      return { ok: true, value: metadata.namespace ?? "default" };
    case "metadata.uid":
      return { ok: true, value: metadata.uid ?? "" };
    case "metadata.labels":
    case "metadata.annotations":
      if (!wholeMaps) {
        return { ok: false, message: `"${fieldPath}" is only supported in downwardAPI volumes` };
      }
      return {
        ok: true,
        value: formatMap((fieldPath === "metadata.labels" ? metadata.labels : metadata.annotations) ?? {}),
      };
    case "spec.nodeName":
      return { ok: true, value: context.nodeName ?? pod.spec?.nodeName ?? "" };
    case "spec.serviceAccountName":
      return { ok: true, value: pod.spec?.serviceAccountName ?? "" };
    case "status.podIP":
      return { ok: true, value: context.podIP ?? pod.status?.podIP ?? "" };
    case "status.podIPs":
      return {
        ok: true,
        value: context.podIP ?? (pod.status?.podIPs ?? []).map((entry) => entry.ip).join(","),
      };
    case "status.hostIP":
      return { ok: true, value: context.hostIP ?? pod.status?.hostIP ?? "" };
    case "status.hostIPs":
      return {
        ok: true,
        value: context.hostIP ?? (pod.status?.hostIPs ?? []).map((entry) => entry.ip).join(","),
      };
    default:
      return { ok: false, message: `unsupported fieldPath "${fieldPath}"` };
  }
}

/** Kubernetes' fieldpath.FormatMap: sorted `key="quoted value"` lines, no trailing newline. */
export function formatMap(map: Record<string, string>): string {
  return Object.keys(map)
    .sort()
    .map((key) => `${key}=${goQuote(map[key] ?? "")}`)
    .join("\n");
}

/** Go's `%q` for a string: double quotes, backslash escapes for `"`, `\` and control characters. */
export function goQuote(value: string): string {
  let output = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === "\\") {
      output += `\\${char}`;
    } else if (char === "\n") {
      output += "\\n";
    } else if (char === "\t") {
      output += "\\t";
    } else if (char === "\r") {
      output += "\\r";
    } else if (code < 0x20 || code === 0x7f) {
      output += `\\x${code.toString(16).padStart(2, "0")}`;
    } else {
      output += char;
    }
  }
  return `${output}"`;
}

const resourceNames = new Set([
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
]);

/**
 * Resolves a `resourceFieldRef` for `container`, as the kubelet does: CPU as `ceil(milli / divisor milli)`,
 * others as `ceil(value / divisor)`; unset limits fall back to node allocatable, unset requests to the limit.
 */
export function resolveResourceField(
  resource: string,
  divisorText: string | number | undefined,
  container: Container,
  context: DownwardContext,
): Resolution {
  if (
    !resourceNames.has(resource) &&
    !resource.startsWith("limits.hugepages-") &&
    !resource.startsWith("requests.hugepages-")
  ) {
    return { ok: false, message: `unsupported resource "${resource}"` };
  }
  const [kind = "", name = ""] = resource.split(/\.(.*)/s);
  let divisor: Quantity;
  try {
    divisor = parseQuantity(divisorText ?? "1");
  } catch (error) {
    return { ok: false, message: `divisor: ${(error as Error).message}` };
  }
  if (divisor.numerator <= 0n) {
    return { ok: false, message: "divisor must be positive" };
  }
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  let text: string | number | undefined;
  if (kind === "limits") {
    text = limits[name] ?? context.nodeAllocatable?.[name as "cpu"];
    if (text === undefined) {
      return {
        ok: false,
        message: `container "${container.name}" sets no limits.${name} and no node allocatable was given`,
        soft: true,
      };
    }
  } else {
    text = requests[name] ?? limits[name] ?? "0";
  }
  let value: Quantity;
  try {
    value = parseQuantity(text);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  if (name === "cpu") {
    const divisorMilli = quantityMilliValue(divisor);
    if (divisorMilli <= 0) {
      return { ok: false, message: "divisor must be at least 1m" };
    }
    return { ok: true, value: String(Math.ceil(quantityMilliValue(value) / divisorMilli)) };
  }
  const divisorValue = quantityValue(divisor);
  return { ok: true, value: String(Math.ceil(quantityValue(value) / divisorValue)) };
}
