/**
 * The live-event machinery of one gateway replica, made at boot: the event bus (in process, or a Redis
 * stream shared by every replica when `redisUrl` is set; it also deduplicates webhooks), the claims
 * that elect card order pollers, the webhook ingress's settings, and the cancellation watcher. The
 * GraphQL context carries it as `events`, so subscriptions subscribe to `events.bus` and a mutation
 * that requests an order cancellation calls `events.watchOrderCancellation(orderId, checkAfter, principal)`.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createCancellationWatcher, type ReadCancellation } from './cancellation-watcher.ts';
import { createMemoryClaims, createRedisClaims, type Claims } from './claims.ts';
import { measureDeliveryLag } from './delivery-lag.ts';
import type { IngressOptions, WebhookVerdict } from './ingress.ts';
import { createMemoryBus, type EventBus } from './memory-bus.ts';
import { createRedisBus } from './redis-bus.ts';
import { eventTypeName, type EventFacts, type KlarnaEvent } from './events.ts';

/** What the event service reports (the gateway's metrics, `src/telemetry/metrics.ts`). */
export interface EventMetrics {
  /**
   * Every webhook's verdict, with its event type label once the body is trusted: Klarna's event type,
   * or `other` for a type this gateway does not know (so labels stay bounded).
   */
  webhook(verdict: WebhookVerdict, type?: string): void;
  /** Seconds from a live event's append to the event log to its delivery to one subscriber. */
  deliveryLag(seconds: number): void;
}

export interface EventServiceOptions {
  /** `redis://...`: share events, deduplication and polling across replicas. Unset: in process. */
  redisUrl?: string;
  /** Prefix of every Redis key this gateway writes (distinct per deployment, or per test file). */
  keyPrefix: string;
  retentionCount: number;
  retentionMs: number;
  webhook: { path: string; maxBytes: number; signingKeys: Readonly<Record<string, string>>; maxAgeMs?: number };
  cancellation: { minIntervalMs: number; maxIntervalMs: number; giveUpAfterMs: number };
  /** Reads a cancellation as the given caller (bound by the server to the gateway's context factory). */
  readCancellation: ReadCancellation;
  logger: Logger;
  /** Webhook verdicts and delivery lag (`metrics.gateway`). */
  metrics?: EventMetrics;
  /**
   * Runs before this replica appends an event, and the append waits for it: the response cache drops
   * what the event makes stale, once for all replicas, before any subscriber can hear of it (so its
   * next query reads afresh). Rejects when it could not: the event is then not appended, and so not
   * acknowledged (the webhook is answered 503 and Klarna delivers it again; a cancellation is polled again).
   */
  beforePublish?: (facts: EventFacts) => Promise<void>;
  /**
   * Told every event this replica reads from the bus (its own appends, and with Redis every replica's),
   * once, before any local subscriber hears of it, whether this replica serves subscribers or not: what
   * the replica keeps about an event's subject (access verdicts) is dropped there. Must not throw.
   */
  onEvent?: (event: KlarnaEvent) => void;
}

/** The event type as a metric label: Klarna's, or `other` when this gateway does not know it. */
const eventTypeLabel = (type: string) => (eventTypeName(type) === 'UNKNOWN' ? 'other' : type);

/** The same bus, with `beforePublish` run before every append and each subscriber's deliveries measured. */
function wrapBus(bus: EventBus, { beforePublish = async () => undefined, deliveryLag }: { beforePublish?: (facts: EventFacts) => Promise<void>; deliveryLag?: (seconds: number) => void }): EventBus {
  return {
    async publish(facts) {
      await beforePublish(facts);
      return bus.publish(facts);
    },
    async publishOnce(dedupeKey, ttlMs, facts) {
      // A redelivery of an event already appended changes nothing: it costs one read, no invalidation.
      // (Two replicas racing on a first delivery may both invalidate; dropping twice is harmless.)
      if (await bus.published(dedupeKey)) return undefined;
      await beforePublish(facts);
      return bus.publishOnce(dedupeKey, ttlMs, facts);
    },
    published: (dedupeKey) => bus.published(dedupeKey),
    subscribe: (options) => (deliveryLag ? measureDeliveryLag(bus.subscribe(options), deliveryLag) : bus.subscribe(options)),
    subscribers: () => bus.subscribers(),
    close: () => bus.close(),
  };
}

/** Connects to Redis now, so a wrong `REDIS_URL` stops start-up instead of failing the first event. */
async function connect(url: string, name: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, connectionName: name, maxRetriesPerRequest: 2 });
  redis.on('error', (error: Error) => logger.warn({ err: error, connection: name }, 'redis connection error'));
  await redis.connect();
  return redis;
}

export async function createEventService(options: EventServiceOptions) {
  const { keyPrefix, retentionCount, retentionMs, logger, metrics } = options;
  const onEvent = options.onEvent ? { onEvent: options.onEvent } : {};
  let redis: Redis | undefined;
  let reader: Redis | undefined;
  let bus: EventBus;
  let polls: Claims;
  if (options.redisUrl) {
    redis = await connect(options.redisUrl, 'gateway-events', logger);
    reader = await connect(options.redisUrl, 'gateway-events-reader', logger).catch(async (error: unknown) => {
      redis?.disconnect();
      throw error;
    });
    // Webhook dedupe keys stay `<keyPrefix>webhook:<event id>`, as when they were claims.
    bus = await createRedisBus({ redis, reader, streamKey: `${keyPrefix}events`, keyPrefix, retentionCount, retentionMs, logger, ...onEvent });
    polls = createRedisClaims(redis, keyPrefix);
  } else {
    // LRU sizes: remembered event ids (a day of webhooks), and poll/outcome claims (watches are capped at 10,000).
    bus = createMemoryBus({ retentionCount, retentionMs, seen: createMemoryClaims({ max: 100_000 }), ...onEvent });
    polls = createMemoryClaims({ max: 20_000 });
  }
  bus = wrapBus(bus, { ...(options.beforePublish ? { beforePublish: options.beforePublish } : {}), ...(options.metrics ? { deliveryLag: options.metrics.deliveryLag } : {}) });
  const watcher = createCancellationWatcher({ bus, claims: polls, read: options.readCancellation, logger, ...options.cancellation });
  if (!Object.keys(options.webhook.signingKeys).length) {
    logger.warn('no WEBHOOK_SIGNING_KEYS configured: every webhook will be refused (401)');
  }

  return {
    /** `redis` when events travel through Redis, `memory` when they stay in this process. */
    mode: redis ? ('redis' as const) : ('memory' as const),
    /** For `/ready`: with Redis, whether both connections are up now (ioredis reconnects on its own). */
    redisConnected: redis ? () => redis?.status === 'ready' && reader?.status === 'ready' : undefined,
    bus,
    ingress: { ...options.webhook, bus, logger, ...(metrics ? { onVerdict: (verdict, type) => metrics.webhook(verdict, type === undefined ? undefined : eventTypeLabel(type)) } : {}) } satisfies IngressOptions,
    watchOrderCancellation: watcher.watchOrderCancellation,
    watchedOrders: watcher.watched,
    /** Stops the pollers, ends every subscription, closes the Redis connections. */
    async close() {
      await watcher.close();
      await bus.close();
      await redis?.quit().catch(() => redis?.disconnect());
      reader?.disconnect();
    },
  };
}
export type EventService = Awaited<ReturnType<typeof createEventService>>;
