/**
 * What one operation may spend: upstream calls (MAX_UPSTREAM_CALLS_PER_OPERATION), time
 * (OPERATION_DEADLINE_MS), and request bytes (MAX_REQUEST_BYTES), each refused with its own code.
 * A query or mutation planned over the call limit is refused before it starts (QUERY_TOO_COSTLY; the
 * planner itself is tested in test/gateway/planned-cost.test.ts); the calls really made are held to the
 * same limit (UPSTREAM_CALL_LIMIT), which is what limits each subscription event, never planned.
 */
import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { portfolioAccountIds } from '../../src/sandbox/seed/portfolio.ts';
import { ingressUrl, productEvent, sendWebhook, sleep, subscribe, subscribed, WEBHOOK_ENV } from '../utils/events.ts';
import { countCalls, gql, useGateway, type GraphQLResult } from '../utils/gateway.ts';
import { admin, waitingUpstream } from '../utils/sandbox.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const IDS = portfolioAccountIds(20_250_101, 5);
const PORTFOLIO = `query($ids: [ID!]!) { accounts(ids: $ids) { id name } }`;

describe('upstream calls per operation', () => {
  const context = useGateway({ env: { MAX_UPSTREAM_CALLS_PER_OPERATION: '3' } });

  it('refuses an operation planned to make more calls with QUERY_TOO_COSTLY, before making any', async () => {
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, PORTFOLIO, { ids: IDS }));
    expect(total).toBe(0);
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors?.map((error) => error.extensions)).toEqual([
      { code: 'QUERY_TOO_COSTLY', plannedCalls: 5, maxCalls: 3 },
    ]);
  });

  it('gives every operation its own count', async () => {
    for (const ids of [IDS.slice(0, 3), IDS.slice(2, 5)]) {
      const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, PORTFOLIO, { ids }));
      expect(result.body.errors).toBeUndefined();
      expect(total).toBe(3);
    }
  });
});

describe('operation deadline', () => {
  const context = useGateway({ env: { OPERATION_DEADLINE_MS: '300' } });

  it('cuts an operation short at its deadline with OPERATION_TIMEOUT, and the upstream stays usable', async () => {
    // The sandbox holds every getAccount until released: an answer that comes back while the call is
    // still held did not wait for the upstream.
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', hold: true, times: 6, gateTimeoutMs: 60_000 });
    try {
      // Six in a row: more than the breaker's threshold, which a deadline must not count as failures.
      for (let attempt = 0; attempt < 6; attempt += 1) {
        const started = performance.now();
        const result = await gql(context.gateway, `{ account(id: "${ACCOUNT}") { name } }`);
        expect(performance.now() - started).toBeGreaterThanOrEqual(290);
        expect(result.body.data).toEqual({ account: null });
        expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_TIMEOUT', deadlineMs: 300 });
        expect(await waitingUpstream(context.sandbox)).toBe(attempt + 1);
      }
    } finally {
      await admin(context.sandbox, 'POST', '/faults/release');
    }
    const after = await gql(context.gateway, `{ account(id: "${ACCOUNT}") { name } }`);
    expect(after.body).toEqual({ data: { account: { name: 'Merchant ABC US' } } });
  });
});

describe('subscriptions', () => {
  const context = useGateway({ env: { ...WEBHOOK_ENV, OPERATION_DEADLINE_MS: '1000', MAX_UPSTREAM_CALLS_PER_OPERATION: '1' } });

  it('are held to neither the call limit nor the deadline themselves: they live long, and each event reads afresh', async () => {
    // Each event's access is checked with a call when it arrives, after the deadline, one call per
    // account: two accounts, more than the limit of one. Each event's own read (one call) is within it.
    const query = `subscription { klarnaEvents { klarnaEventId account { name } } }`;
    const subscriber = subscribe(context.gateway, query);
    await subscribed(context.gateway, 1);
    await sleep(1_100);
    const [other] = portfolioAccountIds(20_250_101, 2).slice(1);
    const events = [productEvent(), productEvent({ accountId: other! })];
    for (const event of events) expect((await sendWebhook(ingressUrl(context.gateway), event)).status).toBe(202);
    const received = await subscriber.waitFor(2);
    await subscriber.dispose();
    expect(subscriber.results.flatMap((result) => result.errors ?? [])).toEqual([]);
    expect(received.map((event) => event.klarnaEventId)).toEqual(events.map((event) => event.metadata.event_id));
    expect(received[0].account).toEqual({ name: 'Merchant ABC US' });
    expect(received[1].account.name).toEqual(expect.any(String));
  });

  it('hold each event to the call limit: one that needs more is delivered with UPSTREAM_CALL_LIMIT, and the next gets a budget of its own', async () => {
    await subscribed(context.gateway, 0);
    // Two calls per event (the account's products, and the account): one more than the limit.
    const query = `subscription ($id: ID!) { paymentProductStateChanged(accountId: $id) { klarnaEventId product { state } account { name } } }`;
    const subscriber = subscribe(context.gateway, query, { id: ACCOUNT });
    await subscribed(context.gateway, 1);
    try {
      const events = [productEvent(), productEvent({ state: 'ENABLED' })];
      for (const event of events) expect((await sendWebhook(ingressUrl(context.gateway), event)).status).toBe(202);
      await subscriber.waitFor(2);
      expect(subscriber.completed).toBe(false);
      expect(subscriber.results).toHaveLength(2);
      subscriber.results.forEach((result, index) => {
        const event = result.data?.paymentProductStateChanged;
        expect(event.klarnaEventId).toBe(events[index]!.metadata.event_id);
        // Exactly one of the two reads made it: the limit is per event, not spent by the one before.
        expect([event.product, event.account].filter(Boolean)).toHaveLength(1);
        expect(result.errors?.map((error) => [error.extensions?.code, error.extensions?.limit])).toEqual([['UPSTREAM_CALL_LIMIT', 1]]);
      });
    } finally {
      await subscriber.dispose();
    }
  });

  it('hold each event to the deadline: one that runs past it is delivered with OPERATION_TIMEOUT, and the next one in full', async () => {
    await subscribed(context.gateway, 0);
    const query = `subscription ($id: ID!) { accountEvents(accountId: $id) { klarnaEventId account { name } } }`;
    const subscriber = subscribe(context.gateway, query, { id: ACCOUNT });
    await subscribed(context.gateway, 1); // its access check read the account already
    try {
      await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', hold: true, times: 1, gateTimeoutMs: 60_000 });
      const slow = productEvent();
      expect((await sendWebhook(ingressUrl(context.gateway), slow)).status).toBe(202);
      await subscriber.waitFor(1);
      // Delivered while its account read is still held upstream: the deadline, not the upstream, ended it.
      expect(await waitingUpstream(context.sandbox)).toBe(1);
      await admin(context.sandbox, 'POST', '/faults/release');
      expect(subscriber.results[0]?.data?.accountEvents).toEqual({ klarnaEventId: slow.metadata.event_id, account: null });
      expect(subscriber.results[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_TIMEOUT', deadlineMs: 1_000 });

      const next = productEvent();
      expect((await sendWebhook(ingressUrl(context.gateway), next)).status).toBe(202);
      await subscriber.waitFor(2);
      expect(subscriber.completed).toBe(false);
      expect(subscriber.results[1]).toEqual({ data: { accountEvents: { klarnaEventId: next.metadata.event_id, account: { name: 'Merchant ABC US' } } } });
    } finally {
      await subscriber.dispose();
    }
  });
});

describe('request size', () => {
  const context = useGateway({ env: { MAX_REQUEST_BYTES: '2048' } });
  /** A JSON body of about `bytes` bytes (the query padded with a comment). */
  const bodyOf = (bytes: number) => JSON.stringify({ query: `{ account(id: "${ACCOUNT}") { name } } #${'x'.repeat(Math.max(0, bytes - 90))}` });

  async function post(body: string | Readable) {
    const response = await request(context.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body,
    });
    return { status: response.statusCode, body: (await response.body.json()) as GraphQLResult['body'] };
  }

  it('refuses a body over the limit with REQUEST_TOO_LARGE (413), with or without Content-Length, without any call', async () => {
    for (const body of [bodyOf(3_000), Readable.from([bodyOf(1_500), bodyOf(1_500)])]) {
      const { result, total } = await countCalls(context.sandbox, () => post(body));
      expect(result.status).toBe(413);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('REQUEST_TOO_LARGE');
      expect(total).toBe(0);
    }
  });

  it('closes a WebSocket whose message is over the limit with 1009 (message too big)', async () => {
    const subscriber = subscribe(context.gateway, `subscription { klarnaEvents { id } } #${'x'.repeat(3_000)}`);
    expect(await subscriber.waitUntilClosed()).toBe(1009);
    await subscriber.dispose();
  });

  it('answers a body within the limit', async () => {
    const answer = await post(bodyOf(1_900));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { account: { name: 'Merchant ABC US' } } });
  });
});
