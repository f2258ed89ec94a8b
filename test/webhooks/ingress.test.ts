/**
 * The webhook ingress: only signed, well-formed, first-seen events reach subscribers. Each test ends
 * with a valid "sentinel" event: once it has arrived, anything sent before it that was going to be
 * delivered has been (the log is ordered), so "nothing else arrived" is a real observation.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { signWebhookBody } from '../../src/sandbox/webhooks.ts';
import { metricSample, scrapeMetrics, useGateway } from '../utils/gateway.ts';
import { ingressUrl, productEvent, sendWebhook, subscribe, subscribed, SIGNING_KEY } from '../utils/events.ts';

const QUERY = `subscription ($accountId: ID!) { accountEvents(accountId: $accountId) { id klarnaEventId type } }`;

describe('webhook ingress', () => {
  const env = useGateway({
    sandbox: { accounts: 3 },
    env: { WEBHOOK_SIGNING_KEYS: JSON.stringify({ 'test-key-1': SIGNING_KEY, 'rotated-key': 'the-new-secret' }), WEBHOOK_MAX_BYTES: '2048' },
  });

  async function listen() {
    await subscribed(env.gateway, 0); // the previous test's subscriber has gone
    const subscriber = subscribe(env.gateway, QUERY, { accountId: DOCS_ACCOUNT_ID });
    await subscribed(env.gateway, 1);
    return subscriber;
  }

  it('refuses unsigned, forged, unknown-key, oversized and malformed webhooks, and none reaches a subscriber', async () => {
    const subscriber = await listen();
    const url = ingressUrl(env.gateway);
    const event = productEvent();
    const raw = JSON.stringify(event);

    expect((await sendWebhook(url, event, { signature: null })).status).toBe(401);
    expect((await sendWebhook(url, event, { key: 'not-the-secret' })).status).toBe(401);
    expect((await sendWebhook(url, event, { signature: signWebhookBody(raw, SIGNING_KEY).toUpperCase() })).status).toBe(401);
    expect((await sendWebhook(url, event, { keyId: 'unknown-key' })).status).toBe(401);
    expect((await sendWebhook(url, event, { signature: 'abc' })).status).toBe(401);
    // Signed correctly, but the body was changed after signing.
    const tampered = raw.replace('DISABLED', 'ENABLED');
    expect((await sendWebhook(url, tampered, { signature: signWebhookBody(raw, SIGNING_KEY) })).status).toBe(401);

    expect(await sendWebhook(url, '{"metadata": ')).toMatchObject({ status: 400, body: { error: 'MALFORMED_EVENT' } });
    const noEventId = { ...event, metadata: { ...event.metadata, event_id: undefined } };
    expect(await sendWebhook(url, noEventId)).toMatchObject({ status: 400, body: { problems: [expect.stringContaining('metadata.event_id')] } });
    const noProduct = { ...event, payload: { ...event.payload, product_id: undefined } };
    expect(await sendWebhook(url, noProduct)).toMatchObject({ status: 400, body: { problems: [expect.stringContaining('payload.product_id')] } });
    const gatewayOwnType = { ...event, metadata: { ...event.metadata, event_type: 'gateway.merchantcard.order.cancellation-updated' } };
    expect((await sendWebhook(url, gatewayOwnType)).status).toBe(400);
    const huge = { ...event, payload: { ...event.payload, padding: 'x'.repeat(4_096) } };
    expect(await sendWebhook(url, huge)).toMatchObject({ status: 413, body: { error: 'PAYLOAD_TOO_LARGE' } });
    // Without Content-Length (chunked), reading stops at the limit.
    const chunked = await request(url, { method: 'POST', body: Readable.from([JSON.stringify(huge)]), headers: { 'klarna-signing-key-id': 'test-key-1' } });
    expect(chunked.statusCode).toBe(413);
    await chunked.body.dump();
    expect((await request(url, { method: 'GET' })).statusCode).toBe(405);

    const sentinel = productEvent();
    expect(await sendWebhook(url, sentinel)).toMatchObject({ status: 202, body: { status: 'ACCEPTED', id: expect.stringMatching(/^\d+-\d+$/) } });
    const events = await subscriber.waitFor(1);
    await subscriber.dispose();
    expect(events.map((e) => e.klarnaEventId)).toEqual([sentinel.metadata.event_id]);
    // The refused event, sent signed now, is new to the gateway: refusals remembered nothing.
    expect((await sendWebhook(url, event)).status).toBe(202);
  });

  it('delivers an event Klarna sends several times (retries) once', async () => {
    const subscriber = await listen();
    const url = ingressUrl(env.gateway);
    const event = productEvent();
    expect((await sendWebhook(url, event)).status).toBe(202);
    expect(await sendWebhook(url, event)).toMatchObject({ status: 200, body: { status: 'DUPLICATE' } });
    // A retry may be signed with another (rotated) key: still the same event.
    expect((await sendWebhook(url, event, { keyId: 'rotated-key', key: 'the-new-secret' })).status).toBe(200);
    const sentinel = productEvent();
    await sendWebhook(url, sentinel);
    const events = await subscriber.waitFor(2);
    await subscriber.dispose();
    expect(events.map((e) => e.klarnaEventId)).toEqual([event.metadata.event_id, sentinel.metadata.event_id]);
    expect(events[0]).toMatchObject({ type: 'PAYMENT_PRODUCT_DISABLED', id: expect.stringMatching(/^\d+-\d+$/) });
  });

  it('refuses a signed event whose occurred_at is outside the replay window (a day old, or ahead of our clock), counts it stale, and delivers none of them', async () => {
    const subscriber = await listen();
    const url = ingressUrl(env.gateway);
    const occurredAt = (event: ReturnType<typeof productEvent>, offsetMs: number) => ({ ...event, metadata: { ...event.metadata, occurred_at: new Date(Date.now() + offsetMs).toISOString() } });
    const hour = 3_600_000;
    const before = metricSample(await scrapeMetrics(env.gateway), 'webhook_events_total{type="partner.account.product.payment.state-change.disabled",verdict="stale"}');

    const replayed = occurredAt(productEvent(), -25 * hour);
    expect(await sendWebhook(url, replayed)).toMatchObject({ status: 400, body: { error: 'STALE_EVENT', problems: [expect.stringMatching(/^metadata\.occurred_at: is more than 24 h ago/)] } });
    const future = occurredAt(productEvent(), hour);
    expect(await sendWebhook(url, future)).toMatchObject({ status: 400, body: { error: 'STALE_EVENT', problems: [expect.stringContaining('in the future')] } });
    // Klarna's last retries (about 21.5 hours after the event) are still taken, and so is a little clock skew.
    const lateRetry = occurredAt(productEvent(), -22 * hour);
    expect((await sendWebhook(url, lateRetry)).status).toBe(202);
    const skewed = occurredAt(productEvent(), 60_000);
    expect((await sendWebhook(url, skewed)).status).toBe(202);

    const after = metricSample(await scrapeMetrics(env.gateway), 'webhook_events_total{type="partner.account.product.payment.state-change.disabled",verdict="stale"}');
    expect(after - before).toBe(2);
    const sentinel = productEvent();
    await sendWebhook(url, sentinel);
    const events = await subscriber.waitFor(3);
    await subscriber.dispose();
    expect(events.map((e) => e.klarnaEventId)).toEqual([lateRetry.metadata.event_id, skewed.metadata.event_id, sentinel.metadata.event_id]);
  });

  it('accepts an event of a type it does not know, for subscribers of all events', async () => {
    const subscriber = await listen();
    const event = productEvent();
    const unknown = { metadata: { ...event.metadata, event_id: randomUUID(), event_type: 'partner.account.something-new' }, payload: { anything: 1 } };
    expect((await sendWebhook(ingressUrl(env.gateway), unknown)).status).toBe(202);
    const [received] = await subscriber.waitFor(1);
    await subscriber.dispose();
    expect(received).toMatchObject({ klarnaEventId: unknown.metadata.event_id, type: 'UNKNOWN' });
  });
});
