import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { DEMO_CARD_ORDERS, DOCS_CARD_SAMPLE } from '../../src/sandbox/seed/cards.ts';
import { admin, call, useSandbox } from '../utils/sandbox.ts';

const MCS = '/merchantcard/v3';
const DELAY_MS = 5_000;
const legacyError = (code: string) => ({
  error_code: code,
  error_messages: expect.arrayContaining([expect.any(String)]),
  correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
});

describe('merchant card service: order cancellation', () => {
  const env = useSandbox({ cancellationDelayMs: DELAY_MS });

  /** A completed order with a card settlement, of the demo principal unless `owner` says otherwise. */
  async function settledOrder(owner = 'demo', apiKey?: string): Promise<string> {
    const { order_id } = await admin(env.sandbox, 'POST', '/card-orders', { amount: 9_900, currency: 'EUR', owner });
    let keyId: string = DOCS_CARD_SAMPLE.keyId;
    if (owner !== 'demo') {
      keyId = randomUUID();
      const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      await admin(env.sandbox, 'POST', '/card-keys', { key_id: keyId, public_key_pem: pem, principal_id: owner });
    }
    const settled = await call(env.sandbox, 'POST', `${MCS}/settlements`, { body: { order_id, key_id: keyId }, ...(apiKey ? { apiKey } : {}) });
    expect(settled.status).toBe(201);
    return order_id;
  }
  const cancel = (orderId: string, method: 'GET' | 'POST' = 'POST', apiKey?: string) =>
    call(env.sandbox, method, `${MCS}/orders/${orderId}/cancel-request`, apiKey ? { apiKey } : {});
  const advance = (ms: number) => admin(env.sandbox, 'POST', '/clock/advance', { ms });

  it('answers a status read before any request with the NO_REQUEST_FOUND body', async () => {
    const orderId = await settledOrder();
    const { status, body } = await cancel(orderId, 'GET');
    expect(status).toBe(400);
    expect(body).toEqual({
      status: 'NO_REQUEST_FOUND',
      reason_code: 'NO_REQUEST_FOUND',
      reason_message: 'No cancellation request found for this order.',
    });
  });

  it('queues a request as PENDING until check_after, then reports the order CANCELLED', async () => {
    const orderId = await settledOrder();
    const before = Date.parse((await admin(env.sandbox, 'GET', '/health')).now);
    const queued = await cancel(orderId);
    expect(queued.status).toBe(202);
    expect(queued.body).toEqual({ status: 'PENDING', check_after: expect.any(String) });
    const checkAfterMs = Date.parse(queued.body.check_after);
    expect(checkAfterMs - before).toBeGreaterThanOrEqual(DELAY_MS);
    expect(checkAfterMs - before).toBeLessThan(DELAY_MS + 5_000);

    expect(await cancel(orderId, 'GET')).toMatchObject({ status: 200, body: queued.body });
    const repeated = await cancel(orderId);
    expect(repeated).toMatchObject({ status: 202, body: queued.body });
    const entries = (await admin(env.sandbox, 'GET', '/ledger')).filter(
      (entry: { target: string }) => entry.target === `order-cancellation:${orderId}`,
    );
    expect(entries).toHaveLength(1);

    await advance(DELAY_MS);
    expect(await cancel(orderId, 'GET')).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
    const again = await cancel(orderId);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'CANCELLED' });
  });

  it('rejects the cancellation with CARD_IN_USE when the card was used, and queues a new request after that', async () => {
    const orderId = await settledOrder();
    const queued = await cancel(orderId);
    await admin(env.sandbox, 'POST', `/card-orders/${orderId}/card-in-use`);
    await advance(DELAY_MS);
    const { status, body } = await cancel(orderId, 'GET');
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'REJECTED',
      reason_code: 'CARD_IN_USE',
      reason_message: 'Cancellation request was rejected because the virtual credit card linked to this order is in use.',
    });
    const retried = await cancel(orderId);
    expect(retried.status).toBe(202);
    expect(Date.parse(retried.body.check_after)).toBeGreaterThan(Date.parse(queued.body.check_after));
  });

  it('answers 404 for an unknown order, an order without a card settlement and another principal\'s order', async () => {
    const [unsettled] = DEMO_CARD_ORDERS;
    const othersOrder = await settledOrder('other', DEMO_CREDENTIALS.otherApiKey);
    for (const orderId of [randomUUID(), unsettled!.orderId, othersOrder]) {
      for (const method of ['GET', 'POST'] as const) {
        const answer = await cancel(orderId, method);
        expect(answer.status, `${method} ${orderId}`).toBe(404);
        expect(answer.body).toEqual(legacyError('NOT_FOUND'));
      }
    }
    // The other principal reaches its own order.
    expect((await cancel(othersOrder, 'GET', DEMO_CREDENTIALS.otherApiKey)).status).toBe(400);
  });
});
