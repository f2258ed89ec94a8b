/**
 * Subscriptions in token mode obey the same rules as queries: a socket without a valid token is
 * closed with 4403; a token limited to some accounts may not subscribe to others (FORBIDDEN, no
 * upstream call, no registration), never receives their events (nor settlement or card order events)
 * on `klarnaEvents`, and its stream ends when the token expires. The gateway's own card order polling
 * runs with its key on behalf of the token's subject.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { LARGE_STORE_ACCOUNT_ID } from '../../src/sandbox/seed/portfolio.ts';
import { ingressUrl, productEvent, sendWebhook, SIGNING_KEY, SIGNING_KEY_ID, sleep, subscribe, subscribed, WEBHOOK_ENV } from '../utils/events.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';
import { admin } from '../utils/sandbox.ts';
import { bearer, signToken, TOKEN_ENV } from '../utils/tokens.ts';

const OWN = DOCS_ACCOUNT_ID;
const OTHER = LARGE_STORE_ACCOUNT_ID;
const ALL_EVENTS = `subscription { klarnaEvents { klarnaEventId type accountId } }`;
const POLL_ENV = { CANCELLATION_POLL_MIN_MS: '20', CANCELLATION_POLL_MAX_MS: '150' };

describe('subscription authorization in token mode', () => {
  const env = useGateway({ sandbox: { accounts: 3, cancellationDelayMs: 60_000 }, env: { ...TOKEN_ENV, ...WEBHOOK_ENV, ...POLL_ENV } });
  const limited = (options: { exp?: number } = {}) => bearer({ role: 'viewer', accounts: [OWN], sub: 'limited', ...options });
  const everything = () => bearer({ role: 'operator', accounts: '*', sub: 'everything' });

  it('closes a socket without a valid token with 4403, before any upstream call', async () => {
    const expired = await signToken({ exp: Math.floor(Date.now() / 1000) - 60 });
    const { total } = await countCalls(env.sandbox, async () => {
      for (const params of [{}, { authorization: `Basic ${DEMO_CREDENTIALS.apiKey}` }, { authorization: `Bearer ${expired}` }]) {
        const subscriber = subscribe(env.gateway, ALL_EVENTS, {}, params);
        expect(await subscriber.waitUntilClosed(), JSON.stringify(params)).toBe(4403);
        expect(subscriber.results).toEqual([]);
      }
    });
    expect(total).toBe(0);
  });

  it("refuses to open another account's streams, and partner-wide ones, without a call or a registration", async () => {
    const subscriptions: [string, Record<string, unknown>][] = [
      ['subscription($id: ID!) { accountEvents(accountId: $id) { id } }', { id: OTHER }],
      ['subscription($id: ID!) { paymentProductStateChanged(accountId: $id) { id } }', { id: OTHER }],
      ['subscription($ids: [ID!]) { klarnaEvents(accountIds: $ids) { id } }', { ids: [OWN, OTHER] }],
      ['subscription { settlementReportCreated { id } }', {}],
      ['subscription($id: ID!) { orderCancellationUpdated(orderId: $id) { id } }', { id: 'f3392f8b-6116-4073-ab96-e330819e2c07' }],
    ];
    const headers = await limited();
    for (const [query, variables] of subscriptions) {
      const { total } = await countCalls(env.sandbox, async () => {
        const subscriber = subscribe(env.gateway, query, variables, headers);
        await subscriber.waitFor(1);
        expect(subscriber.results[0]?.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
        await subscriber.dispose();
      });
      expect(total, query).toBe(0);
      await subscribed(env.gateway, 0);
    }
    const own = subscribe(env.gateway, 'subscription($id: ID!) { accountEvents(accountId: $id) { klarnaEventId } }', { id: OWN }, headers);
    await subscribed(env.gateway, 1);
    const event = productEvent({ accountId: OWN });
    await sendWebhook(ingressUrl(env.gateway), event);
    expect((await own.waitFor(1)).map((e) => e.klarnaEventId)).toEqual([event.metadata.event_id]);
    await own.dispose();
    await subscribed(env.gateway, 0);
  });

  it("never delivers another account's events, nor settlement events, to a limited token's klarnaEvents", async () => {
    env.sandbox.webhooks.addSubscriber({ url: ingressUrl(env.gateway), signingKeyId: SIGNING_KEY_ID, signingKey: SIGNING_KEY, eventTypes: ['settlement.report.created'] });
    const mine = subscribe(env.gateway, ALL_EVENTS, {}, await limited());
    const all = subscribe(env.gateway, ALL_EVENTS, {}, await everything());
    await subscribed(env.gateway, 2);
    const url = ingressUrl(env.gateway);
    const sent = [OTHER, OWN, OTHER].map((accountId) => productEvent({ accountId }));
    for (const event of sent) expect((await sendWebhook(url, event)).status).toBe(202);
    await admin(env.sandbox, 'POST', '/settlements', { transactions: 2 });
    await until(() => all.events().some((e) => e.type === 'SETTLEMENT_REPORT_CREATED'));
    const last = productEvent({ accountId: OWN });
    await sendWebhook(url, last);

    // Events arrive in log order: the limited subscriber's receiving `last` proves the events between
    // its two own ones were filtered out, not merely late.
    const ids = (events: { klarnaEventId: string }[]) => events.map((e) => e.klarnaEventId);
    expect(ids(await mine.waitFor(2))).toEqual([sent[1]!.metadata.event_id, last.metadata.event_id]);
    const everyone = await all.waitFor(5);
    // The settlement event names the docs account too: settlements are partner-wide all the same.
    expect(everyone.map((e) => (e.type === 'SETTLEMENT_REPORT_CREATED' ? e.type : e.accountId))).toEqual([OTHER, OWN, OTHER, 'SETTLEMENT_REPORT_CREATED', OWN]);
    await mine.dispose();
    await all.dispose();
  });

  it('ends a stream once its token has expired, to resume with a fresh one', async () => {
    const subscriber = subscribe(env.gateway, ALL_EVENTS, {}, await limited({ exp: Math.floor(Date.now() / 1000) + 2 }));
    await subscribed(env.gateway, 1);
    const before = productEvent({ accountId: OWN });
    await sendWebhook(ingressUrl(env.gateway), before);
    expect((await subscriber.waitFor(1)).map((e) => e.klarnaEventId)).toEqual([before.metadata.event_id]);
    await sleep(2_200);
    await sendWebhook(ingressUrl(env.gateway), productEvent({ accountId: OWN }));
    await subscriber.waitFor(2);
    expect(subscriber.results[1]?.data ?? null).toBeNull();
    expect(subscriber.results[1]?.errors?.[0]?.extensions).toMatchObject({ code: 'SUBSCRIPTION_INTERRUPTED', reason: 'UNAUTHENTICATED' });
    await subscriber.dispose();
  });

  it("polls a cancellation requested with a token using the gateway's key, and delivers its outcome", async () => {
    const headers = await everything();
    const { order_id: orderId } = await admin(env.sandbox, 'POST', '/card-orders', { amount: 9_900, currency: 'EUR' });
    const settle = await gql(env.gateway, `mutation($o: ID!, $k: String!) { createCardSettlement(input: { orderId: $o, keyId: $k }) { __typename } }`, { o: orderId, k: DEMO_CREDENTIALS.keyId }, headers);
    expect(settle.body.data.createCardSettlement.__typename).toBe('CreateCardSettlementPayload');
    const cancel = await gql(env.gateway, `mutation($o: ID!) { requestOrderCancellation(input: { orderId: $o }) { ... on RequestOrderCancellationPayload { cancellation { status } } } }`, { o: orderId }, headers);
    expect(cancel.body.data.requestOrderCancellation.cancellation.status).toBe('PENDING');
    expect(env.gateway.events.watchedOrders()).toContain(orderId);

    const subscriber = subscribe(env.gateway, `subscription($o: ID!) { orderCancellationUpdated(orderId: $o) { outcome order { cancellation { status } } } }`, { o: orderId }, headers);
    await subscribed(env.gateway, 1);
    await admin(env.sandbox, 'POST', '/clock/advance', { ms: 60_000 });
    expect(await subscriber.waitFor(1)).toEqual([{ outcome: 'CANCELLED', order: { cancellation: { status: 'CANCELLED' } } }]);
    await subscriber.dispose();
  });
});

async function until(done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}
