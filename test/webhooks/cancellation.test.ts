/**
 * The card order cancellation poller: Klarna pushes nothing when a cancellation resolves, so the gateway
 * polls after `check_after` and publishes one event per cancellation request. The sandbox's cancellation
 * delay is a minute; the tests move the sandbox clock past it instead of waiting.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalFor } from '../../src/context.ts';
import { DEMO_CREDENTIALS, type Sandbox } from '../../src/sandbox/index.ts';
import { DOCS_CARD_SAMPLE } from '../../src/sandbox/seed/cards.ts';
import type { RunningGateway } from '../../src/server.ts';
import { EVENT_TYPES } from '../../src/webhooks/events.ts';
import { gql, useGateway } from '../utils/gateway.ts';
import { sleep, startEventGateway, subscribe, subscribed } from '../utils/events.ts';
import { connectRedis, deleteKeys, redisAvailable, redisKeyPrefix, REDIS_URL } from '../utils/redis.ts';
import { admin, call, useSandbox } from '../utils/sandbox.ts';

const DELAY_MS = 60_000;
const POLL_ENV = { CANCELLATION_POLL_MIN_MS: '20', CANCELLATION_POLL_MAX_MS: '150' };
const MCS = '/merchantcard/v3';
const QUERY = `subscription ($orderId: ID!) {
  orderCancellationUpdated(orderId: $orderId) { id type orderId outcome reasonCode order { cancellation { status reasonCode } } }
}`;
const DEMO = principalFor(`Basic ${DEMO_CREDENTIALS.apiKey}`);

/** A completed order of the demo principal with a card settlement (what a cancellation needs). */
async function settledOrder(sandbox: Sandbox): Promise<string> {
  const { order_id } = await admin(sandbox, 'POST', '/card-orders', { amount: 9_900, currency: 'EUR' });
  expect((await call(sandbox, 'POST', `${MCS}/settlements`, { body: { order_id, key_id: DOCS_CARD_SAMPLE.keyId } })).status).toBe(201);
  return order_id;
}

async function requestCancellation(sandbox: Sandbox, orderId: string): Promise<string> {
  const answer = await call(sandbox, 'POST', `${MCS}/orders/${orderId}/cancel-request`);
  expect(answer).toMatchObject({ status: 202, body: { status: 'PENDING' } });
  return answer.body.check_after;
}

const advance = (sandbox: Sandbox) => admin(sandbox, 'POST', '/clock/advance', { ms: DELAY_MS });

/** Long enough for several polls (at most 150 ms apart) to have happened, had the watch gone on. */
const severalPolls = () => sleep(600);

/** Until the sandbox has answered `count` more cancellation status polls than it had when called. */
async function polledAgain(sandbox: Sandbox, count = 3): Promise<void> {
  const polls = async () => (await admin<{ byOperation: Record<string, { total: number }> }>(sandbox, 'GET', '/counters')).byOperation.getOrderCancellation?.total ?? 0;
  const before = await polls();
  await expect.poll(polls, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(before + count);
}

describe('order cancellation poller (in process)', () => {
  const env = useGateway({ sandbox: { accounts: 3, cancellationDelayMs: DELAY_MS }, env: POLL_ENV });

  it('publishes exactly one event when the docs-sample order\'s cancellation resolves', async () => {
    const orderId = DOCS_CARD_SAMPLE.orderId;
    await requestCancellation(env.sandbox, orderId);
    const subscriber = subscribe(env.gateway, QUERY, { orderId });
    await subscribed(env.gateway, 1);
    await polledAgain(env.sandbox); // still PENDING at Klarna: nothing to announce
    expect(subscriber.results).toEqual([]);
    expect(env.gateway.events.watchedOrders()).toEqual([orderId]);

    await advance(env.sandbox);
    const [event] = await subscriber.waitFor(1);
    expect(event).toMatchObject({ type: 'ORDER_CANCELLATION_UPDATED', orderId, outcome: 'CANCELLED', reasonCode: null, order: { cancellation: { status: 'CANCELLED' } } });
    await severalPolls();
    expect(subscriber.results).toHaveLength(1);
    expect(env.gateway.events.watchedOrders()).toEqual([]);
    await subscriber.dispose();
  });

  it('starts watching when requestOrderCancellation answers PENDING, and publishes the resolution once', async () => {
    const orderId = await settledOrder(env.sandbox);
    const mutation = `mutation($id: ID!) { requestOrderCancellation(input: { orderId: $id }) { __typename ... on RequestOrderCancellationPayload { cancellation { status } } } }`;
    const { body } = await gql(env.gateway, mutation, { id: orderId });
    expect(body.data.requestOrderCancellation.cancellation.status).toBe('PENDING');
    expect(env.gateway.events.watchedOrders()).toContain(orderId);
    const subscriber = subscribe(env.gateway, QUERY, { orderId });
    await subscribed(env.gateway, 1);
    await advance(env.sandbox);
    const [event] = await subscriber.waitFor(1);
    expect(event).toMatchObject({ orderId, outcome: 'CANCELLED' });
    await severalPolls();
    expect(subscriber.results).toHaveLength(1);
    await subscriber.dispose();
  });

  it("refuses to watch another principal's order", async () => {
    const subscriber = subscribe(env.gateway, QUERY, { orderId: DOCS_CARD_SAMPLE.orderId }, { authorization: `Basic ${DEMO_CREDENTIALS.otherApiKey}` });
    await subscriber.waitFor(1);
    expect(subscriber.results[0]?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await subscriber.dispose();
  });
});

const available = await redisAvailable();
const PREFIX = redisKeyPrefix(fileURLToPath(import.meta.url));

describe.skipIf(!available)('order cancellation poller (two replicas, Redis)', () => {
  const env = useSandbox({ accounts: 3, cancellationDelayMs: DELAY_MS });
  const replicas: RunningGateway[] = [];
  let redis: ReturnType<typeof connectRedis>;
  beforeAll(async () => {
    redis = connectRedis();
    const redisEnv = { ...POLL_ENV, REDIS_URL, REDIS_KEY_PREFIX: PREFIX };
    replicas.push(...(await Promise.all([startEventGateway(env.sandbox, redisEnv), startEventGateway(env.sandbox, redisEnv)])));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((gateway) => gateway.close()));
    await deleteKeys(redis, PREFIX);
    redis.disconnect();
  });

  /** The cancellation events in the shared stream for `orderId`. */
  async function published(orderId: string) {
    const entries = (await redis.xrange(`${PREFIX}events`, '-', '+')) as [string, string[]][];
    return entries.map(([, fields]) => JSON.parse(fields[1]!)).filter((e) => e.type === EVENT_TYPES.ORDER_CANCELLATION_UPDATED && e.orderId === orderId);
  }

  it('publishes one event when both replicas watch the same cancellation (subscribers and the mutation hook)', async () => {
    const orderId = await settledOrder(env.sandbox);
    const checkAfter = await requestCancellation(env.sandbox, orderId);
    const subscribers = replicas.map((gateway) => subscribe(gateway, QUERY, { orderId }));
    await Promise.all(replicas.map((gateway) => subscribed(gateway, 1)));
    // What `requestOrderCancellation` does after Klarna answered PENDING, on both replicas.
    for (const gateway of replicas) gateway.events.watchOrderCancellation(orderId, checkAfter, DEMO);

    await advance(env.sandbox);
    for (const subscriber of subscribers) expect((await subscriber.waitFor(1))[0]).toMatchObject({ orderId, outcome: 'CANCELLED' });
    await severalPolls();
    expect(subscribers.map((subscriber) => subscriber.results.length)).toEqual([1, 1]);
    expect(await published(orderId)).toHaveLength(1);
    expect(replicas.flatMap((gateway) => gateway.events.watchedOrders())).toEqual([]);
    await Promise.all(subscribers.map((subscriber) => subscriber.dispose()));
  });

  it('publishes one event per cancellation request: a rejection, then the rejection of a new request', async () => {
    const orderId = await settledOrder(env.sandbox);
    await requestCancellation(env.sandbox, orderId);
    await admin(env.sandbox, 'POST', `/card-orders/${orderId}/card-in-use`);
    await Promise.all(replicas.map((gateway) => subscribed(gateway, 0)));
    const subscriber = subscribe(replicas[0]!, QUERY, { orderId });
    await subscribed(replicas[0]!, 1);
    await advance(env.sandbox);
    expect((await subscriber.waitFor(1))[0]).toMatchObject({ outcome: 'REJECTED', reasonCode: 'CARD_IN_USE', order: { cancellation: { status: 'REJECTED' } } });

    const checkAfter = await requestCancellation(env.sandbox, orderId);
    replicas[1]!.events.watchOrderCancellation(orderId, checkAfter, DEMO);
    await advance(env.sandbox);
    const events = await subscriber.waitFor(2);
    expect(events.map((event) => event.outcome)).toEqual(['REJECTED', 'REJECTED']);
    await severalPolls();
    expect(subscriber.results).toHaveLength(2);
    expect(await published(orderId)).toHaveLength(2);
    await subscriber.dispose();
  });
});
