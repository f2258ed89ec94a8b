/**
 * OpenTelemetry tracing, on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: a tracer provider registered
 * process-wide (the OTel API's globals), batching spans to the collector over OTLP/HTTP with JSON bodies
 * (`POST <endpoint>/v1/traces`, `content-type: application/json`, as the OTel spec derives the traces URL
 * from the generic endpoint).
 *
 * Spans are made where the work is: one SERVER span per GraphQL operation (`src/plugins/tracing.ts`) and
 * one CLIENT span per upstream call (`src/datasources/http.ts`). Both use the global API, which is a
 * no-op until `startTracing` registers a provider, and is again after `shutdown()`.
 *
 * Only the W3C `traceparent`/`tracestate` headers are propagated (in from callers, out to Klarna);
 * `baggage` is not: it would carry whatever a caller put in it on to Klarna.
 */
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Config } from '../config.ts';
import { VERSION } from '../version.ts';

/** The instrumentation scope of every span the gateway makes. */
export const TRACER_NAME = 'klarna-partner-gateway';

export interface Tracing {
  tracer: Tracer;
  /** Exports the spans still batched, then unregisters the provider (the API is a no-op again). Idempotent. */
  shutdown(): Promise<void>;
}

/** The provider registered in this process, shared by every gateway started in it (tests start several). */
let registered: { provider: NodeTracerProvider; tracer: Tracer; users: number } | undefined;

/**
 * Starts tracing if `OTEL_EXPORTER_OTLP_ENDPOINT` is set; undefined otherwise. The OTel API holds one
 * provider per process: a second call while one is registered shares it (its endpoint wins), and the
 * provider is shut down when the last user shuts down. The SDK is only loaded here, when tracing is on
 * (it takes seconds to import on a small machine).
 */
export async function startTracing(
  config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>,
  { exportTimeoutMs = 5_000 }: { exportTimeoutMs?: number } = {},
): Promise<Tracing | undefined> {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  const [{ OTLPTraceExporter }, { defaultResource, resourceFromAttributes }, { BatchSpanProcessor }, { NodeTracerProvider }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  if (!registered) {
    const provider = new NodeTracerProvider({
      resource: defaultResource().merge(
        resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME, 'service.version': VERSION }),
      ),
      spanProcessors: [
        new BatchSpanProcessor(
          // JSON, not protobuf: the only encoding this exporter package sends; every OTLP/HTTP collector accepts it.
          new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: exportTimeoutMs }),
          { exportTimeoutMillis: exportTimeoutMs },
        ),
      ],
    });
    // The default context manager (AsyncLocalStorage) makes spans started inside an operation its
    // children; the default propagator is W3C trace context (+ baggage, which the plugin drops on the way in).
    provider.register();
    registered = { provider, tracer: provider.getTracer(TRACER_NAME, VERSION), users: 0 };
  }
  const shared = registered;
  shared.users += 1;
  let stopped = false;
  return {
    tracer: shared.tracer,
    async shutdown() {
      if (stopped) return;
      stopped = true;
      shared.users -= 1;
      // A collector that does not answer costs at most `exportTimeoutMs` here, never a hung shutdown.
      await shared.provider.forceFlush().catch(() => undefined);
      if (shared.users > 0) return;
      if (registered === shared) registered = undefined;
      await shared.provider.shutdown().catch(() => undefined);
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
