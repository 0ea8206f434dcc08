import { readFile } from "node:fs/promises";
import type * as Grpc from "@grpc/grpc-js";
import type { Logger } from "@ild/common";
import type * as OtelApi from "@opentelemetry/api";
import type * as OtelGrpcExporter from "@opentelemetry/exporter-trace-otlp-grpc";
import type * as OtelResources from "@opentelemetry/resources";
import type * as OtelBase from "@opentelemetry/sdk-trace-base";
import type * as OtelNode from "@opentelemetry/sdk-trace-node";

export interface Span {
  setAttribute(key: string, value: string | number | boolean): void;
  /** A span inside this one (a phase of the request). */
  child(name: string): Span;
  end(error?: unknown): void;
}

export interface Tracer {
  readonly enabled: boolean;
  startSpan(name: string): Span;
  /** Flushes what is buffered and stops exporting; bounded, never rejects. */
  shutdown(): Promise<void>;
}

const noopSpan: Span = { setAttribute: () => {}, child: () => noopSpan, end: () => {} };

export const noopTracer: Tracer = {
  enabled: false,
  startSpan: () => noopSpan,
  shutdown: async () => {},
};

/** Module names kept in variables: they are loaded only when tracing is on, and never bundled. */
const OTEL_MODULES = {
  api: "@opentelemetry/api",
  node: "@opentelemetry/sdk-trace-node",
  base: "@opentelemetry/sdk-trace-base",
  resources: "@opentelemetry/resources",
  exporter: "@opentelemetry/exporter-trace-otlp-grpc",
  grpc: "@grpc/grpc-js",
} as const;

/** The OpenTelemetry modules tracing needs (types only at compile time: nothing is loaded when off). */
export interface OtelModules {
  api: typeof OtelApi;
  node: typeof OtelNode;
  base: typeof OtelBase;
  resources: typeof OtelResources;
  exporter: typeof OtelGrpcExporter;
  grpc: typeof Grpc;
}

export type OtelLoader = () => Promise<OtelModules>;

/** CommonJS packages come back as `{ default }` from `import()` when their exports are not detected. */
function interop<T>(module: T & { default?: T }, probe: keyof T): T {
  return module[probe] === undefined && module.default !== undefined ? module.default : module;
}

/** Loads the OpenTelemetry packages; only ever called when tracing is on. */
export const loadOtelModules: OtelLoader = async () => {
  const [api, node, base, resources, exporter, grpc] = await Promise.all([
    import(OTEL_MODULES.api),
    import(OTEL_MODULES.node),
    import(OTEL_MODULES.base),
    import(OTEL_MODULES.resources),
    import(OTEL_MODULES.exporter),
    import(OTEL_MODULES.grpc),
  ]);
  return {
    api: interop<typeof OtelApi>(api, "trace"),
    node: interop<typeof OtelNode>(node, "NodeTracerProvider"),
    base: interop<typeof OtelBase>(base, "BatchSpanProcessor"),
    resources: interop<typeof OtelResources>(resources, "resourceFromAttributes"),
    exporter: interop<typeof OtelGrpcExporter>(exporter, "OTLPTraceExporter"),
    grpc: interop<typeof Grpc>(grpc, "credentials"),
  };
};

/**
 * OpenTelemetry tracing, as the reference plugin: ENABLE_TRACING=1 turns it on, TELEMETRY_ENDPOINT
 * (default localhost:4317) is the OTLP/gRPC collector, TELEMETRY_UNIQUE_ID names the service
 * (`Plugin-<id>`, a random UUID when unset). TELEMETRY_CA_CRT_FILEPATH turns TLS on (with the client
 * certificate and key: mTLS); unlike the reference plugin the collector's certificate is verified unless
 * TELEMETRY_INSECURE_SKIP_VERIFY=true. When off, nothing is imported (zero cost). When on but the packages
 * cannot be loaded (or the certificates read), it says so in one line and the sidecar runs without tracing.
 */
export interface TracingSettings {
  /** ENABLE_TRACING=1 / Ild.tracing.enabled. */
  enabled: boolean;
  /** TELEMETRY_ENDPOINT / Ild.tracing.endpoint. */
  endpoint: string;
  /** TELEMETRY_UNIQUE_ID / Ild.tracing.uniqueId. */
  uniqueId?: string;
  /** TELEMETRY_CA_CRT_FILEPATH / Ild.tracing.caCertFile: TLS with this CA. */
  caCertFile?: string;
  /** TELEMETRY_CLIENT_CRT_FILEPATH / Ild.tracing.clientCertFile (required with a CA). */
  clientCertFile?: string;
  /** TELEMETRY_CLIENT_KEY_FILEPATH / Ild.tracing.clientKeyFile (required with a CA). */
  clientKeyFile?: string;
}

export interface TracerOptions {
  /** Loads the OpenTelemetry packages (tests spy on it). */
  load?: OtelLoader;
  /** Replaces the OTLP/gRPC exporter (tests: an InMemorySpanExporter). */
  exporter?: (modules: OtelModules) => OtelBase.SpanExporter;
  /** Read for TELEMETRY_INSECURE_SKIP_VERIFY=true (the collector's certificate is then not verified). */
  env?: NodeJS.ProcessEnv;
  /** Upper bound of the flush at shutdown. Default 5 s. */
  shutdownTimeoutMs?: number;
}

const EXPORT_TIMEOUT_MS = 5000;

export async function createTracer(
  settings: TracingSettings,
  logger: Logger,
  options: TracerOptions = {},
): Promise<Tracer> {
  if (!settings.enabled) {
    return noopTracer;
  }
  const endpoint = settings.endpoint || "localhost:4317";
  let modules: OtelModules;
  try {
    modules = await (options.load ?? loadOtelModules)();
  } catch (error) {
    logger.warn(
      { endpoint, reason: (error as Error).message },
      "tracing unavailable: ENABLE_TRACING=1 but the @opentelemetry packages (api, sdk-trace-node, exporter-trace-otlp-grpc) could not be loaded; running without tracing",
    );
    return noopTracer;
  }
  const insecureSkipVerify = options.env?.TELEMETRY_INSECURE_SKIP_VERIFY === "true";
  let exporter: OtelBase.SpanExporter;
  let transport: string;
  try {
    if (options.exporter !== undefined) {
      exporter = options.exporter(modules);
      transport = "custom exporter";
    } else {
      const built = await buildGrpcExporter(modules, endpoint, settings, insecureSkipVerify);
      exporter = built.exporter;
      transport = built.transport;
    }
  } catch (error) {
    logger.warn(
      { endpoint, reason: (error as Error).message },
      `tracing unavailable: ${(error as Error).message}; running without tracing`,
    );
    return noopTracer;
  }
  const { api, node, base, resources } = modules;
  const serviceName = `Plugin-${settings.uniqueId || crypto.randomUUID()}`;
  const provider = new node.NodeTracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [new base.BatchSpanProcessor(exporter)],
  });
  // Not registered globally: the sidecar's spans go through this tracer only, parents passed explicitly.
  const tracer = provider.getTracer("ild-sidecar");
  logger.info({ endpoint, serviceName, transport }, `tracing on: OTLP/gRPC to ${endpoint} (${transport})`);

  const wrap = (span: OtelApi.Span): Span => ({
    setAttribute: (key, value) => {
      span.setAttribute(key, value);
    },
    child: (name) => wrap(tracer.startSpan(name, {}, api.trace.setSpan(api.ROOT_CONTEXT, span))),
    end(error) {
      if (error !== undefined) {
        span.setStatus({
          code: api.SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
      }
      span.end();
    },
  });

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    startSpan: (name) => wrap(tracer.startSpan(name, {}, api.ROOT_CONTEXT)),
    shutdown() {
      stopped ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.shutdownTimeoutMs ?? EXPORT_TIMEOUT_MS);
        timer.unref();
        provider.shutdown().then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          (error: unknown) => {
            clearTimeout(timer);
            logger.warn(
              { reason: (error as Error).message },
              "tracing: the last spans could not be exported",
            );
            resolve();
          },
        );
      });
      return stopped;
    },
  };
}

async function buildGrpcExporter(
  modules: OtelModules,
  endpoint: string,
  settings: TracingSettings,
  insecureSkipVerify: boolean,
): Promise<{ exporter: OtelBase.SpanExporter; transport: string }> {
  const { grpc, exporter } = modules;
  const address = endpoint.replace(/^[a-z]+:\/\//i, "");
  if (settings.caCertFile === undefined) {
    return {
      exporter: new exporter.OTLPTraceExporter({
        url: `http://${address}`,
        credentials: grpc.credentials.createInsecure(),
        timeoutMillis: EXPORT_TIMEOUT_MS,
      }),
      transport: "plaintext",
    };
  }
  if (settings.clientCertFile === undefined || settings.clientKeyFile === undefined) {
    throw new Error(
      "TELEMETRY_CA_CRT_FILEPATH is set but TELEMETRY_CLIENT_CRT_FILEPATH and TELEMETRY_CLIENT_KEY_FILEPATH are not (mTLS needs both)",
    );
  }
  const [ca, cert, key] = await Promise.all(
    [settings.caCertFile, settings.clientCertFile, settings.clientKeyFile].map((file) =>
      readFile(file).catch((error: unknown) => {
        throw new Error(`cannot read ${file}: ${(error as Error).message}`);
      }),
    ),
  );
  const credentials = grpc.credentials.createSsl(
    ca,
    key,
    cert,
    insecureSkipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {},
  );
  return {
    exporter: new exporter.OTLPTraceExporter({
      url: `https://${address}`,
      credentials,
      timeoutMillis: EXPORT_TIMEOUT_MS,
    }),
    transport: insecureSkipVerify
      ? "mTLS, collector certificate NOT verified (TELEMETRY_INSECURE_SKIP_VERIFY=true)"
      : "mTLS, collector certificate verified",
  };
}
