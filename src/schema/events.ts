/**
 * The events subscriptions deliver. An event says what happened (its type, time, the identifiers and
 * the states it reported); the objects it is about (`account`, `product`, `settlement`, `decision`,
 * `order`) are read from Klarna when the event is delivered, with the subscriber's credentials and
 * fresh loaders, so they show the state now, not a copy taken when the event was published.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SchemaContext } from './context.ts';
import { eventTypeName, type EventTypeName, type KlarnaEvent } from '../webhooks/events.ts';
import { expansionsFor } from './account-loading.ts';
import { AccountRef, AccountState } from './accounts.ts';
import { builder } from './builder.ts';
import { CardOrderRef } from './card-orders.ts';
import { ComplianceDecisionRef } from './compliance.ts';
import { openEnum } from './open-enum.ts';
import { PaymentProductRef, PaymentProductState, PaymentProductStateReason } from './payment-products.ts';
import { lookahead } from './plan/lookahead.ts';
import { SelectionPlans } from './plan/selection-plans.ts';
import { SettlementRef } from './settlements.ts';

export const KlarnaEventType = openEnum('KlarnaEventType', 'What happened.', {
  ACCOUNT_OPERATIONAL: 'A partner account finished setup and became OPERATIONAL.',
  PAYMENT_PRODUCT_DISABLED: 'A payment product was disabled (by the partner or Klarna) or terminated by Klarna.',
  PAYMENT_PRODUCT_ENABLED: 'A payment product was enabled or re-activated.',
  SETTLEMENT_REPORT_CREATED: 'A settlement and its reports were created.',
  COMPLIANCE_DECISION_CREATED: 'Klarna made a compliance decision about an account.',
  ORDER_CANCELLATION_UPDATED: "A card order's cancellation was decided (the gateway polls for this; Klarna sends no webhook).",
} satisfies Record<EventTypeName, string>);

const OrderCancellationOutcome = openEnum('OrderCancellationOutcome', 'How a card order cancellation was decided.', {
  CANCELLED: 'Cancelled: the virtual card can no longer be used.',
  REJECTED: 'Refused, see `reasonCode` (e.g. CARD_IN_USE).',
});

export const KlarnaEventRef = builder.interfaceRef<KlarnaEvent>('KlarnaEvent');

const TYPE_NAMES: Record<EventTypeName | 'UNKNOWN', string> = {
  ACCOUNT_OPERATIONAL: 'AccountStateChangedEvent',
  PAYMENT_PRODUCT_DISABLED: 'PaymentProductStateChangedEvent',
  PAYMENT_PRODUCT_ENABLED: 'PaymentProductStateChangedEvent',
  SETTLEMENT_REPORT_CREATED: 'SettlementReportCreatedEvent',
  COMPLIANCE_DECISION_CREATED: 'ComplianceDecisionCreatedEvent',
  ORDER_CANCELLATION_UPDATED: 'OrderCancellationUpdatedEvent',
  UNKNOWN: 'OtherKlarnaEvent',
};

/** What an event's account is read with (`expand`): once per document and field when the selection reads no variable (else per call: one event's context may serve several subscribers, each with its own variables). */
const EVENT_ACCOUNT_READS = new SelectionPlans((info) => ({ expand: expansionsFor(lookahead(info)) }));

function readAccount(context: SchemaContext, accountId: string | undefined, info: GraphQLResolveInfo) {
  return accountId ? context.loaders.account.load(accountId, EVENT_ACCOUNT_READS.of(info).expand) : null;
}

KlarnaEventRef.implement({
  description: 'Something that happened at Klarna. Select the concrete type (`... on PaymentProductStateChangedEvent`) for its details.',
  resolveType: (event) => TYPE_NAMES[eventTypeName(event.type)],
  fields: (t) => ({
    id: t.exposeID('id', {
      description: 'Position of the event in the gateway\'s event log, `<milliseconds>-<sequence>`: later events have greater ids. Pass the last one received as `after` to resume.',
    }),
    klarnaEventId: t.exposeString('klarnaEventId', { description: "Klarna's `event_id` (a redelivery repeats it; the gateway delivers each once)." }),
    type: t.field({ type: KlarnaEventType.ref, description: 'What happened.', resolve: (event) => KlarnaEventType.from(eventTypeName(event.type)) }),
    typeRaw: t.exposeString('type', { description: "The event type as Klarna named it (e.g. `partner.account.state-change.operational`)." }),
    occurredAt: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (event) => event.occurredAt }),
    accountId: t.string({ nullable: true, description: 'The partner account it is about (KRN); null for card order events.', resolve: (event) => event.accountId ?? null }),
    account: t.field({
      type: AccountRef,
      nullable: true,
      description: 'The account it is about, read now with your credentials; null for card order events.',
      resolve: (event, _args, context, info) => readAccount(context, event.accountId, info),
    }),
  }),
});

const AccountStateChangedEventRef = builder.objectRef<KlarnaEvent>('AccountStateChangedEvent');
builder.objectType(AccountStateChangedEventRef, {
  description: 'An account changed state (it became OPERATIONAL).',
  interfaces: [KlarnaEventRef],
  fields: (t) => ({
    state: t.field({ type: AccountState.ref, nullable: true, description: 'The state the event reported.', resolve: (e) => (e.state ? AccountState.from(e.state) : null) }),
    previousState: t.field({ type: AccountState.ref, nullable: true, description: 'The state before.', resolve: (e) => (e.previousState ? AccountState.from(e.previousState) : null) }),
  }),
});

export const PaymentProductStateChangedEventRef = builder.objectRef<KlarnaEvent>('PaymentProductStateChangedEvent');
builder.objectType(PaymentProductStateChangedEventRef, {
  description: 'A payment product was disabled, terminated or enabled.',
  interfaces: [KlarnaEventRef],
  fields: (t) => ({
    productId: t.string({ description: 'The product (KRN).', resolve: (e) => e.productId ?? '' }),
    product: t.field({
      type: PaymentProductRef,
      nullable: true,
      description: 'The product, read now with your credentials.',
      resolve: async (e, _args, context) => {
        if (!e.accountId || !e.productId) return null;
        const product = (await context.loaders.paymentProducts.load(e.accountId)).find((p) => p.product_id === e.productId);
        return product ? { ...product, accountId: e.accountId } : null;
      },
    }),
    state: t.field({ type: PaymentProductState.ref, nullable: true, description: 'The state the event reported.', resolve: (e) => (e.state ? PaymentProductState.from(e.state) : null) }),
    stateReason: t.field({
      type: PaymentProductStateReason.ref,
      nullable: true,
      description: 'The reason the event reported.',
      resolve: (e) => (e.stateReason ? PaymentProductStateReason.from(e.stateReason) : null),
    }),
  }),
});

export const SettlementReportCreatedEventRef = builder.objectRef<KlarnaEvent>('SettlementReportCreatedEvent');
builder.objectType(SettlementReportCreatedEventRef, {
  description: 'A settlement was created, with its transactions and CSV report.',
  interfaces: [KlarnaEventRef],
  fields: (t) => ({
    settlementId: t.string({ description: 'The settlement (KRN).', resolve: (e) => e.settlementId ?? '' }),
    settlement: t.field({
      type: SettlementRef,
      nullable: true,
      description: 'The settlement, read now with your credentials.',
      resolve: (e, _args, context) => (e.settlementId ? context.loaders.settlement.load(e.settlementId) : null),
    }),
  }),
});

export const ComplianceDecisionCreatedEventRef = builder.objectRef<KlarnaEvent>('ComplianceDecisionCreatedEvent');
builder.objectType(ComplianceDecisionCreatedEventRef, {
  description: 'Klarna made a compliance decision about an account.',
  interfaces: [KlarnaEventRef],
  fields: (t) => ({
    decisionId: t.string({ description: 'The decision (KRN).', resolve: (e) => e.decisionId ?? '' }),
    decision: t.field({
      type: ComplianceDecisionRef,
      nullable: true,
      description: 'The decision, read now with your credentials.',
      resolve: (e, _args, context) => (e.accountId && e.decisionId ? context.loaders.complianceDecision.load({ accountId: e.accountId, id: e.decisionId }) : null),
    }),
  }),
});

export const OrderCancellationUpdatedEventRef = builder.objectRef<KlarnaEvent>('OrderCancellationUpdatedEvent');
builder.objectType(OrderCancellationUpdatedEventRef, {
  description: "A card order's cancellation was decided. Published once per cancellation request, by the replica that polled it.",
  interfaces: [KlarnaEventRef],
  fields: (t) => ({
    orderId: t.string({ description: 'The order.', resolve: (e) => e.orderId ?? '' }),
    outcome: t.field({ type: OrderCancellationOutcome.ref, description: 'How it was decided.', resolve: (e) => OrderCancellationOutcome.from(e.state ?? '') }),
    reasonCode: t.string({ nullable: true, description: 'Why it was rejected (CARD_IN_USE, OTHER).', resolve: (e) => e.stateReason ?? null }),
    order: t.field({ type: CardOrderRef, description: 'The order; its `cancellation` is read now with your credentials.', resolve: (e) => ({ orderId: e.orderId ?? '' }) }),
  }),
});

builder.objectType(builder.objectRef<KlarnaEvent>('OtherKlarnaEvent'), {
  description: 'An event of a type Klarna added after this gateway was built (`typeRaw` names it).',
  interfaces: [KlarnaEventRef],
  fields: () => ({}),
});
