import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/sandbox/clock.ts';
import { createWebhookEmitter, signWebhookBody } from '../../src/sandbox/webhooks.ts';
import { startWebhookReceiver } from '../utils/webhook-receiver.ts';

describe('sandbox webhook delivery', () => {
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeAll(async () => {
    receiver = await startWebhookReceiver({ statuses: [500, 503, 204] });
  });
  afterAll(() => receiver.close());

  it('signs the raw body with HMAC-SHA256 (lower-case hex) and retries failed deliveries with the same event', async () => {
    const clock = createClock({ tickMs: 5 });
    const emitter = createWebhookEmitter({
      clock,
      subscribers: [{ url: receiver.url, signingKeyId: 'key-1', signingKey: 'top-secret' }],
      retryScheduleMs: [20, 20],
    });
    const envelope = await emitter.emit({
      eventType: 'partner.account.state-change.operational',
      subjectAccountId: 'krn:partner:global:account:live:LWT2XJSE',
      recipientAccountId: 'krn:partner:global:account:test:ACQUIRER',
      payload: { state: 'OPERATIONAL' },
    });
    await receiver.waitFor(3);
    clock.stop();
    await emitter.close();

    const ids = receiver.received.map((delivery) => delivery.body.metadata.event_id);
    expect(new Set(ids)).toEqual(new Set([(envelope.metadata as { event_id: string }).event_id]));
    for (const delivery of receiver.received) {
      expect(delivery.headers['klarna-signing-key-id']).toBe('key-1');
      expect(delivery.headers['klarna-signature']).toBe(signWebhookBody(delivery.rawBody, 'top-secret'));
      expect(delivery.headers['klarna-signature']).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(emitter.attempts().map((attempt) => attempt.status)).toEqual([500, 503, 204]);
  });

  it('gives up after the last scheduled retry', async () => {
    const failing = await startWebhookReceiver({ statuses: [500, 500, 500, 500] });
    const clock = createClock({ tickMs: 5 });
    const emitter = createWebhookEmitter({
      clock,
      subscribers: [{ url: failing.url, signingKeyId: 'k', signingKey: 's' }],
      retryScheduleMs: [10],
    });
    await emitter.emit({ eventType: 'x', subjectAccountId: 'a', recipientAccountId: 'b', payload: {} });
    await failing.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(failing.received).toHaveLength(2);
    clock.stop();
    await emitter.close();
    await failing.close();
  });
});
