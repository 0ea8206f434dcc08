/**
 * Parser for `nvidia-smi topo -m` (docs/gpu.md §1.7): TAB-separated matrix, ANSI underline on the header,
 * GPU rows with more cells than the header (double TABs), NIC columns/rows, a legend after a blank line.
 */

/** `X` (self), `NV<n>`, `PIX`, `PXB`, `PHB`, `NODE`, `SYS`, or what the driver printed. */
export type NvidiaLinkType = string;

export interface NvidiaTopologyGpu {
  /** `GPU3` → 3. */
  index: number;
  /** Column label → link type, for every other GPU and NIC column. */
  links: Record<string, NvidiaLinkType>;
  cpuAffinity: string | null;
  /** NUMA node the GPU is attached to; null when nvidia-smi says `N/A`. */
  numaNode: number | null;
  gpuNumaId: number | null;
}

export interface NvidiaTopology {
  /** Device column labels in order: `GPU0`, `GPU1`, …, `NIC0`, … */
  columns: string[];
  gpus: NvidiaTopologyGpu[];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are what we strip
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

function nullable(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" || trimmed === "N/A" ? null : trimmed;
}

function toInt(value: string | null): number | null {
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

/** Returns null when the text has no `GPU0`-style header row. */
export function parseNvidiaSmiTopology(text: string): NvidiaTopology | null {
  const all = text.replace(ANSI, "").replace(/\r\n/g, "\n").split("\n");
  const headerAt = all.findIndex((line) => /^\t/.test(line) && /\tGPU\d+/.test(line));
  if (headerAt < 0) {
    return null;
  }
  const headerCells = (all[headerAt] ?? "").split("\t").slice(1);
  const columns = headerCells.filter((c) => /^(GPU|NIC)\d+$/.test(c.trim())).map((c) => c.trim());
  const gpus: NvidiaTopologyGpu[] = [];
  for (const line of all.slice(headerAt + 1)) {
    if (line.trim() === "") {
      break; // the legend follows the first blank line
    }
    const cells = line.split("\t");
    const label = cells[0]?.trim() ?? "";
    const gpu = /^GPU(\d+)$/.exec(label);
    if (!gpu) {
      continue; // NIC rows
    }
    const links: Record<string, NvidiaLinkType> = {};
    columns.forEach((column, i) => {
      const cell = cells[i + 1]?.trim() ?? "";
      if (column !== label && cell !== "" && cell !== "X") {
        links[column] = cell;
      }
    });
    const rest = cells.slice(columns.length + 1).filter((c) => c !== "");
    gpus.push({
      index: Number(gpu[1]),
      links,
      cpuAffinity: nullable(rest[0]),
      numaNode: toInt(nullable(rest[1])),
      gpuNumaId: toInt(nullable(rest[2])),
    });
  }
  return { columns, gpus };
}

/**
 * Pair score as in NVIDIA's go-gpuallocator best-effort policy: NV<n> = 100·n, PIX 50, PXB 40, PHB 30,
 * NODE 20, SYS 10; unknown 0.
 */
export function linkScore(link: NvidiaLinkType | undefined): number {
  if (link === undefined) {
    return 0;
  }
  const nv = /^NV(\d+)$/.exec(link);
  if (nv) {
    return 100 * Number(nv[1]);
  }
  switch (link) {
    case "PIX":
      return 50;
    case "PXB":
      return 40;
    case "PHB":
      return 30;
    case "NODE":
      return 20;
    case "SYS":
      return 10;
    default:
      return 0;
  }
}
