/**
 * The fan-out of live events at scale (issue #12, item 3), with counters and gates, never timings:
 * - the webhook is answered (its verdict given) before any subscriber is handed the event, even with a
 *   subscriber held on a gate;
 * - delivery runs in batches with turns of the event loop between them, and nothing is lost or doubled
 *   across a batch boundary (also for a subscriber that joins with `after` in the middle of a fan-out);
 * - a subscriber that does not read is dropped once over its bound with SUBSCRIPTION_INTERRUPTED and
 *   its `resumeAfter`, while the others receive everything; it resumes from there.
 * In process and through Redis (a real one, `test/utils/redis.ts`).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.ts';
import { signWebhookBody } from '../../src/sandbox/webhooks.ts';
import { filterEvents, type Access } from '../../src/schema/subscription-access.ts';
import { createEventService } from '../../src/webhooks/event-service.ts';
import type { EventFacts, KlarnaEvent } from '../../src/webhooks/events.ts';
import { useWebhookIngress, type WebhookVerdict } from '../../src/webhooks/ingress.ts';
import { createMemoryBus, type EventBus } from '../../src/webhooks/memory-bus.ts';
import { createRedisBus } from '../../src/webhooks/redis-bus.ts';
import { productEvent, SIGNING_KEY, SIGNING_KEY_ID } from '../utils/events.ts';
import { deleteKeys, REDIS_URL, redisAvailable, redisKeyPrefix } from '../utils/redis.ts';

const withRedis = await redisAvailable();
const prefix = redisKeyPrefix(import.meta.filename);
const logger = pino({ level: 'silent' });
const BATCH = 4;
const facts = (n: number): EventFacts => ({ klarnaEventId: `event-${n}-${randomUUID()}`, type: 'partner.account.updated', occurredAt: new Date().toISOString(), accountId: 'krn:partner:global:account:live:TEST' });
// Decides nothing at once (`allowsNow`), so each event takes the path of a verdict still being read.
const allow = { readVerdict: async () => true, allowsNow: () => undefined } as unknown as Access;

/** Reads `events` into `received` (Klarna event ids) until it ends; resolves with how it ended. */
function consume(events: AsyncIterableIterator<KlarnaEvent>, received: string[], onEach: () => void = () => undefined): Promise<unknown> {
  return (async () => {
    for (;;) {
      const result = await events.next();
      if (result.done) return 'done';
      received.push(result.value.klarnaEventId);
      onEach();
    }
  })().catch((error: unknown) => error);
}

/** Turns of the event loop, counted by a `setImmediate` chain while `stop` is not called. */
function countTurns() {
  const state = { turn: 0, running: true };
  const tick = () => {
    state.turn += 1;
    if (state.running) setImmediate(tick);
  };
  setImmediate(tick);
  return { now: () => state.turn, stop: () => void (state.running = false) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; !condition(); turn += 1) {
    if (turn > 20_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const redisConnections: Redis[] = [];
async function makeBus(kind: 'memory' | 'redis', maxQueuedPerSubscriber = 100, onEvent?: (event: KlarnaEvent) => void): Promise<EventBus> {
  const retention = { retentionCount: 100, retentionMs: 60_000, maxQueuedPerSubscriber, fanoutBatchSize: BATCH, ...(onEvent ? { onEvent } : {}) };
  if (kind === 'memory') return createMemoryBus(retention);
  const [redis, reader] = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
  redisConnections.push(redis, reader);
  return createRedisBus({ redis, reader, streamKey: `${prefix}events:${randomUUID()}`, keyPrefix: prefix, logger, blockMs: 200, ...retention });
}

afterAll(async () => {
  if (!withRedis) return;
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, prefix);
  redis.disconnect();
  for (const connection of redisConnections) connection.disconnect();
});

describe('the webhook is answered before the fan-out (in process)', () => {
  it('gives its 202 verdict before any subscriber is handed the event, with one subscriber held on a gate', async () => {
    const service = await createEventService({
      keyPrefix: prefix,
      retentionCount: 100,
      retentionMs: 60_000,
      webhook: { path: '/webhooks/klarna', maxBytes: 100_000, signingKeys: { [SIGNING_KEY_ID]: SIGNING_KEY } },
      cancellation: { minIntervalMs: 1_000, maxIntervalMs: 60_000, giveUpAfterMs: 60_000 },
      readCancellation: () => Promise.reject(new Error('not used here')),
      logger,
    });
    try {
      // More subscribers than one batch of the default size, so the fan-out takes several turns.
      const subscribers = 600;
      let delivered = 0;
      const received = Array.from({ length: subscribers }, () => [] as string[]);
      received.forEach((into) => void consume(service.bus.subscribe(), into, () => (delivered += 1)));
      const held = service.bus.subscribe(); // never read until the end: its consumption is held
      const verdicts: { verdict: WebhookVerdict; deliveredThen: number }[] = [];
      const yoga = createYoga({
        schema: createSchema({ typeDefs: 'type Query { ok: Boolean }' }),
        logging: false,
        plugins: [useWebhookIngress({ ...service.ingress, onVerdict: (verdict) => void verdicts.push({ verdict, deliveredThen: delivered }) })],
      });
      const event = productEvent();
      const body = JSON.stringify(event);
      const response = await yoga.fetch('http://gateway/webhooks/klarna', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'klarna-signing-key-id': SIGNING_KEY_ID, 'klarna-signature': signWebhookBody(body, SIGNING_KEY) },
        body,
      });
      expect(response.status).toBe(202);
      expect(verdicts).toEqual([{ verdict: 'accepted', deliveredThen: 0 }]);
      await until(() => delivered === subscribers, 'every subscriber');
      expect(received.every((ids) => ids.length === 1 && ids[0] === event.metadata.event_id)).toBe(true);
      expect((await held.next()).value?.klarnaEventId).toBe(event.metadata.event_id);
    } finally {
      await service.close();
    }
  });
});

describe.each([
  ['in process', 'memory'],
  ['through Redis', withRedis ? 'redis' : null],
] as const)('fan-out (%s)', (_name, kind) => {
  it.skipIf(kind === null)('delivers in batches with turns of the event loop between them, nothing lost or doubled across a batch boundary', async () => {
    const bus = await makeBus(kind!);
    const turns = countTurns();
    try {
      const subscribers = BATCH * 2 + 3;
      const received = Array.from({ length: subscribers }, () => [] as string[]);
      // Per event, the turns of the event loop its deliveries were made in.
      const turnsSeen = new Map<string, Set<number>>();
      const endings = received.map((into) =>
        consume(bus.subscribe(), into, () => {
          const id = into[into.length - 1]!;
          turnsSeen.set(id, (turnsSeen.get(id) ?? new Set()).add(turns.now()));
        }),
      );
      const sent = Array.from({ length: 5 }, (_, n) => facts(n));
      const ids: string[] = [];
      for (const event of sent) ids.push(await bus.publish(event));
      // Joins while the fan-out may still be under way, resuming after the first event.
      const late: string[] = [];
      const lateEnding = consume(bus.subscribe({ after: ids[0]! }), late);
      const expected = sent.map((event) => event.klarnaEventId);
      await until(() => received.every((into) => into.length >= expected.length) && late.length >= 4, 'every delivery');
      await new Promise((resolve) => setTimeout(resolve, 20)); // room for a double to show up
      for (const into of received) expect(into).toEqual(expected);
      expect(late).toEqual(expected.slice(1));
      // Each event reached its 11 subscribers over several turns (batches of 4), not in one go.
      expect(expected.map((id) => turnsSeen.get(id)!.size >= 2)).toEqual(expected.map(() => true));
      await bus.close();
      expect(await Promise.all([...endings, lateEnding])).toEqual(Array(subscribers + 1).fill('done'));
    } finally {
      turns.stop();
      await bus.close();
    }
  });

  it.skipIf(kind === null)('tells onEvent every event once, with no subscriber, and before any subscriber is handed it', async () => {
    const observed: string[] = [];
    let handedWhenObserved = -1;
    const received: string[] = [];
    const bus = await makeBus(kind!, 100, (event) => {
      observed.push(event.klarnaEventId);
      if (handedWhenObserved < 0 && observed.length === 2) handedWhenObserved = received.length;
    });
    try {
      const first = facts(0);
      await bus.publish(first);
      await until(() => observed.length === 1, 'the first event observed');
      expect(bus.subscribers()).toBe(0);
      void consume(bus.subscribe(), received);
      const second = facts(1);
      await bus.publish(second);
      await until(() => received.length === 1, 'the second event delivered');
      expect(observed).toEqual([first.klarnaEventId, second.klarnaEventId]);
      expect(handedWhenObserved).toBe(0);
    } finally {
      await bus.close();
    }
  });

  it.skipIf(kind === null)('drops a subscriber that does not read once over its bound, with SUBSCRIPTION_INTERRUPTED and resumeAfter, without holding the others', async () => {
    const bound = 3;
    const bus = await makeBus(kind!, bound);
    try {
      const others = Array.from({ length: BATCH * 2 + 1 }, () => [] as string[]);
      others.forEach((into) => void consume(bus.subscribe(), into));
      const slow = filterEvents(bus.subscribe(), () => true, allow); // held: not read until every event is out
      const sent = Array.from({ length: bound + 3 }, (_, n) => facts(n));
      const ids: string[] = [];
      for (const event of sent) ids.push(await bus.publish(event));
      const expected = sent.map((event) => event.klarnaEventId);
      await until(() => others.every((into) => into.length >= expected.length), 'the others');
      for (const into of others) expect(into).toEqual(expected);
      expect(bus.subscribers()).toBe(others.length); // the slow one was let go

      const slowReceived: string[] = [];
      const ending = await consume(slow, slowReceived);
      expect(slowReceived).toEqual(expected.slice(0, bound));
      expect(ending).toBeInstanceOf(GatewayError);
      expect((ending as GatewayError).code).toBe('SUBSCRIPTION_INTERRUPTED');
      expect((ending as GatewayError).extensions).toMatchObject({ resumeAfter: ids[bound - 1] });

      // Resuming where it was interrupted gives exactly what it missed.
      const resumed: string[] = [];
      void consume(bus.subscribe({ after: ids[bound - 1]! }), resumed);
      await until(() => resumed.length >= expected.length - bound, 'the resumed subscriber');
      expect(resumed).toEqual(expected.slice(bound));
    } finally {
      await bus.close();
    }
  });
});
