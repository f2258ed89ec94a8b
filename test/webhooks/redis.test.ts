/**
 * Two gateway replicas sharing one Redis (a real one: see `test/utils/redis.ts`): events cross
 * replicas, duplicates are dropped across them, and a subscriber resumes from the Redis stream on any
 * replica, also after its gateway restarted.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import type { RunningGateway } from '../../src/server.ts';
import { ingressUrl, productEvent, sendWebhook, startEventGateway, subscribe, subscribed } from '../utils/events.ts';
import { connectRedis, deleteKeys, redisAvailable, redisKeyPrefix, REDIS_URL } from '../utils/redis.ts';
import { useSandbox } from '../utils/sandbox.ts';

const available = await redisAvailable();
const PREFIX = redisKeyPrefix(fileURLToPath(import.meta.url));
const REDIS_ENV = { REDIS_URL, REDIS_KEY_PREFIX: PREFIX };
const ACCOUNT_EVENTS = `subscription ($id: ID!, $after: String) { accountEvents(accountId: $id, after: $after) { id klarnaEventId } }`;
const ids = (events: any[]) => events.map((e) => e.klarnaEventId);
const eventIds = (events: ReturnType<typeof productEvent>[]) => events.map((e) => e.metadata.event_id);

describe.skipIf(!available)('events across replicas (Redis)', () => {
  const env = useSandbox({ accounts: 3 });
  const replicas: { a?: RunningGateway; b?: RunningGateway } = {};
  const a = () => replicas.a!;
  const b = () => replicas.b!;
  let redis: ReturnType<typeof connectRedis>;

  beforeAll(async () => {
    redis = connectRedis();
    [replicas.a, replicas.b] = await Promise.all([startEventGateway(env.sandbox, REDIS_ENV), startEventGateway(env.sandbox, REDIS_ENV)]);
  });
  afterAll(async () => {
    await Promise.all([replicas.a?.close(), replicas.b?.close()]);
    await deleteKeys(redis, PREFIX);
    redis.disconnect();
  });

  it('runs both replicas on Redis', () => {
    expect([a().events.mode, b().events.mode]).toEqual(['redis', 'redis']);
  });

  it('delivers a webhook received by one replica to subscribers of both', async () => {
    const onA = subscribe(a(), ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID });
    const onB = subscribe(b(), ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID });
    await Promise.all([subscribed(a(), 1), subscribed(b(), 1)]);
    const event = productEvent();
    expect((await sendWebhook(ingressUrl(a()), event)).status).toBe(202);
    expect(ids(await onB.waitFor(1))).toEqual([event.metadata.event_id]);
    expect(ids(await onA.waitFor(1))).toEqual([event.metadata.event_id]);
    await Promise.all([onA.dispose(), onB.dispose()]);
  });

  it('delivers once an event Klarna delivered to both replicas at the same time', async () => {
    await Promise.all([subscribed(a(), 0), subscribed(b(), 0)]);
    const onA = subscribe(a(), ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID });
    const onB = subscribe(b(), ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID });
    await Promise.all([subscribed(a(), 1), subscribed(b(), 1)]);
    const event = productEvent();
    const answers = await Promise.all([sendWebhook(ingressUrl(a()), event), sendWebhook(ingressUrl(b()), event), sendWebhook(ingressUrl(b()), event)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 202]);
    // The event id is remembered in Redis, with an expiry (SET NX EX).
    expect(await redis.pttl(`${PREFIX}webhook:${event.metadata.event_id}`)).toBeGreaterThan(20 * 60 * 60 * 1000);
    const sentinel = productEvent();
    await sendWebhook(ingressUrl(b()), sentinel);
    expect(ids(await onA.waitFor(2))).toEqual(eventIds([event, sentinel]));
    expect(ids(await onB.waitFor(2))).toEqual(eventIds([event, sentinel]));
    await Promise.all([onA.dispose(), onB.dispose()]);
  });

  it('gives a subscriber that reconnects with `after` exactly the events it missed, in order, on any replica', async () => {
    await Promise.all([subscribed(a(), 0), subscribed(b(), 0)]);
    const first = subscribe(b(), ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID });
    await subscribed(b(), 1);
    await sendWebhook(ingressUrl(a()), productEvent());
    const [last] = await first.waitFor(1);
    await first.dispose();
    await subscribed(b(), 0);

    const missed = [productEvent(), productEvent(), productEvent()];
    await sendWebhook(ingressUrl(a()), missed[0]);
    await sendWebhook(ingressUrl(b()), missed[1]);
    await sendWebhook(ingressUrl(a()), missed[2]);
    const again = subscribe(a(), ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID, after: last.id });
    await subscribed(a(), 1);
    const live = productEvent();
    await sendWebhook(ingressUrl(b()), live);
    expect(ids(await again.waitFor(4))).toEqual(eventIds([...missed, live]));
    await again.dispose();
  });

  it('gives the missed events to a subscriber that reconnects after its gateway restarted', async () => {
    await subscribed(b(), 0);
    const first = subscribe(b(), ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID });
    await subscribed(b(), 1);
    await sendWebhook(ingressUrl(b()), productEvent());
    const [last] = await first.waitFor(1);
    await first.dispose();

    const beforeRestart = productEvent();
    await sendWebhook(ingressUrl(b()), beforeRestart);
    await b().close();
    const whileDown = productEvent();
    await sendWebhook(ingressUrl(a()), whileDown);
    replicas.b = await startEventGateway(env.sandbox, REDIS_ENV);

    const again = subscribe(b(), ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID, after: last.id });
    expect(ids(await again.waitFor(2))).toEqual(eventIds([beforeRestart, whileDown]));
    await again.dispose();
  });
});
