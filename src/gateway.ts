/**
 * The GraphQL gateway: Yoga over the Pothos schema, with the request context, error masking, offline
 * GraphiQL and the `/metrics` endpoint. Made once at boot from parts made at boot (upstreams, caches,
 * metrics); everything per request is made by the context factory.
 */
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Tracer } from '@opentelemetry/api';
import { authenticationOf, createAuthenticator, type Authenticate, type Authentication, type AuthOptions } from './auth/authenticate.ts';
import { createContextFactory, type ContextDependencies, type GatewayContext } from './context.ts';
import { RequestCalls } from './operation-budget.ts';
import { clientAddress, type AuthFailureGuard } from './plugins/auth-failures.ts';
import { GatewayError } from './errors.ts';
import { GRAPHIQL_TABS } from './examples.ts';
import { useGraphiqlAssets } from './plugins/graphiql-assets.ts';
import { renderGraphiqlPage } from './plugins/graphiql-page.ts';
import { useGraphiqlOffHint } from './plugins/graphiql-off.ts';
import { useAcceptCheck, useStreamingAcceptCheck } from './plugins/accept.ts';
import { useCoercionErrorCodes } from './plugins/coercion-errors.ts';
import { useCompiledExecution } from './plugins/compiled-execution.ts';
import { useCompression, type CompressionOptions } from './plugins/compression.ts';
import { fuseRequestHooks } from './plugins/fused-hooks.ts';
import { fuseOperationHooks } from './plugins/fused-operation-hooks.ts';
import { useHealthBody } from './plugins/health.ts';
import { createOperationLog } from './plugins/operation-log.ts';
import { useOperationOutcome } from './plugins/operation-outcome.ts';
import { persistedOperationPlugins, type PersistedOperationsOptions } from './plugins/persisted-operations.ts';
import { useReadiness } from './plugins/readiness.ts';
import { useRequestEnvelope } from './plugins/request-envelope.ts';
import { useRequestId } from './plugins/request-id.ts';
import { securityPlugins, securityYogaOptions, type SecurityOptions } from './plugins/security.ts';
import { useRateLimit, type RateLimiter } from './plugins/rate-limit.ts';
import type { ResponseCache } from './plugins/response-cache.ts';
import { useShutdownOfStreams } from './plugins/shutdown-streams.ts';
import { useSubscriptionLimit } from './plugins/subscription-limits.ts';
import { createOperationTracing } from './plugins/tracing.ts';
import { buildSchema } from './schema/index.ts';
import { usePerEventContext } from './plugins/per-event-context.ts';
import { sharedContextPerEvent } from './subscription-context.ts';
import type { Metrics } from './telemetry/metrics.ts';
import { eventErrorsTeller } from './telemetry/operation-outcome.ts';
import { objectSlot } from './object-slots.ts';
import { useWebhookIngress } from './webhooks/ingress.ts';

export interface GatewayOptions extends ContextDependencies {
  /** The schema, when the caller built it already (the response cache reads its types); unset: built here. */
  schema?: GraphQLSchema;
  /** Passthrough or token mode, and the Klarna key the gateway holds (`authOptions(config, serverAuthorization)`). */
  auth: AuthOptions;
  metrics: Metrics;
  logger: Logger;
  graphiql: boolean;
  /** Limits, introspection, CSRF, CORS and the operation log (`securityOptions(config)`). */
  security: SecurityOptions;
  /** `/ready`: how long origin probes are reused, and their timeout (`READINESS_CACHE_MS`, `READINESS_PROBE_TIMEOUT_MS`). */
  readiness?: { cacheMs: number; probeTimeoutMs: number; breakerOpenMs?: number };
  /** Manifest, allow-list mode and APQ (`PERSISTED_OPERATIONS_*`, `APQ_CACHE_BYTES`); unset: neither. */
  persisted?: PersistedOperationsOptions;
  /** Per-principal limit on queries and mutations (`RATE_LIMIT_PER_MINUTE`); unset: none. */
  rateLimiter?: RateLimiter;
  /** Per-principal response cache (`RESPONSE_CACHE_TTL_MS`); unset: none. */
  responseCache?: ResponseCache;
  /** OpenTelemetry (`startTracing(config).tracer`): a SERVER span per operation; unset: no tracing. */
  tracer?: Tracer;
  /** Failed authentications per client address (`AUTH_FAILURES_PER_MINUTE`, `TRUSTED_PROXY_HOPS`); unset: not limited. */
  authFailures?: { guard: AuthFailureGuard; trustedProxyHops: number };
  /** Open subscriptions one principal may hold on this replica (`MAX_SUBSCRIPTIONS_PER_PRINCIPAL`); unset: unbounded. */
  maxSubscriptionsPerPrincipal?: number;
  /** Aborted when shutdown starts: SSE subscriptions then complete at once (`useShutdownOfStreams`). */
  shutdown?: AbortSignal;
  /** gzip / brotli as the client accepts (`COMPRESSION`, `COMPRESSION_MIN_BYTES`); unset: answers go uncompressed. */
  compression?: CompressionOptions;
}

/**
 * Every GraphQL answer is per principal and may carry secrets (a new API key) or card data (a card
 * settlement): no HTTP cache may keep it.
 */
function useNoStore(): Plugin {
  return {
    onResponse({ response }) {
      if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'no-store');
    },
  };
}

/** Serves Prometheus text at `/metrics`. */
function useMetricsEndpoint(metrics: Metrics): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics') return; // (not `async`: every other request passes with no promise)
      return metrics.registry.metrics().then((text) => endResponse(new fetchAPI.Response(text, { headers: { 'content-type': metrics.registry.contentType } })));
    },
  };
}

export function createGateway(options: GatewayOptions) {
  const createContext = createContextFactory(options);
  // One verification per request (a request's `headers` is one object), shared by the response cache,
  // which asks first, and the context.
  const verify = createAuthenticator(options.auth);
  const verified = objectSlot<Promise<Authentication>>('verified authentication');
  const authenticate: Authenticate = (headers) => {
    let authentication = verified.get(headers);
    if (!authentication) verified.set(headers, (authentication = verify(headers)));
    return authentication;
  };
  const { logger } = options;
  // What the operations of one HTTP request share (a batch is one request: Yoga makes a context per
  // operation, all from the same Request): one call allowance, and Klarna's refusal of its credentials.
  const requestCalls = objectSlot<RequestCalls>('request calls');
  const { guard, trustedProxyHops = 0 } = options.authFailures ?? {};
  /**
   * The context of one operation. A client address that failed to authenticate too often is refused
   * first (before a token is verified or Klarna is asked); a refused token, or Klarna's first 401 to the
   * request, counts as one failure of that address.
   */
  async function contextOf(initial: { request: Request; req?: IncomingMessage; res?: ServerResponse }): Promise<GatewayContext> {
    const { request } = initial;
    const address = guard ? clientAddress(initial.req, trustedProxyHops) : '';
    await guard?.admit(request, address);
    let calls = requestCalls.get(request);
    if (!calls) requestCalls.set(request, (calls = new RequestCalls(guard ? () => guard.fail(request, address) : undefined, initial.res)));
    const authentication = await authenticationOf(initial, authenticate).catch((error: unknown) => {
      if (guard && error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') guard.fail(request, address);
      throw error;
    });
    // The request, not its signal: the budget reads the signal when an upstream call needs it (a WebSocket
    // operation's is its connection's, made then).
    return createContext(request.headers, request, authentication, calls);
  }
  // One outcome per operation, followed by the metrics, the log line and (tracing on) the span.
  const operationLog = createOperationLog(logger);
  const tracing = options.tracer ? createOperationTracing(options.tracer) : undefined;
  const observers = [options.metrics.gateway.operations, operationLog.observer, ...(tracing ? [tracing.observer] : [])];

  /**
   * Expected failures (GatewayError) reach the client with their code and message; GraphQL's own
   * errors (parse, validation, variable coercion: coded by Yoga and `useCoercionErrorCodes`) pass as
   * they are; anything else is logged and masked.
   */
  function maskError(error: unknown): Error {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof GatewayError) {
      const graphQLError = error instanceof GraphQLError ? error : undefined;
      return new GraphQLError(original.message, {
        ...(graphQLError?.nodes ? { nodes: graphQLError.nodes } : {}),
        ...(graphQLError?.path ? { path: graphQLError.path } : {}),
        extensions: { code: original.code, ...original.extensions },
      });
    }
    if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) return error;
    logger.error({ err: original, path: error instanceof GraphQLError ? error.path : undefined }, 'unexpected error');
    return new GraphQLError('Unexpected error.', {
      ...(error instanceof GraphQLError && error.path ? { path: error.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  }

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema: options.schema ?? buildSchema(),
    // Who is calling is settled first: in token mode a refused token ends the request here (UNAUTHENTICATED).
    context: (initial) => contextOf(initial as typeof initial & { req?: IncomingMessage; res?: ServerResponse }),
    graphiql: options.graphiql
      ? { title: 'Klarna Partner Gateway', defaultQuery: GRAPHIQL_TABS[0]?.query, defaultTabs: GRAPHIQL_TABS, subscriptionsProtocol: 'WS' }
      : false,
    // A small page; GraphiQL's files are hashed, cacheable, compressed assets (`useGraphiqlAssets`).
    renderGraphiQL: renderGraphiqlPage,
    maskedErrors: { maskError },
    ...securityYogaOptions(options.security),
    logging: {
      // Yoga logs several debug lines per request: their text is only made when debug is on.
      debug: (...args) => {
        if (logger.isLevelEnabled('debug')) logger.debug(args.map(String).join(' '));
      },
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      // Yoga also logs every GraphQL error that `maskError` replaced: an expected one (NOT_FOUND, ...) is
      // an answer, not a fault, an unexpected one `maskError` has logged already, and the text of either
      // quotes the operation's source, which may hold secrets. So those are not logged again here.
      error: (...args) => {
        if (!args.some((arg) => arg instanceof GraphQLError)) logger.error(args.map(String).join(' '));
      },
    },
    // Their per-request and per-operation hooks run as one per run (`fuseRequestHooks`, `fuseOperationHooks`:
    // the same order and payloads, far less garbage).
    plugins: fuseOperationHooks(fuseRequestHooks([
      // First: its instrumentation is the outermost, so the operation's span covers every other plugin's work.
      ...(tracing ? [tracing.plugin] : []),
      // `/health`'s body, before the plugins that add headers to every answer (its answer is replaced).
      useHealthBody(),
      // The request id, settled before anything reads it (context, log, span) and echoed on every answer.
      useRequestId(),
      ...(options.graphiql ? [useGraphiqlAssets()] : [useGraphiqlOffHint()]),
      useMetricsEndpoint(options.metrics),
      useReadiness({
        upstreams: [options.upstreams.pm, options.upstreams.mcs],
        ...(options.events?.redisConnected ? { redisConnected: options.events.redisConnected } : {}),
        cacheMs: options.readiness?.cacheMs ?? 5_000,
        probeTimeoutMs: options.readiness?.probeTimeoutMs ?? 2_000,
        ...(options.readiness?.breakerOpenMs !== undefined ? { breakerOpenMs: options.readiness.breakerOpenMs } : {}),
      }),
      useNoStore(),
      // `@defer` / `@stream`: answered as multipart/mixed or text/event-stream, as the client accepts.
      useDeferStream(),
      ...(options.events ? [useWebhookIngress(options.events.ingress)] : []),
      // Every subscription event gets a context made for it (fresh loaders), shared by the subscribers of one principal.
      // Over graphql-ws, results are masked and written to the socket by it, past the per-result hooks.
      usePerEventContext(sharedContextPerEvent(createContext), { maskError, onEventErrors: eventErrorsTeller(observers) }),
      // Before the outcome, so that it counts what these do by their codes: variable coercion errors
      // coded BAD_USER_INPUT; an answer in parts the request cannot take refused before it runs.
      useCoercionErrorCodes(),
      useStreamingAcceptCheck(),
      // Before every plugin that refuses or answers an operation, so that each operation's outcome is
      // seen; the log's request timing also before those that refuse requests while parsing them.
      useOperationOutcome(observers),
      operationLog.plugin,
      // An Accept the gateway cannot answer is refused before the body is read (nothing runs).
      useAcceptCheck(),
      ...securityPlugins(options.security),
      // After CSRF and the body limit (their codes first), before every plugin that reads the parameters.
      useRequestEnvelope(),
      ...(options.rateLimiter ? [useRateLimit(options.rateLimiter)] : []),
      // After the rate limit (a refused setup holds no place), and after `usePerEventContext`, whose
      // subscribe function it wraps.
      ...(options.maxSubscriptionsPerPrincipal ? [useSubscriptionLimit({ maxPerPrincipal: options.maxSubscriptionsPerPrincipal })] : []),
      // At shutdown, SSE subscriptions complete at once (their clients subscribe again elsewhere, with `after`).
      ...(options.shutdown ? [useShutdownOfStreams({ signal: options.shutdown })] : []),
      // Execution itself: compiled once per document, for queries and mutations answered in one part.
      // Before the response cache, which runs the execution it finds with its own document.
      useCompiledExecution(),
      ...(options.persisted ? persistedOperationPlugins(options.persisted) : []),
      // After persisted operations: the cache looks an answer up by its document, which for an operation
      // sent by hash alone is only known once they have resolved it (and refused what is not allowed).
      ...(options.responseCache ? [options.responseCache.plugin((request) => authenticate(request.headers).then(() => true, () => false))] : []),
      // Last: it compresses the answer as every other plugin left it (headers, ETag, or a 304 it leaves alone).
      ...(options.compression ? [useCompression(options.compression)] : []),
    ])),
  });
  return yoga;
}
export type Gateway = ReturnType<typeof createGateway>;
