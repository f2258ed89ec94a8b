/**
 * Virtual card writes: promise cards for an order, settle the order with cards encrypted for your key,
 * and request its cancellation. A settlement answer carries card data: it is passed through encrypted,
 * never logged, and the response says `Cache-Control: no-store` like every GraphQL response here.
 */
import { z } from 'zod';
import type { CardSettlement } from '../datasources/merchant-card-service.ts';
import { builder } from './builder.ts';
import { CancellationRef, CardOrderRef, CardPromiseRef, CardSettlementRef } from './card-orders.ts';
import { ID_RULES, zodId } from './ids.ts';
import { MUTATION_ERRORS } from './mutation-errors.ts';
import { currency, idempotencyKey, keyFor, parseInput } from './validation.ts';

const orderId = zodId(ID_RULES.cardOrder);

const KEY = 'Your key for this write; a retry with the same key is applied once. Generated when absent.';

const CardInput = builder.inputType('CardSpecificationInput', {
  description: 'One card to promise.',
  fields: (t) => ({
    reference: t.string({ required: true, description: 'Your reference for the card (1 to 255 characters).' }),
    amount: t.field({ type: 'Long', required: true, description: 'Purchase amount in minor units (positive).' }),
    currency: t.string({ required: true, description: 'ISO 4217 currency, e.g. EUR.' }),
    fundAmount: t.field({ type: 'Long', description: 'Amount to fund onto the card, in minor units.' }),
  }),
});
const PromiseInput = builder.inputType('CreateCardPromiseInput', {
  description: 'The cards to promise for an order (a new promise replaces the previous one).',
  fields: (t) => ({
    idempotencyKey: t.string({ description: KEY }),
    orderId: t.id({ required: true, description: 'The order.' }),
    cards: t.field({ type: [CardInput], required: true, description: '1 to 1000 cards.' }),
  }),
});
const SettlementInput = builder.inputType('CreateCardSettlementInput', {
  description: 'The completed order to settle with virtual cards.',
  fields: (t) => ({
    idempotencyKey: t.string({ description: KEY }),
    orderId: t.id({ required: true, description: 'The order.' }),
    promiseId: t.id({ description: 'The promise to fulfil (default: the order’s valid promise).' }),
    keyId: t.string({ required: true, description: 'Id of your enrolled public key to encrypt the cards for.' }),
  }),
});
const CancellationInput = builder.inputType('RequestOrderCancellationInput', {
  description: 'The order whose virtual cards to cancel.',
  fields: (t) => ({ idempotencyKey: t.string({ description: KEY }), orderId: t.id({ required: true, description: 'The order.' }) }),
});

const promiseSchema = z.object({
  idempotencyKey: idempotencyKey.nullish(),
  orderId,
  cards: z
    .array(
      z.object({
        reference: z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
        amount: z.number().int().positive('must be more than 0'),
        currency,
        fundAmount: z.number().int().min(0, 'must not be negative').nullish(),
      }),
    )
    .min(1, 'needs at least one card')
    .max(1_000, 'takes at most 1000 cards'),
});
const settlementSchema = z.object({
  idempotencyKey: idempotencyKey.nullish(),
  orderId,
  promiseId: zodId(ID_RULES.cardPromise).nullish(),
  keyId: zodId(ID_RULES.cardKey),
});
const cancellationSchema = z.object({ idempotencyKey: idempotencyKey.nullish(), orderId });

const PromisePayload = builder.objectRef<{ promiseId: string; orderId: string; expiresAt: string }>('CreateCardPromisePayload').implement({
  description: 'The new promise; the order’s previous promise no longer holds.',
  fields: (t) => ({
    promiseId: t.exposeID('promiseId', { description: "Klarna's id of the promise." }),
    expiresAt: t.field({ type: 'DateTime', description: 'When it expires.', resolve: (p) => p.expiresAt }),
    promise: t.field({ type: CardPromiseRef, nullable: true, description: 'The promise with its cards (read when asked for).', resolve: (p, _args, context) => context.loaders.cardPromise.load(p.promiseId) }),
    order: t.field({ type: CardOrderRef, description: 'The order.', resolve: (p) => ({ orderId: p.orderId }) }),
  }),
});
const SettlementPayload = builder.objectRef<CardSettlement & { keyId: string }>('CreateCardSettlementPayload').implement({
  description: 'The order is settled with virtual cards, encrypted for your key.',
  fields: (t) => ({
    settlement: t.field({ type: CardSettlementRef, description: 'The settlement and its encrypted cards.', resolve: (s) => s }),
    order: t.field({ type: CardOrderRef, description: 'The order.', resolve: (s) => ({ orderId: s.order_id }) }),
  }),
});
const CancellationPayload = builder.objectRef<{ orderId: string; status: { status: 'PENDING' | 'CANCELLED' | 'REJECTED'; check_after?: string } }>(
  'RequestOrderCancellationPayload',
).implement({
  description: 'Klarna took the request: CANCELLED at once, or PENDING until `checkAfter` (then follow `order.cancellation`).',
  fields: (t) => ({
    cancellation: t.field({ type: CancellationRef, description: 'Where the cancellation is.', resolve: (p) => p.status }),
    order: t.field({ type: CardOrderRef, description: 'The order; its `cancellation` follows it to CANCELLED or REJECTED.', resolve: (p) => ({ orderId: p.orderId }) }),
  }),
});

builder.mutationFields((t) => ({
  createCardPromise: t.field({
    type: PromisePayload,
    description: 'Promises virtual cards for an order; a newer promise invalidates the previous one.',
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: PromiseInput, required: true, description: 'The order and its cards.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(promiseSchema, args.input);
      const created = await context.mcs.createPromise(input.orderId, input.cards, keyFor(input));
      context.refreshLoaders();
      return { promiseId: created.promise_id, orderId: input.orderId, expiresAt: created.expires_at };
    },
  }),
  createCardSettlement: t.field({
    type: SettlementPayload,
    description: 'Settles a completed order with virtual cards, encrypted for your enrolled key.',
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: SettlementInput, required: true, description: 'The order and your key.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(settlementSchema, args.input);
      const settlement = await context.mcs.createSettlement(input, keyFor(input));
      context.refreshLoaders();
      return { ...settlement, keyId: input.keyId };
    },
  }),
  requestOrderCancellation: t.field({
    type: CancellationPayload,
    description: "Asks Klarna to cancel an order's virtual cards (orders with a card settlement only).",
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: CancellationInput, required: true, description: 'The order.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(cancellationSchema, args.input);
      const status = await context.mcs.requestOrderCancellation(input.orderId, keyFor(input));
      context.refreshLoaders();
      // Klarna does not push cancellations: the gateway polls until it resolves and publishes the outcome.
      if (status.status === 'PENDING' && status.check_after) context.events?.watchOrderCancellation(input.orderId, status.check_after, context.principal);
      return { orderId: input.orderId, status };
    },
  }),
}));
