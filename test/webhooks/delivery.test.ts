/**
 * Delivery, in process: end to end from the sandbox's own signed webhooks, fresh reads per event,
 * SSE, resuming with `after`, retention, and shutdown.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import type { RunningGateway } from '../../src/server.ts';
import { compareEventIds } from '../../src/webhooks/events.ts';
import { useGateway } from '../utils/gateway.ts';
import { call, seg } from '../utils/sandbox.ts';
import { ingressUrl, productEvent, sendWebhook, SIGNING_KEY, SIGNING_KEY_ID, startEventGateway, subscribe, subscribed, WEBHOOK_ENV } from '../utils/events.ts';

const PRODUCT_EVENTS = `subscription ($id: ID!) {
  paymentProductStateChanged(accountId: $id) { id type state product { state stateReason stateContext { reason } } account { klarnaId state } }
}`;
const ACCOUNT_EVENTS = `subscription ($id: ID!, $after: String) { accountEvents(accountId: $id, after: $after) { id klarnaEventId } }`;

/** Reads an SSE response until `count` `next` events arrived; returns their data. */
async function readSse(body: AsyncIterable<Buffer>, count: number): Promise<any[]> {
  const events: any[] = [];
  let text = '';
  for await (const chunk of body) {
    text += chunk.toString();
    for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (/^event: next$/m.test(block) && data) events.push(JSON.parse(data));
      if (events.length >= count) return events;
    }
  }
  return events;
}

describe('event delivery', () => {
  const env = useGateway({ sandbox: { accounts: 3 }, env: WEBHOOK_ENV });
  const extra: RunningGateway[] = [];
  afterAll(() => Promise.all(extra.map((gateway) => gateway.close())));

  it('delivers the sandbox\'s signed webhook for a disabled product, with the product read fresh for every event', async () => {
    await subscribed(env.gateway, 0);
    env.sandbox.webhooks.addSubscriber({ url: ingressUrl(env.gateway), signingKeyId: SIGNING_KEY_ID, signingKey: SIGNING_KEY, eventTypes: ['partner.account.product.payment.state-change.disabled', 'partner.account.product.payment.state-change.enabled'] });
    const subscriber = subscribe(env.gateway, PRODUCT_EVENTS, { id: DOCS_ACCOUNT_ID });
    await subscribed(env.gateway, 1);
    const product = `/v2/accounts/${seg(DOCS_ACCOUNT_ID)}/products/payment/default`;
    expect((await call(env.sandbox, 'POST', `${product}/disable`, { body: { reason: 'FRAUD', reason_details: 'Chargebacks' } })).status).toBe(200);
    const [disabled] = await subscriber.waitFor(1);
    expect(disabled).toMatchObject({
      type: 'PAYMENT_PRODUCT_DISABLED',
      state: 'DISABLED',
      product: { state: 'DISABLED', stateReason: 'FRAUD_BY_PARTNER', stateContext: { reason: 'FRAUD' } },
      account: { klarnaId: DOCS_ACCOUNT_ID, state: 'OPERATIONAL' },
    });
    // A second event on the same subscription reads the product again (no loader outlives its event).
    expect((await call(env.sandbox, 'POST', `${product}/enable`)).status).toBe(200);
    const [, enabled] = await subscriber.waitFor(2);
    expect(enabled).toMatchObject({ type: 'PAYMENT_PRODUCT_ENABLED', product: { state: 'ENABLED', stateReason: 'APPROVED', stateContext: null } });
    expect(enabled.id > disabled.id).toBe(true);
    await subscriber.dispose();
  });

  it('delivers over SSE (Accept: text/event-stream) and lets the subscription go when the client leaves', async () => {
    await subscribed(env.gateway, 0);
    const response = await request(env.gateway.graphqlUrl, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: ACCOUNT_EVENTS, variables: { id: DOCS_ACCOUNT_ID } }),
    });
    expect(response.headers['content-type']).toContain('text/event-stream');
    await subscribed(env.gateway, 1);
    const event = productEvent();
    expect((await sendWebhook(ingressUrl(env.gateway), event)).status).toBe(202);
    const [result] = await readSse(response.body, 1);
    expect(result.data.accountEvents.klarnaEventId).toBe(event.metadata.event_id);
    response.body.destroy();
    await subscribed(env.gateway, 0);
  });

  it('answers an SSE subscription with refused credentials with UNAUTHENTICATED', async () => {
    const response = await request(env.gateway.graphqlUrl, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: 'Basic not-a-key' },
      body: JSON.stringify({ query: ACCOUNT_EVENTS, variables: { id: DOCS_ACCOUNT_ID } }),
    });
    const [result] = await readSse(response.body, 1);
    expect(result.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('gives a subscriber that reconnects with `after` exactly the events it missed, in order, then live ones', async () => {
    await subscribed(env.gateway, 0);
    const url = ingressUrl(env.gateway);
    const first = subscribe(env.gateway, ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID });
    await subscribed(env.gateway, 1);
    const seen = productEvent();
    await sendWebhook(url, seen);
    const [received] = await first.waitFor(1);
    await first.dispose();
    await subscribed(env.gateway, 0);

    const missed = [productEvent(), productEvent({ state: 'ENABLED' }), productEvent()];
    for (const event of missed) expect((await sendWebhook(url, event)).status).toBe(202);
    const again = subscribe(env.gateway, ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID, after: received.id });
    await subscribed(env.gateway, 1);
    const live = productEvent();
    await sendWebhook(url, live);
    const events = await again.waitFor(4);
    await again.dispose();
    expect(events.map((e) => e.klarnaEventId)).toEqual([...missed, live].map((e) => e.metadata.event_id));
    const ids = events.map((e) => e.id as string);
    expect([...ids].sort(compareEventIds)).toEqual(ids);
    expect(compareEventIds(ids[0]!, received.id)).toBeGreaterThan(0);
  });

  it('keeps at most EVENT_RETENTION_COUNT events for resuming', async () => {
    const gateway = await startEventGateway(env.sandbox, { EVENT_RETENTION_COUNT: '3' });
    extra.push(gateway);
    const sent = Array.from({ length: 5 }, () => productEvent());
    const ids: string[] = [];
    for (const event of sent) ids.push((await sendWebhook(ingressUrl(gateway), event)).body.id);
    const subscriber = subscribe(gateway, ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID, after: ids[0] });
    const events = await subscriber.waitFor(3);
    await subscriber.dispose();
    expect(events.map((e) => e.klarnaEventId)).toEqual(sent.slice(2).map((e) => e.metadata.event_id));
  });

  it('refuses an `after` that is not an event id, or one from the future', async () => {
    for (const after of ['yesterday', `${Date.now() + 3_600_000}-0`]) {
      const subscriber = subscribe(env.gateway, ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID, after });
      await subscriber.waitFor(1);
      expect(subscriber.results[0]?.errors?.[0]?.extensions?.code, after).toBe('BAD_USER_INPUT');
      await subscriber.dispose();
    }
  });

  it('closes WebSocket clients with 1001 and ends every subscription when the gateway closes', async () => {
    const gateway = await startEventGateway(env.sandbox);
    const subscriber = subscribe(gateway, ACCOUNT_EVENTS, { id: DOCS_ACCOUNT_ID });
    await subscribed(gateway, 1);
    await gateway.close();
    expect(await subscriber.waitUntilClosed()).toBe(1001);
    expect(gateway.events.bus.subscribers()).toBe(0);
  });
});
