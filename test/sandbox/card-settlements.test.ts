import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptCard, luhnCheckDigit } from '../../src/sandbox/card-crypto.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { DOCS_CARD_SAMPLE, OTHER_CARD_ORDER } from '../../src/sandbox/seed/cards.ts';
import { admin, call, useSandbox } from '../utils/sandbox.ts';

const MCS = '/merchantcard/v3';
const KEY_ID = DOCS_CARD_SAMPLE.keyId;
const legacyError = (code: string) => ({
  error_code: code,
  error_messages: expect.arrayContaining([expect.any(String)]),
  correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
});

const isCardNumber = (pan: string) => {
  const digits = [...pan].map(Number);
  return /^4\d{15}$/.test(pan) && luhnCheckDigit(digits.slice(0, -1)) === digits.at(-1);
};

describe('merchant card service: settlements', () => {
  const env = useSandbox();
  let demoPrivateKey = '';
  const secondKey = { id: randomUUID(), ...generateKeyPairSync('rsa', { modulusLength: 2048 }) };
  const secondPrivateKey = secondKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  beforeAll(async () => {
    demoPrivateKey = (await admin(env.sandbox, 'GET', `/card-keys/${KEY_ID}/private-key`)).private_key_pem;
    await admin(env.sandbox, 'POST', '/card-keys', {
      key_id: secondKey.id,
      public_key_pem: secondKey.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
  });

  const newOrder = async (amount = 12_900, currency = 'EUR', owner = 'demo') =>
    (await admin(env.sandbox, 'POST', '/card-orders', { amount, currency, owner })).order_id as string;
  const settle = (body: unknown, apiKey?: string) =>
    call(env.sandbox, 'POST', `${MCS}/settlements`, { body, ...(apiKey ? { apiKey } : {}) });
  const read = (path: string, keyId: string, apiKey?: string) =>
    call(env.sandbox, 'GET', `${MCS}${path}`, { headers: { keyid: keyId }, ...(apiKey ? { apiKey } : {}) });
  const specs = [
    { amount: 5000, currency: 'EUR', reference: 'line-1' },
    { amount: 7900, currency: 'EUR', fund_amount: 7000, reference: 'line-2' },
  ];

  it('settles a promise with one card per specification, each decrypting to a card number, CVV and expiry', async () => {
    const orderId = await newOrder();
    const promise = await call(env.sandbox, 'POST', `${MCS}/promises`, { body: { order_id: orderId, cards: specs } });
    const { status, body } = await settle({ promise_id: promise.body.promise_id, order_id: orderId, key_id: KEY_ID });
    expect(status).toBe(201);
    expect(body).toMatchObject({ promise_id: promise.body.promise_id, order_id: orderId });
    expect(Date.parse(body.expires_at) - Date.parse(body.created_at)).toBe(24 * 60 * 60 * 1000);
    expect(body.cards.map((card: { reference: string; amount: number; currency: string }) => [card.reference, card.amount, card.currency])).toEqual([
      ['line-1', 5000, 'EUR'],
      ['line-2', 7000, 'EUR'],
    ]);
    expect(new Set(body.cards.map((card: { card_id: string }) => card.card_id)).size).toBe(2);
    for (const card of body.cards) {
      expect(card).toMatchObject({ brand: 'VISA', holder: 'Jane Doe' });
      const secrets = decryptCard(card, demoPrivateKey);
      expect(isCardNumber(secrets.pan)).toBe(true);
      expect(secrets.cvv).toMatch(/^\d{3}$/);
      expect(secrets.expiry_date).toMatch(/^(0[1-9]|1[0-2])\/\d{2}$/);
    }
  });

  it('reads a settlement by id and by order, for the creating key and for another enrolled key', async () => {
    const orderId = await newOrder();
    const created = await settle({ order_id: orderId, key_id: KEY_ID });
    const pans = created.body.cards.map((card: never) => decryptCard(card, demoPrivateKey).pan);
    for (const path of [`/settlements/${created.body.settlement_id}`, `/settlements/order/${orderId}`]) {
      const again = await read(path, KEY_ID);
      expect(again.status).toBe(200);
      expect(again.body.settlement_id).toBe(created.body.settlement_id);
      expect(again.body.cards.map((card: never) => decryptCard(card, demoPrivateKey).pan)).toEqual(pans);
      // Fresh encryption on every response: the same card, another AES key and IV.
      expect(again.body.cards[0].aes_key).not.toBe(created.body.cards[0].aes_key);

      const forSecond = await read(path, secondKey.id);
      expect(forSecond.status).toBe(200);
      expect(forSecond.body.cards.map((card: never) => decryptCard(card, secondPrivateKey).pan)).toEqual(pans);
      expect(() => decryptCard(forSecond.body.cards[0], demoPrivateKey)).toThrow();
    }
  });

  it('settles an order without a promise as one card for the order total, referenced by the order id', async () => {
    const orderId = await newOrder(4_599, 'SEK');
    const { status, body } = await settle({ order_id: orderId, key_id: KEY_ID });
    expect(status).toBe(201);
    expect(body).not.toHaveProperty('promise_id');
    expect(body.cards).toHaveLength(1);
    expect(body.cards[0]).toMatchObject({ reference: orderId, amount: 4_599, currency: 'SEK' });
  });

  it("settles an order Klarna learnt of through a promise with that promise's cards when no promise is named", async () => {
    const orderId = randomUUID();
    const promise = await call(env.sandbox, 'POST', `${MCS}/promises`, { body: { order_id: orderId, cards: specs } });
    const { status, body } = await settle({ order_id: orderId, key_id: KEY_ID });
    expect(status).toBe(201);
    expect(body.promise_id).toBe(promise.body.promise_id);
    expect(body.cards.map((card: { reference: string }) => card.reference)).toEqual(['line-1', 'line-2']);
  });

  it('returns the existing settlement when an order is settled again, applying nothing', async () => {
    const orderId = await newOrder();
    const first = await settle({ order_id: orderId, key_id: KEY_ID });
    const second = await settle({ order_id: orderId, key_id: secondKey.id });
    expect(second.status).toBe(201);
    expect(second.body.settlement_id).toBe(first.body.settlement_id);
    expect(second.body.cards.map((card: { card_id: string }) => card.card_id)).toEqual(first.body.cards.map((card: { card_id: string }) => card.card_id));
    expect(decryptCard(second.body.cards[0], secondPrivateKey).pan).toBe(decryptCard(first.body.cards[0], demoPrivateKey).pan);
    const applied = (await admin(env.sandbox, 'GET', '/ledger')).filter(
      (entry: { target: string }) => entry.target === `card-settlement:${first.body.settlement_id}`,
    );
    expect(applied).toHaveLength(1);
  });

  it('rejects an unknown key, an unknown order, and a superseded promise with BAD_VALUE', async () => {
    const orderId = await newOrder();
    const stale = await call(env.sandbox, 'POST', `${MCS}/promises`, { body: { order_id: orderId, cards: specs } });
    await call(env.sandbox, 'POST', `${MCS}/promises`, { body: { order_id: orderId, cards: specs } });
    const ledgerBefore = (await admin(env.sandbox, 'GET', '/ledger')).length;
    for (const body of [
      { order_id: orderId, key_id: randomUUID() },
      { order_id: randomUUID(), key_id: KEY_ID },
      { order_id: OTHER_CARD_ORDER.orderId, key_id: KEY_ID },
      { promise_id: stale.body.promise_id, order_id: orderId, key_id: KEY_ID },
    ]) {
      const answer = await settle(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toEqual(legacyError('BAD_VALUE'));
    }
    expect(await admin(env.sandbox, 'GET', '/ledger')).toHaveLength(ledgerBefore);
  });

  it('enrols only RSA public keys of at least 2048 bits', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const pem of [small, 'not a key']) {
      await expect(admin(env.sandbox, 'POST', '/card-keys', { key_id: randomUUID(), public_key_pem: pem })).rejects.toThrow(/: 400 /);
    }
  });

  it('answers 403 for a KeyId that is unknown or enrolled by another principal, and 400 without KeyId', async () => {
    const otherKeyId = randomUUID();
    const otherPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = otherPair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await admin(env.sandbox, 'POST', '/card-keys', { key_id: otherKeyId, public_key_pem: publicPem, principal_id: 'other' });
    for (const keyId of [randomUUID(), otherKeyId]) {
      const answer = await read(`/settlements/${DOCS_CARD_SAMPLE.settlementId}`, keyId);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual(legacyError('FORBIDDEN'));
    }
    const missing = await call(env.sandbox, 'GET', `${MCS}/settlements/order/${DOCS_CARD_SAMPLE.orderId}`);
    expect(missing.status).toBe(400);
    expect(missing.body.error_messages.join(' ').toLowerCase()).toContain('header.keyid');
  });

  it("keeps a principal's settlements from another principal, even with its own enrolled key", async () => {
    const otherKeyId = randomUUID();
    const publicPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await admin(env.sandbox, 'POST', '/card-keys', { key_id: otherKeyId, public_key_pem: publicPem, principal_id: 'other' });
    const other = DEMO_CREDENTIALS.otherApiKey;
    expect((await read(`/settlements/${DOCS_CARD_SAMPLE.settlementId}`, otherKeyId, other)).status).toBe(404);
    expect((await read(`/settlements/order/${DOCS_CARD_SAMPLE.orderId}`, otherKeyId, other)).status).toBe(404);
    // The other principal settles its own order with its own key.
    const own = await settle({ order_id: OTHER_CARD_ORDER.orderId, key_id: otherKeyId }, other);
    expect(own.status).toBe(201);
    expect((await read(`/settlements/${own.body.settlement_id}`, KEY_ID)).status).toBe(404);
  });
});
