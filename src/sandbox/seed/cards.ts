/**
 * The Merchant Card Service's seed: the demo principal's enrolled key, the docs' sample promise,
 * settlement and order (so the reference page's sample calls answer with its sample values), and a few
 * completed orders to promise and settle in tests and demos.
 *
 * The docs' samples are dated December 2018. They never expire: their `expire_at`/`expires_at` are
 * shown as documented, but reading them never 404s on account of that date (`isDocsSample`).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { CardOrderRecord, PlainCard, SandboxState } from '../state.ts';

/** The reference page's sample identifiers and times. */
export const DOCS_CARD_SAMPLE = {
  keyId: '16e4b85e-899b-4427-a39f-07a496e9515b',
  promiseId: 'ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c',
  settlementId: 'b0ec0bbd-534c-4b1c-b28a-628bf33c3324',
  orderId: 'f3392f8b-6116-4073-ab96-e330819e2c07',
  createdAt: '2018-12-03T10:26:06.000Z',
  expiresAt: '2018-12-04T10:26:06.000Z',
} as const;

/** The sample card, from the examples of Klarna's `card` and `card_specification` schemas. */
const SAMPLE_CARD: PlainCard = {
  reference: 'yPGw6i4lR0GTcyxGpS3Q6Q==',
  card_id: 'b846430c-3656-43a1-812e-2ccff4531b7d',
  amount: 10000,
  currency: 'USD',
  brand: 'VISA',
  holder: 'Jane Doe',
  // Sandbox choice: Visa's well-known test number; the docs show no clear card data.
  pan: '4111111111111111',
  cvv: '123',
  expiry_date: '12/21',
};

/** Further completed orders of the demo principal: nothing promised or settled yet. */
export const DEMO_CARD_ORDERS: readonly { orderId: string; amount: number; currency: string }[] = [
  { orderId: 'dee8dd03-6718-4701-bfba-0446e116bbe5', amount: 12_900, currency: 'EUR' },
  { orderId: '3fa6dfca-a68a-46ea-a1e2-63b2193f5fd8', amount: 4_599, currency: 'SEK' },
  { orderId: '71d516a9-1e4c-48c6-a1af-6a5fe344d64d', amount: 25_000, currency: 'USD' },
  { orderId: 'fbd3e655-8837-4c04-b51a-d16d3dc2ee11', amount: 7_800, currency: 'GBP' },
  { orderId: '865b97ec-5f6a-4b27-9df9-0791eafd9485', amount: 100_000, currency: 'NOK' },
];

/** A completed order of the other principal, which the demo principal must not reach. */
export const OTHER_CARD_ORDER = { orderId: '8a5de080-8d3d-41a9-b161-58ab047b8c31', amount: 3_300, currency: 'EUR' } as const;

const DOCS_SAMPLE_IDS: ReadonlySet<string> = new Set([DOCS_CARD_SAMPLE.promiseId, DOCS_CARD_SAMPLE.settlementId]);

/** True for the docs' sample promise and settlement, which never expire. */
export const isDocsSample = (id: string): boolean => DOCS_SAMPLE_IDS.has(id);

/** A completed order record, nothing promised, settled or cancelled. */
export function completedOrder(ownerId: string, orderId: string, amount: number, currency: string): CardOrderRecord {
  return { ownerId, orderId, amount, currency, cardInUse: false };
}

export function seedCards(
  state: SandboxState,
  { principalId, otherPrincipalId }: { principalId: string; otherPrincipalId: string; now: number },
): void {
  // Generated per sandbox so no private key is ever checked in; kept for the demo's decryption.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  state.enrolledKeys.set(DOCS_CARD_SAMPLE.keyId, {
    ownerId: principalId,
    keyId: DOCS_CARD_SAMPLE.keyId,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });

  const { orderId, promiseId, settlementId, createdAt, expiresAt } = DOCS_CARD_SAMPLE;
  state.cardOrders.set(orderId, {
    ...completedOrder(principalId, orderId, SAMPLE_CARD.amount, SAMPLE_CARD.currency),
    activePromiseId: promiseId,
    settlementId,
  });
  state.promises.set(promiseId, {
    ownerId: principalId,
    invalidated: false,
    promise: {
      promise_id: promiseId,
      order_id: orderId,
      cards: [
        { amount: SAMPLE_CARD.amount, currency: SAMPLE_CARD.currency, fund_amount: SAMPLE_CARD.amount, reference: SAMPLE_CARD.reference },
      ],
      created_at: createdAt,
      expire_at: expiresAt,
    },
  });
  state.cardSettlements.set(settlementId, {
    ownerId: principalId,
    settlement_id: settlementId,
    promise_id: promiseId,
    order_id: orderId,
    created_at: createdAt,
    expires_at: expiresAt,
    cards: [{ ...SAMPLE_CARD }],
  });

  for (const order of DEMO_CARD_ORDERS) {
    state.cardOrders.set(order.orderId, completedOrder(principalId, order.orderId, order.amount, order.currency));
  }
  const other = OTHER_CARD_ORDER;
  state.cardOrders.set(other.orderId, completedOrder(otherPrincipalId, other.orderId, other.amount, other.currency));
}
