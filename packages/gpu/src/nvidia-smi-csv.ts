/**
 * Parsers for `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` and `--query-compute-apps`.
 * Rules (docs/gpu.md §1.3): fields are separated by `", "`, never quoted; a value is null when it is
 * empty, `N/A`, or any bracketed token (`[N/A]`, `[Not Supported]`, `[Requested functionality …]`).
 */

/** The fields discovery asks for, in this order. */
export const NVIDIA_QUERY_GPU_FIELDS = [
  "index",
  "uuid",
  "name",
  "pci.bus_id",
  "memory.total",
  "memory.used",
  "memory.free",
  "utilization.gpu",
  "temperature.gpu",
  "driver_version",
  "compute_mode",
  "mig.mode.current",
] as const;

export const NVIDIA_QUERY_COMPUTE_APPS_FIELDS = ["pid", "gpu_uuid", "used_memory"] as const;

/** One physical GPU as `--query-gpu` reports it. Unavailable values are null. */
export interface NvidiaGpuInfo {
  index: number;
  uuid: string;
  name: string | null;
  pciBusId: string | null;
  memoryTotalMiB: number | null;
  memoryUsedMiB: number | null;
  memoryFreeMiB: number | null;
  utilizationGpuPercent: number | null;
  temperatureGpuC: number | null;
  driverVersion: string | null;
  computeMode: string | null;
  /** `true` Enabled, `false` Disabled, `null` when the GPU cannot do MIG (`[N/A]`). */
  migEnabled: boolean | null;
  /** Every requested field by name, after null normalisation (also fields not mapped above). */
  raw: Record<string, string | null>;
}

export interface NvidiaComputeApp {
  pid: number;
  /** Parent GPU UUID, also for processes on a MIG instance. */
  gpuUuid: string;
  usedMemoryMiB: number | null;
}

export interface CsvParseResult<T> {
  rows: T[];
  /** Lines that did not parse, with why (1-based line numbers). */
  rejected: Array<{ line: number; text: string; reason: string }>;
}

/** nvidia-smi's null rule: empty, `N/A`, or a bracketed token. Other values are trimmed. */
export function normalizeNvidiaSmiValue(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === "" || trimmed === "N/A" || /^\[.*\]$/.test(trimmed)) {
    return null;
  }
  return trimmed;
}

/** Splits one CSV line on `", "`. Use `maxFields` to keep a free-text last field whole. */
export function splitNvidiaSmiCsvLine(line: string, maxFields?: number): string[] {
  const parts = line.split(", ");
  if (maxFields !== undefined && parts.length > maxFields && maxFields > 0) {
    return [...parts.slice(0, maxFields - 1), parts.slice(maxFields - 1).join(", ")];
  }
  return parts;
}

function lines(text: string): Array<{ line: number; text: string }> {
  return text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((t, i) => ({ line: i + 1, text: t }))
    .filter((l) => l.text.trim() !== "");
}

function toNumber(value: string | null): number | null {
  if (value === null) {
    return null;
  }
  // with units (no `nounits`): `81559 MiB`, `0 %`, `69.85 W`
  const match = /^(-?\d+(?:\.\d+)?)(?:\s*(?:MiB|%|W|MHz|us|C))?$/.exec(value);
  return match?.[1] === undefined ? null : Number(match[1]);
}

const GPU_UUID = /^GPU-[0-9a-fA-F-]+$/;

/** Parses a noheader `--query-gpu` answer for `fields` (default: {@link NVIDIA_QUERY_GPU_FIELDS}). */
export function parseQueryGpuCsv(
  text: string,
  fields: readonly string[] = NVIDIA_QUERY_GPU_FIELDS,
): CsvParseResult<NvidiaGpuInfo> {
  const rows: NvidiaGpuInfo[] = [];
  const rejected: CsvParseResult<NvidiaGpuInfo>["rejected"] = [];
  for (const { line, text: lineText } of lines(text)) {
    const cells = splitNvidiaSmiCsvLine(lineText);
    if (cells.length !== fields.length) {
      rejected.push({
        line,
        text: lineText,
        reason: `expected ${fields.length} fields, got ${cells.length}`,
      });
      continue;
    }
    const raw: Record<string, string | null> = {};
    fields.forEach((field, i) => {
      raw[field] = normalizeNvidiaSmiValue(cells[i] ?? "");
    });
    const index = raw.index === undefined || raw.index === null ? null : Number(raw.index);
    const uuid = raw.uuid ?? raw.gpu_uuid ?? null;
    if (index === null || !Number.isInteger(index) || index < 0) {
      rejected.push({ line, text: lineText, reason: "index is not a non-negative integer" });
      continue;
    }
    if (uuid === null || !GPU_UUID.test(uuid)) {
      rejected.push({ line, text: lineText, reason: "uuid is not a GPU-… UUID" });
      continue;
    }
    const mig = raw["mig.mode.current"] ?? null;
    rows.push({
      index,
      uuid,
      name: raw.name ?? raw.gpu_name ?? null,
      pciBusId: raw["pci.bus_id"] ?? raw.gpu_bus_id ?? null,
      memoryTotalMiB: toNumber(raw["memory.total"] ?? null),
      memoryUsedMiB: toNumber(raw["memory.used"] ?? null),
      memoryFreeMiB: toNumber(raw["memory.free"] ?? null),
      utilizationGpuPercent: toNumber(raw["utilization.gpu"] ?? null),
      temperatureGpuC: toNumber(raw["temperature.gpu"] ?? null),
      driverVersion: raw.driver_version ?? null,
      computeMode: raw.compute_mode ?? null,
      migEnabled: mig === null ? null : mig === "Enabled",
      raw,
    });
  }
  return { rows, rejected };
}

/** Parses a noheader `--query-compute-apps=pid,gpu_uuid,used_memory` answer. Empty text = no processes. */
export function parseComputeAppsCsv(text: string): CsvParseResult<NvidiaComputeApp> {
  const rows: NvidiaComputeApp[] = [];
  const rejected: CsvParseResult<NvidiaComputeApp>["rejected"] = [];
  for (const { line, text: lineText } of lines(text)) {
    const cells = splitNvidiaSmiCsvLine(lineText);
    if (cells.length !== NVIDIA_QUERY_COMPUTE_APPS_FIELDS.length) {
      rejected.push({ line, text: lineText, reason: `expected 3 fields, got ${cells.length}` });
      continue;
    }
    const pid = Number(normalizeNvidiaSmiValue(cells[0] ?? ""));
    const gpuUuid = normalizeNvidiaSmiValue(cells[1] ?? "");
    if (!Number.isInteger(pid) || pid <= 0 || gpuUuid === null || !GPU_UUID.test(gpuUuid)) {
      rejected.push({ line, text: lineText, reason: "pid or gpu_uuid invalid" });
      continue;
    }
    rows.push({ pid, gpuUuid, usedMemoryMiB: toNumber(normalizeNvidiaSmiValue(cells[2] ?? "")) });
  }
  return { rows, rejected };
}

/**
 * Parses a `--format=csv` answer WITH its header (any field list): header names lose their unit suffix
 * (` [MiB]`), values their units. Each row is a name → value map. Free-text last fields stay whole.
 */
export function parseNvidiaSmiCsvWithHeader(text: string): CsvParseResult<Record<string, string | null>> {
  const all = lines(text);
  const header = all.shift();
  if (header === undefined) {
    return { rows: [], rejected: [] };
  }
  const names = splitNvidiaSmiCsvLine(header.text).map((h) => h.replace(/\s*\[[^\]]*\]$/, "").trim());
  const rows: Array<Record<string, string | null>> = [];
  const rejected: CsvParseResult<Record<string, string | null>>["rejected"] = [];
  for (const { line, text: lineText } of all) {
    const cells = splitNvidiaSmiCsvLine(lineText, names.length);
    if (cells.length !== names.length) {
      rejected.push({ line, text: lineText, reason: `expected ${names.length} fields, got ${cells.length}` });
      continue;
    }
    const row: Record<string, string | null> = {};
    names.forEach((name, i) => {
      row[name] = normalizeNvidiaSmiValue(cells[i] ?? "");
    });
    rows.push(row);
  }
  return { rows, rejected };
}
