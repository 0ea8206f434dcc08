/**
 * Prometheus text exposition (format 0.0.4) written by hand: a few counters and histograms are all the
 * sidecar needs, so no client library.
 */

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

interface HistogramSeries {
  labels: Record<string, string>;
  counts: number[];
  sum: number;
  count: number;
}

export interface Histogram {
  observe(labels: Record<string, string>, seconds: number): void;
  render(): string;
}

export function createHistogram(name: string, help: string, buckets = DEFAULT_BUCKETS): Histogram {
  const series = new Map<string, HistogramSeries>();
  return {
    observe(labels, seconds) {
      const key = labelText(labels);
      let entry = series.get(key);
      if (entry === undefined) {
        entry = { labels, counts: buckets.map(() => 0), sum: 0, count: 0 };
        series.set(key, entry);
      }
      for (const [index, bound] of buckets.entries()) {
        if (seconds <= bound) {
          entry.counts[index] = (entry.counts[index] ?? 0) + 1;
        }
      }
      entry.sum += seconds;
      entry.count += 1;
    },
    render() {
      const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
      for (const entry of series.values()) {
        for (const [index, bound] of buckets.entries()) {
          lines.push(
            `${name}_bucket${labelText({ ...entry.labels, le: String(bound) })} ${entry.counts[index]}`,
          );
        }
        lines.push(`${name}_bucket${labelText({ ...entry.labels, le: "+Inf" })} ${entry.count}`);
        lines.push(`${name}_sum${labelText(entry.labels)} ${entry.sum}`);
        lines.push(`${name}_count${labelText(entry.labels)} ${entry.count}`);
      }
      return lines.join("\n");
    },
  };
}

export function renderGauge(
  name: string,
  help: string,
  samples: Array<[Record<string, string>, number]>,
): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const [labels, value] of samples) {
    lines.push(`${name}${labelText(labels)} ${value}`);
  }
  return lines.join("\n");
}

export function renderCounter(
  name: string,
  help: string,
  samples: Array<[Record<string, string>, number]>,
): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} counter`];
  for (const [labels, value] of samples) {
    lines.push(`${name}${labelText(labels)} ${value}`);
  }
  return lines.join("\n");
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) {
    return "";
  }
  return `{${entries.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(",")}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

export interface SidecarMetrics {
  requestDuration: Histogram;
  createDuration: Histogram;
  countRequest(route: string, status: number): void;
  /** Renders everything; `gauges` are sampled at scrape time (pods by phase, pool counts). */
  render(gauges: string[]): string;
}

export function createSidecarMetrics(): SidecarMetrics {
  const requestDuration = createHistogram(
    "ild_http_request_duration_seconds",
    "Time to answer an HTTP request (headers and body; log streams until they end), by route and status.",
  );
  const createDuration = createHistogram(
    "ild_pod_create_duration_seconds",
    "Time from receiving POST /create to answering it, by outcome.",
  );
  const requests = new Map<string, { route: string; status: string; value: number }>();
  return {
    requestDuration,
    createDuration,
    countRequest(route, status) {
      const key = `${route} ${status}`;
      const entry = requests.get(key) ?? { route, status: String(status), value: 0 };
      entry.value += 1;
      requests.set(key, entry);
    },
    render(gauges) {
      const counter = renderCounter(
        "ild_http_requests_total",
        "HTTP requests answered, by route and status.",
        [...requests.values()].map((entry) => [{ route: entry.route, status: entry.status }, entry.value]),
      );
      return `${[...gauges, counter, requestDuration.render(), createDuration.render()].join("\n")}\n`;
    },
  };
}
