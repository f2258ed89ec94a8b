/**
 * Wiring of one gateway instance: upstream pools, caches and metrics made at boot, the Yoga gateway,
 * and a `node:http` server on one port. `startGateway` is what `main.ts` and the tests both use.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createContract } from './contracts/contract.ts';
import type { Config } from './config.ts';
import { createUpstream } from './datasources/http.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { attachGraphqlWs } from './graphql-ws.ts';
import { createReferenceCache } from './loaders/reference-cache.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { contextFromHeaders } from './subscription-context.ts';
import { createEventService } from './webhooks/event-service.ts';

export interface GatewayTargets {
  managementUrl: string;
  cardServiceUrl: string;
  /** `Basic ...` sent when a caller brings no credentials (server-held key, or the sandbox's demo key). */
  serverAuthorization?: string;
}

export async function startGateway(config: Config, targets: GatewayTargets, { logger = createLogger({ level: config.LOG_LEVEL }) }: { logger?: Logger } = {}) {
  const metrics = createMetrics({ defaultMetrics: config.NODE_ENV !== 'test' });
  const upstreamOptions = {
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: config.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: config.UPSTREAM_BODY_TIMEOUT_MS,
    deadlineMs: config.UPSTREAM_DEADLINE_MS,
    maxAttempts: config.UPSTREAM_MAX_ATTEMPTS,
    retryBudgetRatio: config.UPSTREAM_RETRY_BUDGET_RATIO,
    breakerThreshold: config.UPSTREAM_BREAKER_THRESHOLD,
    breakerOpenMs: config.UPSTREAM_BREAKER_OPEN_MS,
    metrics: metrics.upstream,
  };
  const upstreams = {
    pm: createUpstream({ name: 'Partner Management API', origin: targets.managementUrl, ...upstreamOptions }),
    mcs: createUpstream({ name: 'Merchant Card Service', origin: targets.cardServiceUrl, ...upstreamOptions }),
  };
  const contract = createContract();
  // The cancellation poller reads as the principal that asked for the watch, through the gateway's
  // own context factory (bound below, once the gateway exists).
  const late: { gateway?: Gateway } = {};
  const events = await createEventService({
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    keyPrefix: config.REDIS_KEY_PREFIX,
    retentionCount: config.EVENT_RETENTION_COUNT,
    retentionMs: config.EVENT_RETENTION_MS,
    webhook: { path: config.WEBHOOK_PATH, maxBytes: config.WEBHOOK_MAX_BYTES, signingKeys: config.WEBHOOK_SIGNING_KEYS },
    cancellation: {
      minIntervalMs: config.CANCELLATION_POLL_MIN_MS,
      maxIntervalMs: config.CANCELLATION_POLL_MAX_MS,
      giveUpAfterMs: config.CANCELLATION_WATCH_MAX_MS,
    },
    readCancellation: async (orderId, principal) => {
      const context = await contextFromHeaders(late.gateway!, principal.authorization ? { authorization: principal.authorization } : {});
      return context.loaders.orderCancellation.load(orderId);
    },
    logger,
  });
  const yoga = createGateway({
    upstreams,
    checkResponse: contract.validateResponse,
    referenceCache: createReferenceCache({ ttlMs: config.REFERENCE_CACHE_TTL_MS }),
    integratorName: config.KLARNA_INTEGRATOR_NAME,
    ...(targets.serverAuthorization ? { serverAuthorization: targets.serverAuthorization } : {}),
    metrics,
    logger,
    graphiql: config.graphiql,
    events,
  });
  late.gateway = yoga;
  const server: Server = createServer(yoga);
  const webSockets = attachGraphqlWs(server, yoga, { logger, isProd: config.NODE_ENV === 'production' });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  }).catch(async (error: unknown) => {
    await events.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST}:${port}`;

  return {
    url,
    graphqlUrl: `${url}${yoga.graphqlEndpoint}`,
    yoga,
    upstreams,
    metrics,
    /** Live events: the bus, and `watchOrderCancellation(orderId, checkAfter, principal)` (also on the context). */
    events,
    /** WebSocket clients are closed with 1001, pollers stopped, subscriptions ended, Redis closed, then HTTP. */
    async close() {
      await webSockets.close();
      await events.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([upstreams.pm.close(), upstreams.mcs.close()]);
    },
  };
}
export type RunningGateway = Awaited<ReturnType<typeof startGateway>>;
