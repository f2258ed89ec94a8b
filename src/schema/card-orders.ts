/**
 * Virtual card orders (Merchant Card Service): one `CardOrder` unifies an order's card settlement and
 * its cancellation. Card data is passed through exactly as Klarna encrypted it for the caller's key;
 * the gateway cannot read it and never logs or caches it beyond the request.
 */
import type { CardPromise, CardSettlement, EncryptedCard, OrderCancellation } from '../datasources/merchant-card-service.ts';
import { builder } from './builder.ts';
import { nodeKeyParts } from './global-ids.ts';
import { ID_RULES, assertId } from './ids.ts';
import { openEnum } from './open-enum.ts';

export const CardOrderRef = builder.objectRef<{ orderId: string }>('CardOrder');
export const CardPromiseRef = builder.objectRef<CardPromise>('CardPromise');
export const CardSettlementRef = builder.objectRef<CardSettlement & { keyId: string }>('CardSettlement');
const CardRef = builder.objectRef<EncryptedCard>('VirtualCard');
export const CancellationRef = builder.objectRef<OrderCancellation>('OrderCancellation');

const CancellationStatus = openEnum('OrderCancellationStatus', "Where an order's cancellation is.", {
  PENDING: 'Requested; ask again after `checkAfter`.',
  CANCELLED: 'Cancelled: the virtual card can no longer be used.',
  REJECTED: 'Refused, see `reasonCode` (e.g. the card is already in use).',
  NO_REQUEST_FOUND: 'No cancellation was requested for this order.',
});

builder.objectType(CancellationRef, {
  description: "The cancellation of a card order, as Klarna's Merchant Card Service reports it.",
  fields: (t) => ({
    status: t.field({ type: CancellationStatus.ref, description: 'Where the cancellation is.', resolve: (c) => CancellationStatus.from(c.status) }),
    statusRaw: t.string({ description: 'Status as Klarna sent it.', resolve: (c) => c.status }),
    checkAfter: t.field({ type: 'DateTime', nullable: true, description: 'When to ask again (PENDING only).', resolve: (c) => ('check_after' in c ? (c.check_after ?? null) : null) }),
    reasonCode: t.string({ nullable: true, description: 'Why it was rejected: CARD_IN_USE or OTHER (open list).', resolve: (c) => c.reason_code ?? null }),
    reasonMessage: t.string({ nullable: true, description: 'Explanation of a rejection.', resolve: (c) => c.reason_message ?? null }),
  }),
});

const EncryptedCardDataRef = builder.objectRef<EncryptedCard>('EncryptedCardData').implement({
  description:
    'Card data encrypted for your enrolled key: decrypt `aesKey` with your RSA private key (PKCS#1 v1.5), then `pciData` with that AES-128 key in CTR mode and `iv`. All base64.',
  fields: (t) => ({
    pciData: t.exposeString('pci_data', { description: 'The encrypted card data (PAN, CVV, expiry).' }),
    iv: t.exposeString('iv', { description: 'The AES initialisation vector.' }),
    aesKey: t.exposeString('aes_key', { description: 'The AES key, encrypted with your public key.' }),
  }),
});

builder.objectType(CardRef, {
  description: 'A virtual card issued for an order.',
  fields: (t) => ({
    cardId: t.exposeString('card_id', { description: "Klarna's identifier of the card." }),
    reference: t.string({ nullable: true, description: 'The card specification it was issued for.', resolve: (c) => c.reference ?? null }),
    amount: t.field({ type: 'Long', description: 'Available amount in minor units.', resolve: (c) => c.amount }),
    currency: t.exposeString('currency', { description: 'ISO 4217 currency.' }),
    brand: t.string({ nullable: true, description: 'Card scheme, e.g. VISA.', resolve: (c) => c.brand ?? null }),
    holder: t.string({ nullable: true, description: 'Name on the card.', resolve: (c) => c.holder ?? null }),
    encrypted: t.field({ type: EncryptedCardDataRef, description: 'The card data, encrypted for your key.', resolve: (c) => c }),
  }),
});

builder.node(CardSettlementRef, {
  description: 'The virtual cards Klarna issued to settle an order, encrypted for one of your enrolled keys.',
  id: { resolve: (s) => `${s.settlement_id} ${s.keyId}` },
  loadOne: async (key, context) => {
    const [id = '', keyId = ''] = nodeKeyParts('CardSettlement', key);
    return { ...(await context.loaders.cardSettlement.load({ id, keyId })), keyId };
  },
  fields: (t) => ({
    klarnaId: t.exposeString('settlement_id', { description: "Klarna's identifier of the card settlement." }),
    orderId: t.exposeString('order_id', { description: 'The order settled.' }),
    promiseId: t.string({ nullable: true, description: 'The promise it fulfilled.', resolve: (s) => s.promise_id ?? null }),
    keyId: t.exposeString('keyId', { description: 'The enrolled key the cards are encrypted for.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When it was created.', resolve: (s) => s.created_at }),
    expiresAt: t.field({ type: 'DateTime', description: 'When the cards expire.', resolve: (s) => s.expires_at }),
    cards: t.field({ type: [CardRef], description: 'The cards.', resolve: (s) => s.cards }),
  }),
});

const CardSpecificationRef = builder.simpleObject('CardSpecification', {
  description: 'A card promised for an order.',
  fields: (t) => ({
    reference: t.string({ description: 'Your reference for the card.' }),
    amount: t.field({ type: 'Long', description: 'Purchase amount in minor units.' }),
    currency: t.string({ description: 'ISO 4217 currency.' }),
    fundAmount: t.field({ type: 'Long', nullable: true, description: 'Amount funded onto the card, in minor units.' }),
  }),
});

builder.node(CardPromiseRef, {
  description: 'A promise of virtual cards for an order, valid until it expires or a newer promise replaces it.',
  id: { resolve: (p) => p.promise_id },
  loadOne: (key, context) => context.loaders.cardPromise.load(nodeKeyParts('CardPromise', key)[0]!),
  fields: (t) => ({
    klarnaId: t.exposeString('promise_id', { description: "Klarna's identifier of the promise." }),
    orderId: t.exposeString('order_id', { description: 'The order.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When it was created.', resolve: (p) => p.created_at }),
    expiresAt: t.field({ type: 'DateTime', description: 'When it expires.', resolve: (p) => p.expire_at }),
    cards: t.field({
      type: [CardSpecificationRef],
      description: 'The promised cards.',
      resolve: (p) => p.cards.map((c) => ({ reference: c.reference, amount: c.amount, currency: c.currency, fundAmount: c.fund_amount ?? null })),
    }),
  }),
});

builder.node(CardOrderRef, {
  description: "An order settled with virtual cards: its card settlement and its cancellation, from Klarna's Merchant Card Service.",
  // The order id alone: a client cache (Apollo, urql) normalises the order by it. Reading it by
  // `node(id:)` checks the id and calls nothing, as `cardOrder(orderId:)` does: its fields read Klarna.
  id: { resolve: (order) => order.orderId },
  loadOne: (key) => ({ orderId: nodeKeyParts('CardOrder', key)[0]! }),
  fields: (t) => ({
    orderId: t.exposeID('orderId', { description: 'The order id.' }),
    settlement: t.field({
      type: CardSettlementRef,
      nullable: true,
      description: "The order's card settlement, encrypted for `keyId`.",
      args: { keyId: t.arg.string({ required: true, description: 'Id of your enrolled public key to encrypt the cards for.' }) },
      resolve: async ({ orderId }, { keyId }, context) => {
        assertId(ID_RULES.cardKey, keyId, 'keyId');
        return { ...(await context.loaders.cardSettlementByOrder.load({ orderId, keyId })), keyId };
      },
    }),
    cancellation: t.field({
      type: CancellationRef,
      nullable: true,
      description: 'The cancellation of the order; status NO_REQUEST_FOUND when none was requested.',
      resolve: ({ orderId }, _args, context) => context.loaders.orderCancellation.load(orderId),
    }),
  }),
});

builder.queryFields((t) => ({
  cardOrder: t.field({
    type: CardOrderRef,
    description: 'A virtual card order by its order id. Its fields are read from Klarna when asked for.',
    args: { orderId: t.arg.id({ required: true, description: 'The order id, e.g. f3392f8b-6116-4073-ab96-e330819e2c07.' }) },
    resolve: (_root, { orderId }) => {
      assertId(ID_RULES.cardOrder, String(orderId), 'orderId');
      return { orderId: String(orderId) };
    },
  }),
  cardPromise: t.field({
    type: CardPromiseRef,
    nullable: true,
    description: 'A card promise by id.',
    args: { id: t.arg.id({ required: true, description: 'The promise id.' }) },
    resolve: (_root, { id }, context) => {
      assertId(ID_RULES.cardPromise, String(id), 'id');
      return context.loaders.cardPromise.load(String(id));
    },
  }),
  cardSettlement: t.field({
    type: CardSettlementRef,
    nullable: true,
    description: 'A card settlement by id, with its cards encrypted for `keyId`.',
    args: {
      id: t.arg.id({ required: true, description: 'The card settlement id.' }),
      keyId: t.arg.string({ required: true, description: 'Id of your enrolled public key.' }),
    },
    resolve: async (_root, { id, keyId }, context) => {
      assertId(ID_RULES.cardSettlement, String(id), 'id');
      assertId(ID_RULES.cardKey, keyId, 'keyId');
      return { ...(await context.loaders.cardSettlement.load({ id: String(id), keyId })), keyId };
    },
  }),
}));
