import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptCard } from '../../src/sandbox/card-crypto.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { DEMO_CARD_ORDERS, DOCS_CARD_SAMPLE } from '../../src/sandbox/seed/cards.ts';
import { admin, call, useSandbox } from '../utils/sandbox.ts';

const MCS = '/merchantcard/v3';
const DAY_MS = 24 * 60 * 60 * 1000;
const legacyError = (code: string) => ({
  error_code: code,
  error_messages: expect.arrayContaining([expect.any(String)]),
  correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
});

describe('merchant card service: the docs samples', () => {
  const env = useSandbox();

  it('answers the sample promise with the docs sample values', async () => {
    const { status, body } = await call(env.sandbox, 'GET', `${MCS}/promises/${DOCS_CARD_SAMPLE.promiseId}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      promise_id: 'ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c',
      order_id: 'f3392f8b-6116-4073-ab96-e330819e2c07',
      cards: [{ amount: 10000, currency: 'USD', fund_amount: 10000, reference: 'yPGw6i4lR0GTcyxGpS3Q6Q==' }],
      created_at: '2018-12-03T10:26:06.000Z',
      expire_at: '2018-12-04T10:26:06.000Z',
    });
  });

  it('answers the sample settlement, by id and by order, with the docs values and a card that decrypts', async () => {
    const headers = { keyid: DOCS_CARD_SAMPLE.keyId };
    const { private_key_pem } = await admin(env.sandbox, 'GET', `/card-keys/${DOCS_CARD_SAMPLE.keyId}/private-key`);
    for (const path of [`/settlements/${DOCS_CARD_SAMPLE.settlementId}`, `/settlements/order/${DOCS_CARD_SAMPLE.orderId}`]) {
      const { status, body } = await call(env.sandbox, 'GET', `${MCS}${path}`, { headers });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        settlement_id: 'b0ec0bbd-534c-4b1c-b28a-628bf33c3324',
        promise_id: 'ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c',
        order_id: 'f3392f8b-6116-4073-ab96-e330819e2c07',
        created_at: '2018-12-03T10:26:06.000Z',
        expires_at: '2018-12-04T10:26:06.000Z',
      });
      expect(body.cards).toHaveLength(1);
      expect(body.cards[0]).toMatchObject({
        reference: 'yPGw6i4lR0GTcyxGpS3Q6Q==',
        card_id: 'b846430c-3656-43a1-812e-2ccff4531b7d',
        amount: 10000,
        currency: 'USD',
        brand: 'VISA',
        holder: 'Jane Doe',
      });
      expect(decryptCard(body.cards[0], private_key_pem)).toEqual({ pan: '4111111111111111', cvv: '123', expiry_date: '12/21' });
    }
  });

  it('keeps answering the samples although their 2018 expiry has passed, while a new promise expires', async () => {
    const created = await call(env.sandbox, 'POST', `${MCS}/promises`, {
      body: { order_id: randomUUID(), cards: [{ amount: 500, currency: 'EUR', reference: 'expiring' }] },
    });
    expect(created.status).toBe(201);
    await admin(env.sandbox, 'POST', '/clock/advance', { ms: DAY_MS + 1 });
    expect((await call(env.sandbox, 'GET', `${MCS}/promises/${created.body.promise_id}`)).status).toBe(404);
    expect((await call(env.sandbox, 'GET', `${MCS}/promises/${DOCS_CARD_SAMPLE.promiseId}`)).status).toBe(200);
    const settlement = await call(env.sandbox, 'GET', `${MCS}/settlements/${DOCS_CARD_SAMPLE.settlementId}`, {
      headers: { keyid: DOCS_CARD_SAMPLE.keyId },
    });
    expect(settlement.status).toBe(200);
  });
});

describe('merchant card service: promises', () => {
  const env = useSandbox();
  const [order] = DEMO_CARD_ORDERS;
  const createPromise = (body: unknown, headers?: Record<string, string>) =>
    call(env.sandbox, 'POST', `${MCS}/promises`, { body, ...(headers ? { headers } : {}) });
  const cards = [
    { amount: 5000, currency: order!.currency, reference: 'line-1' },
    { amount: 7900, currency: order!.currency, fund_amount: 7000, reference: 'line-2' },
  ];

  it('creates a promise for a completed order that reads back with its cards and a 24-hour expiry', async () => {
    const before = Date.parse((await admin(env.sandbox, 'GET', '/health')).now);
    const created = await createPromise({ order_id: order!.orderId, cards });
    expect(created.status).toBe(201);
    expect(created.body.promise_id).toMatch(/^[0-9a-f-]{36}$/);
    const expiresAtMs = Date.parse(created.body.expires_at);
    expect(expiresAtMs - before).toBeGreaterThanOrEqual(DAY_MS);
    expect(expiresAtMs - before).toBeLessThan(DAY_MS + 5_000);

    const read = await call(env.sandbox, 'GET', `${MCS}/promises/${created.body.promise_id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      promise_id: created.body.promise_id,
      order_id: order!.orderId,
      cards,
      created_at: new Date(expiresAtMs - DAY_MS).toISOString(),
      expire_at: created.body.expires_at,
    });
  });

  it('invalidates the previous promise of an order when a new one is created', async () => {
    const first = await createPromise({ order_id: order!.orderId, cards });
    const second = await createPromise({ order_id: order!.orderId, cards: cards.slice(0, 1) });
    expect(second.status).toBe(201);
    expect(second.body.promise_id).not.toBe(first.body.promise_id);
    const stale = await call(env.sandbox, 'GET', `${MCS}/promises/${first.body.promise_id}`);
    expect(stale.status).toBe(404);
    expect(stale.body).toEqual(legacyError('NOT_FOUND'));
    const current = await call(env.sandbox, 'GET', `${MCS}/promises/${second.body.promise_id}`);
    expect(current.status).toBe(200);
    expect(current.body.cards).toEqual(cards.slice(0, 1));
  });

  it.each([
    ['no cards', { cards: [] }, 'body.cards'],
    ['1001 cards', { cards: Array.from({ length: 1001 }, (_, i) => ({ amount: 1, currency: 'EUR', reference: `r${i}` })) }, 'body.cards'],
    ['an amount of 0', { cards: [{ amount: 0, currency: 'EUR', reference: 'r' }] }, 'body.cards.0.amount'],
    ['a lower-case currency', { cards: [{ amount: 100, currency: 'eur', reference: 'r' }] }, 'body.cards.0.currency'],
    ['an empty reference', { cards: [{ amount: 100, currency: 'EUR', reference: '' }] }, 'body.cards.0.reference'],
  ])('rejects a promise with %s as a 400 legacy error and changes nothing', async (_name, fields, parameter) => {
    const orderId = randomUUID();
    const ledgerBefore = (await admin(env.sandbox, 'GET', '/ledger')).length;
    const { status, body } = await createPromise({ order_id: orderId, ...fields });
    expect(status).toBe(400);
    expect(body).toEqual(legacyError('VALIDATION_ERROR'));
    expect(body.error_messages.join(' ')).toContain(parameter);
    expect(await admin(env.sandbox, 'GET', '/ledger')).toHaveLength(ledgerBefore);
    expect(env.sandbox.state.cardOrders.has(orderId)).toBe(false);
  });

  it('rejects cards in two currencies, or in another currency than the order, with BAD_VALUE', async () => {
    const mixed = await createPromise({
      order_id: randomUUID(),
      cards: [
        { amount: 100, currency: 'EUR', reference: 'a' },
        { amount: 100, currency: 'USD', reference: 'b' },
      ],
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body).toEqual(legacyError('BAD_VALUE'));
    const wrong = await createPromise({ order_id: order!.orderId, cards: [{ amount: 100, currency: 'JPY', reference: 'a' }] });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual(legacyError('BAD_VALUE'));
  });

  it("keeps a principal's promises and orders from another principal", async () => {
    const created = await createPromise({ order_id: order!.orderId, cards });
    const asOther = { apiKey: DEMO_CREDENTIALS.otherApiKey };
    const read = await call(env.sandbox, 'GET', `${MCS}/promises/${created.body.promise_id}`, asOther);
    expect(read.status).toBe(404);
    expect(read.body).toEqual(legacyError('NOT_FOUND'));
    const hijack = await call(env.sandbox, 'POST', `${MCS}/promises`, { ...asOther, body: { order_id: order!.orderId, cards } });
    expect(hijack.status).toBe(400);
    // The demo principal's promise is still the order's valid one.
    expect((await call(env.sandbox, 'GET', `${MCS}/promises/${created.body.promise_id}`)).status).toBe(200);
  });

  it('replays a promise creation sent again with the same idempotency key without creating a second promise', async () => {
    const key = randomUUID();
    const orderId = randomUUID();
    const body = { order_id: orderId, cards: [{ amount: 2500, currency: 'SEK', reference: 'idem' }] };
    const first = await createPromise(body, { 'klarna-idempotency-key': key });
    const again = await createPromise(body, { 'klarna-idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const entries = (await admin(env.sandbox, 'GET', '/ledger')).filter((entry: { idempotencyKey: string | null }) => entry.idempotencyKey === key);
    expect(entries).toEqual([{ operationId: 'createPromise', idempotencyKey: key, target: `promise:${first.body.promise_id}`, applied: 1 }]);
    // A second promise would have invalidated the first.
    expect((await call(env.sandbox, 'GET', `${MCS}/promises/${first.body.promise_id}`)).status).toBe(200);
  });
});
