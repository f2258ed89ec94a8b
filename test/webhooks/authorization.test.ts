/**
 * Who receives what: a subscriber receives only events about what Klarna lets it read with its own
 * credentials; a connection Klarna refuses is closed with 4403. Events sent in order: once the last
 * one arrived, every earlier one was either delivered or filtered out.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { otherPortfolioAccountIds } from '../../src/sandbox/seed/portfolio.ts';
import { useGateway } from '../utils/gateway.ts';
import { admin } from '../utils/sandbox.ts';
import { ingressUrl, productEvent, sendWebhook, SIGNING_KEY, SIGNING_KEY_ID, subscribe, subscribed, WEBHOOK_ENV } from '../utils/events.ts';

const SEED = 5;
const [OTHER_ACCOUNT_ID] = otherPortfolioAccountIds(SEED);
const OTHER = { authorization: `Basic ${DEMO_CREDENTIALS.otherApiKey}` };
const ALL_EVENTS = `subscription { klarnaEvents { klarnaEventId accountId } }`;

describe('subscription authorization', () => {
  const env = useGateway({ sandbox: { accounts: 3, seed: SEED }, env: WEBHOOK_ENV });

  async function fresh() {
    await subscribed(env.gateway, 0);
  }

  it("never delivers another principal's account events", async () => {
    await fresh();
    const demo = subscribe(env.gateway, ALL_EVENTS);
    const other = subscribe(env.gateway, ALL_EVENTS, {}, OTHER);
    await subscribed(env.gateway, 2);
    const url = ingressUrl(env.gateway);
    // Alternating; each subscriber receives in log order, so receiving its own second event proves the
    // other principal's event between them was filtered out, not merely late.
    const sent = [OTHER_ACCOUNT_ID!, DOCS_ACCOUNT_ID, OTHER_ACCOUNT_ID!, DOCS_ACCOUNT_ID].map((accountId) => productEvent({ accountId }));
    for (const event of sent) expect((await sendWebhook(url, event)).status).toBe(202);
    const [others1, demos1, others2, demos2] = sent.map((event) => event.metadata.event_id);

    expect((await demo.waitFor(2)).map((e) => e.klarnaEventId)).toEqual([demos1, demos2]);
    expect((await other.waitFor(2)).map((e) => e.klarnaEventId)).toEqual([others1, others2]);
    await demo.dispose();
    await other.dispose();
  });

  it("delivers settlement events only to subscribers who can read the settlement", async () => {
    await fresh();
    env.sandbox.webhooks.addSubscriber({ url: ingressUrl(env.gateway), signingKeyId: SIGNING_KEY_ID, signingKey: SIGNING_KEY, eventTypes: ['settlement.report.created'] });
    const query = `subscription { settlementReportCreated { type settlementId settlement { klarnaId currency } } }`;
    const demo = subscribe(env.gateway, query);
    const other = subscribe(env.gateway, query, {}, OTHER);
    await subscribed(env.gateway, 2);
    const othersSettlement = await admin(env.sandbox, 'POST', '/settlements', { principal_id: DEMO_CREDENTIALS.otherPrincipalId, transactions: 3 });
    const demosSettlement = await admin(env.sandbox, 'POST', '/settlements', { transactions: 3 });

    const othersSecond = await admin(env.sandbox, 'POST', '/settlements', { principal_id: DEMO_CREDENTIALS.otherPrincipalId, transactions: 3 });

    // In log order: the demo's first delivery comes after the other's settlement, the other's second
    // after the demo's, so each was filtered out, not merely late.
    const [received] = await demo.waitFor(1);
    expect(received).toMatchObject({ type: 'SETTLEMENT_REPORT_CREATED', settlementId: demosSettlement.settlement_id, settlement: { klarnaId: demosSettlement.settlement_id } });
    expect((await other.waitFor(2)).map((e) => e.settlementId)).toEqual([othersSettlement.settlement_id, othersSecond.settlement_id]);
    await demo.dispose();
    await other.dispose();
  });

  it('refuses to open account events for an account the subscriber cannot read', async () => {
    await fresh();
    const subscriber = subscribe(env.gateway, `subscription ($id: ID!) { accountEvents(accountId: $id) { id } }`, { id: OTHER_ACCOUNT_ID });
    await subscriber.waitFor(1);
    expect(subscriber.results[0]?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await subscriber.dispose();
    await subscribed(env.gateway, 0); // its registration was withdrawn
  });

  it('closes a connection whose credentials Klarna refuses with 4403', async () => {
    for (const authorization of ['Basic not-a-klarna-key', 'Bearer something']) {
      const subscriber = subscribe(env.gateway, ALL_EVENTS, {}, { authorization });
      expect(await subscriber.waitUntilClosed()).toBe(4403);
      expect(subscriber.results).toEqual([]);
    }
  });

  it('takes credentials from the upgrade request when connection_init brings none', async () => {
    await fresh();
    const subscriber = subscribeWithHeaders(OTHER);
    await subscribed(env.gateway, 1);
    const demosEvent = productEvent({ accountId: DOCS_ACCOUNT_ID });
    const othersEvent = productEvent({ accountId: OTHER_ACCOUNT_ID! });
    await sendWebhook(ingressUrl(env.gateway), demosEvent);
    await sendWebhook(ingressUrl(env.gateway), othersEvent);
    expect((await subscriber.waitFor(1)).map((e) => e.klarnaEventId)).toEqual([othersEvent.metadata.event_id]);
    await subscriber.dispose();
  });

  function subscribeWithHeaders(headers: Record<string, string>) {
    return subscribe(env.gateway, ALL_EVENTS, {}, {}, headers);
  }
});
