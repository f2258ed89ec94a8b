/**
 * Wiring of one gateway instance: upstream pools, caches and metrics made at boot, the Yoga gateway,
 * and a `node:http` server on one port. `startGateway` is what `main.ts` and the tests both use.
 */
import type { GraphQLSchema } from 'graphql';
import { Redis } from 'ioredis';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { authOptions } from './auth/authenticate.ts';
import { PASSTHROUGH_CALLER } from './auth/caller.ts';
import type { Config } from './config.ts';
import { createContextFactory } from './context.ts';
import { createContract } from './contracts/contract.ts';
import { createUpstream } from './datasources/http.ts';
import { createReportIndexes } from './datasources/report-index.ts';
import { createGateway } from './gateway.ts';
import { attachGraphqlWs } from './graphql-ws.ts';
import { createReferenceCache } from './loaders/reference-cache.ts';
import { createLogger } from './logger.ts';
import { webSocketOriginPolicy } from './plugins/cross-origin.ts';
import { loadManifest, manifestDocumentOf, manifestOperationNames } from './plugins/persisted-operations.ts';
import { createAuthFailureGuard, createMemoryFailureCounter, createRedisFailureCounter } from './plugins/auth-failures.ts';
import { createMemoryRateLimiter, createRedisRateLimiter } from './plugins/rate-limit.ts';
import { redisCircuitOf } from './plugins/redis-circuit.ts';
import { createResponseCache } from './plugins/response-cache.ts';
import { securityOptions } from './plugins/security.ts';
import { createAccessVerdicts } from './schema/access-verdicts.ts';
import { buildSchema } from './schema/index.ts';
import { forgetChangedAccess } from './schema/subscription-access.ts';
import { trackRequests, untilDeadline } from './shutdown.ts';
import { createMetrics, type Metrics } from './telemetry/metrics.ts';
import { startTracing } from './telemetry/tracing.ts';
import { createEventService } from './webhooks/event-service.ts';

/**
 * The connection for what is asked on the way of every operation (rate limit, response cache): each
 * fails open when Redis is away, so a command gives up after `commandTimeout` instead of holding the
 * operation.
 */
function createHotPathRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 500, connectionName: 'hot-path' });
  redis.on('error', () => undefined); // failures surface where they are handled: a miss, a pass
  return redis;
}

/** The per-principal rate limiter: in Redis when configured (shared by replicas), else in process. */
function createRateLimit(config: Config, redis: Redis | undefined) {
  const limit = config.RATE_LIMIT_PER_MINUTE;
  if (!limit) return undefined;
  const windowMs = 60_000;
  return redis ? createRedisRateLimiter(redis, { limit, windowMs, keyPrefix: config.REDIS_KEY_PREFIX }) : createMemoryRateLimiter({ limit, windowMs });
}

/** Failed authentications per client address: in Redis when configured (shared by replicas), else in process. */
function createAuthFailures(config: Config, redis: Redis | undefined) {
  const limit = config.AUTH_FAILURES_PER_MINUTE;
  if (!limit) return undefined;
  const counter = redis ? createRedisFailureCounter(redis, { limit, keyPrefix: config.REDIS_KEY_PREFIX }) : createMemoryFailureCounter({ limit });
  return { guard: createAuthFailureGuard(counter), trustedProxyHops: config.TRUSTED_PROXY_HOPS };
}

/** The per-principal response cache: in Redis when configured (shared by replicas), else in process. */
function createCache(config: Config, schema: GraphQLSchema, redis: Redis | undefined, metrics: Metrics, logger: Logger) {
  if (!config.RESPONSE_CACHE_TTL_MS) return undefined;
  return createResponseCache({
    schema,
    ttlMs: config.RESPONSE_CACHE_TTL_MS,
    ttlOverrides: config.RESPONSE_CACHE_TTL_PER_TYPE,
    ...(redis ? { redis: { client: redis, prefix: config.REDIS_KEY_PREFIX } } : {}),
    onLookup: metrics.gateway.responseCache,
    onInvalidationFailed: (error) => logger.warn({ err: error }, 'response cache invalidation failed; entries live out their TTL'),
  });
}

/** Connections the kernel queues until the gateway accepts them (capped by `net.core.somaxconn`). */
const LISTEN_BACKLOG = 65_535;

/** What the steps after the connections (Redis, pools, spans) get past the grace: enough to flush, so exit stays within the grace plus 1 s. */
const SHUTDOWN_FLUSH_MS = 500;

export interface GatewayTargets {
  managementUrl: string;
  cardServiceUrl: string;
  /** `Basic ...` sent when a caller brings no credentials (passthrough), or for every caller (token mode): server-held, or the sandbox demo key. */
  serverAuthorization?: string;
}

export async function startGateway(config: Config, targets: GatewayTargets, { logger = createLogger({ level: config.LOG_LEVEL }) }: { logger?: Logger } = {}) {
  const auth = authOptions(config, targets.serverAuthorization); // before anything is opened: token mode needs a Klarna key
  // Read first: a bad manifest stops start-up before anything is connected.
  const persisted = {
    manifest: config.PERSISTED_OPERATIONS_MANIFEST ? loadManifest(config.PERSISTED_OPERATIONS_MANIFEST) : new Map<string, string>(),
    only: config.PERSISTED_OPERATIONS_ONLY,
    apqCacheBytes: config.APQ_CACHE_BYTES,
  };
  // With a manifest, its operations' names are the only operation labels (others: `other`).
  const metrics = createMetrics({
    defaultMetrics: config.NODE_ENV !== 'test',
    ...(persisted.manifest.size ? { operationLabels: { known: manifestOperationNames(persisted.manifest) } } : {}),
  });
  // OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans per operation (gateway) and per Klarna call (upstreams).
  const tracing = await startTracing(config);
  const upstreamOptions = {
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: config.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: config.UPSTREAM_BODY_TIMEOUT_MS,
    deadlineMs: config.UPSTREAM_DEADLINE_MS,
    maxAttempts: config.UPSTREAM_MAX_ATTEMPTS,
    retryBudgetRatio: config.UPSTREAM_RETRY_BUDGET_RATIO,
    retryBudgetPerSecond: config.UPSTREAM_RETRY_BUDGET_PER_SECOND,
    breaker: config.UPSTREAM_BREAKER,
    breakerFailureRate: config.UPSTREAM_BREAKER_FAILURE_RATE,
    breakerMinCalls: config.UPSTREAM_BREAKER_MIN_CALLS,
    breakerWindowMs: config.UPSTREAM_BREAKER_WINDOW_MS,
    breakerOpenMs: config.UPSTREAM_BREAKER_OPEN_MS,
    metrics: metrics.upstream,
    ...(tracing ? { tracer: tracing.tracer } : {}),
  };
  const upstreams = {
    pm: createUpstream({ name: 'Partner Management API', origin: targets.managementUrl, ...upstreamOptions }),
    mcs: createUpstream({ name: 'Merchant Card Service', origin: targets.cardServiceUrl, ...upstreamOptions }),
  };
  // Klarna's answers are checked for drift from the contract, their string formats by shape (`fast`).
  const contract = createContract(undefined, { formats: 'fast' });
  // Subscriptions' access verdicts per principal: dropped by the events that change access (below).
  const accessVerdicts = createAccessVerdicts();
  // What every request's context is made of (the gateway adds the live events, made below).
  const contextParts = {
    upstreams,
    accessVerdicts,
    checkResponse: contract.validateResponse,
    referenceCache: createReferenceCache({ ttlMs: config.REFERENCE_CACHE_TTL_MS }),
    reportIndexes: createReportIndexes({ maxIndexing: config.REPORT_INDEXING_CONCURRENCY }),
    integratorName: config.KLARNA_INTEGRATOR_NAME,
  };
  // The cancellation poller's reads: a context from the same factory, for the principal that asked
  // for the watch (a poll needs loaders, not live events, so none are given to it).
  const pollContext = createContextFactory(contextParts);
  const schema = buildSchema();
  const hotPathRedis =
    config.REDIS_URL && (config.RATE_LIMIT_PER_MINUTE || config.RESPONSE_CACHE_TTL_MS || config.AUTH_FAILURES_PER_MINUTE) ? createHotPathRedis(config.REDIS_URL) : undefined;
  if (hotPathRedis) metrics.watchRedisCircuit(redisCircuitOf(hotPathRedis));
  const rateLimiter = createRateLimit(config, hotPathRedis);
  const authFailures = createAuthFailures(config, hotPathRedis);
  const responseCache = createCache(config, schema, hotPathRedis, metrics, logger);
  const events = await createEventService({
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    keyPrefix: config.REDIS_KEY_PREFIX,
    retentionCount: config.EVENT_RETENTION_COUNT,
    retentionMs: config.EVENT_RETENTION_MS,
    webhook: { path: config.WEBHOOK_PATH, maxBytes: config.WEBHOOK_MAX_BYTES, signingKeys: config.WEBHOOK_SIGNING_KEYS, maxAgeMs: config.WEBHOOK_MAX_AGE_MS },
    cancellation: {
      minIntervalMs: config.CANCELLATION_POLL_MIN_MS,
      maxIntervalMs: config.CANCELLATION_POLL_MAX_MS,
      giveUpAfterMs: config.CANCELLATION_WATCH_MAX_MS,
    },
    // The poll reads with the principal's own credentials (in token mode, the gateway's key under the
    // token subject's cache key): passed on as it is, not authenticated again from headers.
    readCancellation: (orderId, principal) =>
      pollContext(new Headers(), undefined, { principal, caller: PASSTHROUGH_CALLER }).loaders.orderCancellation.load(orderId),
    logger,
    metrics: metrics.gateway,
    // An event that changes an account's access drops the verdicts on it, on every replica, subscribers or not.
    onEvent: forgetChangedAccess(accessVerdicts),
    // An event drops the cached answers about its account before anyone hears of it.
    ...(responseCache ? { beforePublish: async ({ accountId }) => (accountId ? responseCache.invalidateAccount(accountId) : undefined) } : {}),
  });
  /** Aborted when shutdown starts (SSE subscriptions complete then). */
  const shutdown = new AbortController();
  const yoga = createGateway({
    schema,
    ...contextParts,
    auth,
    metrics,
    logger,
    graphiql: config.graphiql,
    security: securityOptions(config),
    readiness: { cacheMs: config.READINESS_CACHE_MS, probeTimeoutMs: config.READINESS_PROBE_TIMEOUT_MS, breakerOpenMs: config.READINESS_BREAKER_OPEN_MS },
    persisted,
    events,
    ...(rateLimiter ? { rateLimiter } : {}),
    ...(authFailures ? { authFailures } : {}),
    maxSubscriptionsPerPrincipal: config.MAX_SUBSCRIPTIONS_PER_PRINCIPAL,
    shutdown: shutdown.signal,
    ...(responseCache ? { responseCache } : {}),
    ...(tracing ? { tracer: tracing.tracer } : {}),
    ...(config.COMPRESSION ? { compression: { minBytes: config.COMPRESSION_MIN_BYTES } } : {}),
  });
  const server: Server = createServer(yoga);
  const requests = trackRequests(server);
  // A port that cannot be had (EADDRINUSE, EACCES) rejects here, for `main.ts` to name PORT; the
  // WebSocket server is attached only once the port is ours, as it would report the same error as a
  // failure of its own to every listener. The accept backlog is the kernel's cap (somaxconn), not
  // Node's 511: thousands of dashboards reconnecting at once (after a deploy) would otherwise overflow
  // it while the gateway is busy accepting, and the kernel resets those connections (ECONNRESET).
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.PORT, host: config.HOST, backlog: LISTEN_BACKLOG }, () => resolve());
  }).catch(async (error: unknown) => {
    await events.close();
    await tracing?.shutdown();
    await Promise.all([upstreams.pm.close(), upstreams.mcs.close()]);
    hotPathRedis?.disconnect();
    throw error;
  });
  // No I/O runs between the resolved listen and this line: no upgrade can arrive unattended.
  const webSockets = attachGraphqlWs(server, yoga, {
    logger,
    isProd: config.NODE_ENV === 'production',
    maxPayloadBytes: config.MAX_REQUEST_BYTES,
    allowOrigin: webSocketOriginPolicy({ origins: config.CORS_ORIGINS, production: config.NODE_ENV === 'production' }),
    onConnection: metrics.gateway.webSocket,
    maxSubscriptionsPerConnection: config.MAX_SUBSCRIPTIONS_PER_CONNECTION,
    ...(persisted.manifest.size ? { persistedDocumentOf: manifestDocumentOf(persisted.manifest) } : {}),
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST}:${port}`;

  return {
    url,
    graphqlUrl: `${url}${yoga.graphqlEndpoint}`,
    yoga,
    upstreams,
    metrics,
    /** Where settlement reports' rows start, and their background indexing (`counts`). */
    reportIndexes: contextParts.reportIndexes,
    /** Live events: the bus, and `watchOrderCancellation(orderId, checkAfter, principal)` (also on the context). */
    events,
    /**
     * Graceful stop, within one deadline (`graceMs` from now) for all of it: the listener is closed first
     * (no new connection; keep-alive clients are told `Connection: close`); HTTP requests and graphql-ws
     * queries and mutations in flight get until the deadline to be answered (idle WebSockets are closed
     * with 1001 at once, the others once answered); whatever is still open then is cut. Then pollers,
     * subscriptions and Redis, the upstream pools, and last the spans (each step given what is left of
     * the deadline, and at least a moment to flush).
     */
    async close({ graceMs = config.SHUTDOWN_GRACE_MS }: { graceMs?: number } = {}) {
      const deadline = Date.now() + graceMs;
      void requests.stopListening();
      shutdown.abort();
      contextParts.reportIndexes.close();
      await Promise.all([webSockets.close(deadline), requests.drain(deadline)]);
      const cleanupBy = Math.max(deadline, Date.now()) + SHUTDOWN_FLUSH_MS;
      await untilDeadline(events.close(), cleanupBy);
      hotPathRedis?.disconnect();
      await untilDeadline(Promise.all([upstreams.pm.close(), upstreams.mcs.close()]), cleanupBy);
      await untilDeadline(tracing?.shutdown(), cleanupBy);
    },
  };
}
export type RunningGateway = Awaited<ReturnType<typeof startGateway>>;
