/**
 * Two gateway replicas sharing one Redis (a real one: see `test/utils/redis.ts`): events cross
 * replicas, duplicates are dropped across them (and appended once), an event the stream could not take
 * is not remembered (Klarna's retry gets in), and a subscriber resumes from the Redis stream on any
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
const WRITES = /^(set|setex|psetex|getset|getdel|del|unlink|expire|pexpire|persist|rename)$/i;

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
    // The event id is remembered in Redis under the key claims used before, with an expiry.
    expect(await redis.pttl(`${PREFIX}webhook:${event.metadata.event_id}`)).toBeGreaterThan(20 * 60 * 60 * 1000);
    const sentinel = productEvent();
    await sendWebhook(ingressUrl(b()), sentinel);
    expect(ids(await onA.waitFor(2))).toEqual(eventIds([event, sentinel]));
    expect(ids(await onB.waitFor(2))).toEqual(eventIds([event, sentinel]));
    await Promise.all([onA.dispose(), onB.dispose()]);
  });

  it('appends once each event Klarna delivered to both replicas at the same time', async () => {
    const streamKey = `${PREFIX}events`;
    const before = await redis.xlen(streamKey);
    const events = Array.from({ length: 20 }, () => productEvent());
    const answers = await Promise.all(events.map((event) => Promise.all([sendWebhook(ingressUrl(a()), event), sendWebhook(ingressUrl(b()), event)])));
    for (const pair of answers) expect(pair.map((answer) => answer.status).sort()).toEqual([200, 202]);
    expect(await redis.xlen(streamKey)).toBe(before + events.length);
    const sent = new Set(eventIds(events));
    const appended = (await redis.xrange(streamKey, '-', '+'))
      .map(([, fields]) => (JSON.parse(fields[1]!) as { klarnaEventId: string }).klarnaEventId)
      .filter((id) => sent.has(id));
    expect(appended.sort()).toEqual([...sent].sort());
  });

  it('answers 503 and remembers nothing when the stream cannot take an event, so Klarna\'s retry is accepted and delivered once', async () => {
    // A replica of its own, so breaking its stream disturbs no other test.
    const prefix = `${PREFIX}fault:`;
    const streamKey = `${prefix}events`;
    const gateway = await startEventGateway(env.sandbox, { REDIS_URL, REDIS_KEY_PREFIX: prefix });
    const monitor = await redis.monitor();
    try {
      const subscriber = subscribe(gateway, ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID });
      await subscribed(gateway, 1);
      const event = productEvent();
      const dedupeKey = `${prefix}webhook:${event.metadata.event_id}`;
      // Every command that writes the dedupe key, in Redis's own order (scripts' commands included).
      const writes: string[] = [];
      const marker = `${prefix}monitor-marker`;
      const markerSeen = new Promise<void>((resolve) => {
        monitor.on('monitor', (_time: string, args: string[]) => {
          if (args.includes(marker)) resolve();
          else if (args[1] === dedupeKey && WRITES.test(args[0] ?? '')) writes.push(args[0]!);
        });
      });

      await redis.set(streamKey, 'not a stream'); // every XADD now fails with WRONGTYPE
      expect(await sendWebhook(ingressUrl(gateway), event)).toMatchObject({ status: 503, body: { error: 'UNAVAILABLE' } });
      expect(await redis.exists(dedupeKey)).toBe(0);
      // Not even for a moment: a replica that wrote the key first and then failed to delete it would
      // answer Klarna's retries DUPLICATE for a day, and the event would be lost.
      await redis.exists(marker);
      await markerSeen;
      expect(writes).toEqual([]);

      await redis.del(streamKey);
      expect((await sendWebhook(ingressUrl(gateway), event)).status).toBe(202);
      expect(await redis.pttl(dedupeKey)).toBeGreaterThan(20 * 60 * 60 * 1000);
      expect((await sendWebhook(ingressUrl(gateway), event)).status).toBe(200);
      const sentinel = productEvent();
      expect((await sendWebhook(ingressUrl(gateway), sentinel)).status).toBe(202);
      expect(ids(await subscriber.waitFor(2))).toEqual(eventIds([event, sentinel]));
      expect(await redis.xlen(streamKey)).toBe(2);
      await subscriber.dispose();
    } finally {
      monitor.disconnect();
      await gateway.close();
    }
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
