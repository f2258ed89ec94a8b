/**
 * The event service's append path: what runs before an event is appended (the response cache's
 * invalidation) runs once per event, never for a redelivery of one already appended, in process and
 * through Redis alike.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createEventService, type EventService } from '../../src/webhooks/event-service.ts';
import type { EventFacts } from '../../src/webhooks/events.ts';
import { connectRedis, deleteKeys, REDIS_URL, redisAvailable, redisKeyPrefix } from '../utils/redis.ts';

const withRedis = await redisAvailable();
const prefix = redisKeyPrefix(import.meta.filename);

function startService(redisUrl: string | undefined, beforePublish: (facts: EventFacts) => Promise<void>): Promise<EventService> {
  return createEventService({
    ...(redisUrl ? { redisUrl } : {}),
    keyPrefix: prefix,
    retentionCount: 100,
    retentionMs: 60_000,
    webhook: { path: '/webhooks/klarna', maxBytes: 10_000, signingKeys: {} },
    cancellation: { minIntervalMs: 1_000, maxIntervalMs: 60_000, giveUpAfterMs: 60_000 },
    readCancellation: () => Promise.reject(new Error('not used here')),
    logger: pino({ level: 'silent' }),
    beforePublish,
  });
}

const facts = (): EventFacts => ({ klarnaEventId: randomUUID(), type: 'partner.account.updated', occurredAt: new Date().toISOString(), accountId: 'krn:partner:global:account:live:TEST' });

describe.each([
  ['in process', undefined],
  ['through Redis', withRedis ? REDIS_URL : null],
] as const)('event service (%s)', (_name, redisUrl) => {
  it.skipIf(redisUrl === null)('runs beforePublish once for an event and not for its redeliveries', async () => {
    const before: string[] = [];
    const service = await startService(redisUrl ?? undefined, async (event) => void before.push(event.klarnaEventId));
    try {
      const event = facts();
      const first = await service.bus.publishOnce(`webhook:${event.klarnaEventId}`, 60_000, event);
      const again = await service.bus.publishOnce(`webhook:${event.klarnaEventId}`, 60_000, event);
      const other = facts();
      await service.bus.publishOnce(`webhook:${other.klarnaEventId}`, 60_000, other);
      expect(first).toMatch(/^\d+-\d+$/);
      expect(again).toBeUndefined();
      expect(before).toEqual([event.klarnaEventId, other.klarnaEventId]);
    } finally {
      await service.close();
    }
  });
});

afterAll(async () => {
  if (!withRedis) return;
  const redis = connectRedis();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});
