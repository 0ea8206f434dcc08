import type { Logger } from "@ild/common";

export interface Span {
  setAttribute(key: string, value: string | number | boolean): void;
  end(error?: unknown): void;
}

export interface Tracer {
  readonly enabled: boolean;
  startSpan(name: string): Span;
  shutdown(): Promise<void>;
}

const noopSpan: Span = { setAttribute: () => {}, end: () => {} };

export const noopTracer: Tracer = {
  enabled: false,
  startSpan: () => noopSpan,
  shutdown: async () => {},
};

/** Module names kept in variables: they are optional and must never be bundled or resolved when off. */
const OTEL_MODULES = {
  api: "@opentelemetry/api",
  sdk: "@opentelemetry/sdk-trace-node",
  exporter: "@opentelemetry/exporter-trace-otlp-grpc",
} as const;

/**
 * OpenTelemetry tracing, as the reference plugin: ENABLE_TRACING=1 turns it on, TELEMETRY_ENDPOINT
 * (default localhost:4317) is the OTLP/gRPC collector, TELEMETRY_UNIQUE_ID names the service. When off,
 * nothing is imported (zero cost). When on but the optional @opentelemetry packages are not installed,
 * it says so in one line and the sidecar runs without tracing.
 */
export interface TracingSettings {
  /** ENABLE_TRACING=1 / Ild.tracing.enabled. */
  enabled: boolean;
  /** TELEMETRY_ENDPOINT / Ild.tracing.endpoint. */
  endpoint: string;
  /** TELEMETRY_UNIQUE_ID / Ild.tracing.uniqueId. */
  uniqueId?: string;
}

export async function createTracer(settings: TracingSettings, logger: Logger): Promise<Tracer> {
  if (!settings.enabled) {
    return noopTracer;
  }
  const endpoint = settings.endpoint || "localhost:4317";
  try {
    const [api, sdk, exporter] = await Promise.all([
      import(OTEL_MODULES.api),
      import(OTEL_MODULES.sdk),
      import(OTEL_MODULES.exporter),
    ]);
    const serviceName = `Plugin-${settings.uniqueId || crypto.randomUUID()}`;
    const provider = new sdk.NodeTracerProvider({
      spanProcessors: [
        new sdk.BatchSpanProcessor(
          new exporter.OTLPTraceExporter({
            url: endpoint.includes("://") ? endpoint : `http://${endpoint}`,
          }),
        ),
      ],
      resource: undefined,
    });
    provider.register();
    const tracer = api.trace.getTracer("ild-sidecar");
    logger.info({ endpoint, serviceName }, `tracing on: OTLP/gRPC to ${endpoint}`);
    return {
      enabled: true,
      startSpan(name) {
        const span = tracer.startSpan(name);
        return {
          setAttribute: (key, value) => span.setAttribute(key, value),
          end(error) {
            if (error !== undefined) {
              span.setStatus({
                code: api.SpanStatusCode.ERROR,
                message: String((error as Error).message ?? error),
              });
            }
            span.end();
          },
        };
      },
      shutdown: () => provider.shutdown(),
    };
  } catch (error) {
    logger.warn(
      { endpoint, reason: (error as Error).message },
      "tracing unavailable: ENABLE_TRACING=1 but the optional @opentelemetry packages (api, sdk-trace-node, exporter-trace-otlp-grpc) are not installed; running without tracing",
    );
    return noopTracer;
  }
}
