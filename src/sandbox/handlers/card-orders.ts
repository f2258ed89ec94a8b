/**
 * The Merchant Card Service: card promises, card settlements and order cancellations, plus the admin
 * hooks that make Klarna-side things happen (a completed order, a used card, an enrolled key).
 *
 * Contract (CONTRACT-NOTES §2 and its MCS ASSUMPTIONS):
 * - An order is known when the sandbox completed it (seed, admin route) or a promise named it; a new
 *   promise for an order invalidates the previous one; invalidated and expired promises are 404.
 * - An order has at most one card settlement; settling again returns it (201). Card data leave the
 *   sandbox only encrypted, for a key enrolled by the caller, freshly on every response.
 * - Cancellation is asynchronous: POST queues it until `check_after`; the decision is taken lazily on
 *   the first call at or after that time (nothing is scheduled), and kept.
 * - Another principal's orders, promises and settlements are 404, as if they did not exist.
 */
import { randomUUID } from 'node:crypto';
import { encryptCard, expiryDate, randomCvv, randomPan } from '../card-crypto.ts';
import { badValue, SandboxError } from '../errors.ts';
import { json, type HandlerContext, type HandlerMap } from '../handler.ts';
import { completedOrder, isDocsSample } from '../seed/cards.ts';
import type { CardOrderRecord, CardSettlementRecord, EnrolledKey, Mcs, PlainCard, PromiseRecord } from '../state.ts';
import { pathParam } from './common.ts';

/** The legacy error codes of the MCS (CONTRACT-NOTES §2.0). */
const notFound = (message: string) => new SandboxError(404, 'RESOURCE_ERROR', 'NOT_FOUND', message);
const forbidden = (message: string) => new SandboxError(403, 'RESOURCE_ERROR', 'FORBIDDEN', message);

const CARD_BRAND = 'VISA';
const CARD_HOLDER = 'Jane Doe';
/** Sandbox choice: a virtual card is valid for three years. */
const CARD_VALIDITY_MS = 3 * 365 * 24 * 60 * 60 * 1000;
const CARD_IN_USE_MESSAGE =
  'Cancellation request was rejected because the virtual credit card linked to this order is in use.';

function ownedOrder(context: HandlerContext, orderId: string): CardOrderRecord | undefined {
  const order = context.state.cardOrders.get(orderId);
  return order?.ownerId === context.principal.id ? order : undefined;
}

/** The caller's promise if it can still be settled: not superseded, not expired (docs samples never expire). */
function livePromise(context: HandlerContext, promiseId: string): PromiseRecord | undefined {
  const record = context.state.promises.get(promiseId);
  if (!record || record.ownerId !== context.principal.id || record.invalidated) return undefined;
  const expired = Date.parse(record.promise.expire_at) <= context.clock.now();
  return expired && !isDocsSample(promiseId) ? undefined : record;
}

function callerKey(context: HandlerContext, keyId: string): EnrolledKey | undefined {
  const key = context.state.enrolledKeys.get(keyId);
  return key?.ownerId === context.principal.id ? key : undefined;
}

/** The key named by the `KeyId` header of a settlement read: 403 unless the caller enrolled it. */
function readKey(context: HandlerContext): EnrolledKey {
  const keyId = String(context.request.headers.keyid ?? '');
  const key = callerKey(context, keyId);
  if (!key) throw forbidden(`The key ${keyId} is not enrolled for this merchant.`);
  return key;
}

/** `created_at` now and the expiry `cardTtlMs` later, from one reading of the clock. */
function lifetime<K extends 'expire_at' | 'expires_at'>(context: HandlerContext, expiryField: K) {
  const nowMs = context.clock.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  return { created_at: iso(nowMs), [expiryField]: iso(nowMs + context.behaviour.cardTtlMs) } as { created_at: string } & Record<K, string>;
}

function issueCard(context: HandlerContext, reference: string, amount: number, currency: string): PlainCard {
  const expiry_date = expiryDate(context.clock.now() + CARD_VALIDITY_MS);
  const secrets = { pan: randomPan(), cvv: randomCvv(), expiry_date };
  return { reference, card_id: randomUUID(), amount, currency, brand: CARD_BRAND, holder: CARD_HOLDER, ...secrets };
}

/** The REST shape of a settlement, every card encrypted for `key`. */
function settlementBody(record: CardSettlementRecord, key: EnrolledKey): Mcs['settlement_response'] {
  return {
    settlement_id: record.settlement_id,
    ...(record.promise_id ? { promise_id: record.promise_id } : {}),
    order_id: record.order_id,
    cards: record.cards.map((card) => ({
      reference: card.reference,
      card_id: card.card_id,
      amount: card.amount,
      currency: card.currency,
      ...encryptCard(card, key.publicKeyPem),
      brand: card.brand,
      holder: card.holder,
    })),
    created_at: record.created_at,
    expires_at: record.expires_at,
  };
}

/** The order's card settlement (404 otherwise): what the cancellation endpoints require. */
function settledOrder(context: HandlerContext): CardOrderRecord {
  const orderId = pathParam(context, 'order_id');
  const order = ownedOrder(context, orderId);
  if (!order?.settlementId) throw notFound(`Order ${orderId} does not exist or has no virtual credit card settlement.`);
  return order;
}

/** Takes the decision on a pending cancellation once `check_after` has passed; the decision is kept. */
function resolveCancellation(order: CardOrderRecord, nowMs: number): CardOrderRecord['cancellation'] {
  const cancellation = order.cancellation;
  if (cancellation?.status !== 'PENDING' || Date.parse(cancellation.checkAfter) > nowMs) return cancellation;
  order.cancellation = order.cardInUse
    ? { status: 'REJECTED', checkAfter: cancellation.checkAfter, reasonCode: 'CARD_IN_USE', reasonMessage: CARD_IN_USE_MESSAGE }
    : { status: 'CANCELLED', checkAfter: cancellation.checkAfter };
  return order.cancellation;
}

export const cardOrderHandlers: HandlerMap = {
  createPromise(context) {
    const body = context.request.body as Mcs['promise_request'];
    const currencies = new Set(body.cards.map((card) => card.currency));
    const [currency = ''] = currencies;
    if (currencies.size > 1) throw badValue('All cards of a promise must have the same currency.');
    const existing = context.state.cardOrders.get(body.order_id);
    if (existing && existing.ownerId !== context.principal.id) throw badValue(`order_id ${body.order_id} is not a valid order.`);
    if (existing && existing.currency !== currency) throw badValue(`The order's currency is ${existing.currency}, not ${currency}.`);
    if (existing?.settlementId) throw badValue(`Order ${body.order_id} is already settled.`);

    const total = body.cards.reduce((sum, card) => sum + card.amount, 0);
    const order = existing ?? completedOrder(context.principal.id, body.order_id, total, currency);
    const previous = order.activePromiseId ? context.state.promises.get(order.activePromiseId) : undefined;
    if (previous) previous.invalidated = true;
    const promise: Mcs['promise_response'] = {
      promise_id: randomUUID(),
      order_id: body.order_id,
      cards: body.cards.map(({ amount, currency: cardCurrency, fund_amount, reference }) => ({
        amount,
        currency: cardCurrency,
        ...(fund_amount === undefined ? {} : { fund_amount }),
        reference,
      })),
      ...lifetime(context, 'expire_at'),
    };
    context.state.promises.set(promise.promise_id, { ownerId: context.principal.id, promise, invalidated: false });
    order.activePromiseId = promise.promise_id;
    context.state.cardOrders.set(order.orderId, order);
    context.applied(`promise:${promise.promise_id}`);
    return json(201, { promise_id: promise.promise_id, expires_at: promise.expire_at } satisfies Mcs['promise_created_response']);
  },

  readPromise(context) {
    const promiseId = pathParam(context, 'promise_id');
    const record = livePromise(context, promiseId);
    if (!record) throw notFound(`Promise ${promiseId} was not found.`);
    return json(200, record.promise);
  },

  settlePromise(context) {
    const body = context.request.body as Mcs['settlement_request'];
    const key = callerKey(context, body.key_id);
    if (!key) throw badValue(`key_id ${body.key_id} is not an enrolled key.`);
    const order = ownedOrder(context, body.order_id);
    if (!order) throw badValue(`order_id ${body.order_id} is not a known completed order.`);
    const settled = order.settlementId ? context.state.cardSettlements.get(order.settlementId) : undefined;
    if (settled) return json(201, settlementBody(settled, key));

    const promiseId = body.promise_id ?? order.activePromiseId;
    const promise = promiseId ? livePromise(context, promiseId) : undefined;
    const valid = promise && promise.promise.order_id === order.orderId && order.activePromiseId === promiseId;
    if (body.promise_id && !valid) throw badValue(`promise_id ${body.promise_id} is not a valid promise of this order.`);
    const cards = valid
      ? promise.promise.cards.map((spec) => issueCard(context, spec.reference, spec.fund_amount ?? spec.amount, spec.currency))
      : [issueCard(context, order.orderId, order.amount, order.currency)];
    const record: CardSettlementRecord = {
      ownerId: context.principal.id,
      settlement_id: randomUUID(),
      ...(valid ? { promise_id: promise.promise.promise_id } : {}),
      order_id: order.orderId,
      ...lifetime(context, 'expires_at'),
      cards,
    };
    context.state.cardSettlements.set(record.settlement_id, record);
    order.settlementId = record.settlement_id;
    context.applied(`card-settlement:${record.settlement_id}`);
    return json(201, settlementBody(record, key));
  },

  readSettlement(context) {
    const key = readKey(context);
    const settlementId = pathParam(context, 'settlement_id');
    const record = context.state.cardSettlements.get(settlementId);
    if (record?.ownerId !== context.principal.id) throw notFound(`Settlement ${settlementId} was not found.`);
    return json(200, settlementBody(record, key));
  },

  readSettlementByOrderId(context) {
    const key = readKey(context);
    const orderId = pathParam(context, 'order_id');
    const order = ownedOrder(context, orderId);
    const record = order?.settlementId ? context.state.cardSettlements.get(order.settlementId) : undefined;
    if (!record) throw notFound(`Order ${orderId} has no card settlement.`);
    return json(200, settlementBody(record, key));
  },

  requestOrderCancellation(context) {
    const order = settledOrder(context);
    const current = resolveCancellation(order, context.clock.now());
    if (current?.status === 'CANCELLED') return json(200, { status: 'CANCELLED' });
    if (current?.status === 'PENDING') return json(202, { status: 'PENDING', check_after: current.checkAfter });
    // None yet, or a rejected one: queue a new request.
    order.cancellation = { status: 'PENDING', checkAfter: context.clock.iso(context.behaviour.cancellationDelayMs) };
    context.applied(`order-cancellation:${order.orderId}`);
    return json(202, { status: 'PENDING', check_after: order.cancellation.checkAfter });
  },

  getOrderCancellation(context) {
    const order = settledOrder(context);
    const current = resolveCancellation(order, context.clock.now());
    if (!current) {
      return json(400, {
        status: 'NO_REQUEST_FOUND',
        reason_code: 'NO_REQUEST_FOUND',
        reason_message: 'No cancellation request found for this order.',
      } satisfies Mcs['cancel_order_request_status_no_request_found']);
    }
    const body: Mcs['cancel_order_request_status'] =
      current.status === 'PENDING'
        ? { status: 'PENDING', check_after: current.checkAfter }
        : current.status === 'REJECTED'
          ? { status: 'REJECTED', reason_code: current.reasonCode ?? 'OTHER', reason_message: current.reasonMessage ?? 'Rejected.' }
          : { status: 'CANCELLED' };
    return json(200, body);
  },
};
