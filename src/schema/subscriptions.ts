/**
 * Subscriptions: Klarna's webhook events (and the card order cancellations the gateway polls), live,
 * over graphql-ws (`ws://…/graphql`) or SSE (`Accept: text/event-stream`).
 *
 * Every subscription takes `after`: the id of the last event a client received, to receive the events
 * it missed (in order, within the retention) before the live ones. A subscription registers for events
 * before it checks anything, so nothing published while it opens is missed.
 */
import type { SchemaContext } from './context.ts';
import { BadUserInputError, NotFoundError } from '../errors.ts';
import { EVENT_ID, EVENT_TYPES, eventIdTime, eventTypeName, type KlarnaEvent } from '../webhooks/events.ts';
import { MAX_ACCOUNTS_PER_QUERY } from './account-loading.ts';
import { builder } from './builder.ts';
import { ID_RULES, assertId } from './ids.ts';
import {
  ComplianceDecisionCreatedEventRef,
  KlarnaEventRef,
  KlarnaEventType,
  OrderCancellationUpdatedEventRef,
  PaymentProductStateChangedEventRef,
  SettlementReportCreatedEventRef,
} from './events.ts';
import { assertSubscriber, createAccess, filterEvents, type Access } from './subscription-access.ts';

interface StreamSpec {
  after: string | null | undefined;
  accept: (event: KlarnaEvent) => boolean;
  /** Checks run once the subscriber is registered (so no event slips by while they run). */
  prepare?: (access: Access) => Promise<void>;
}

async function openStream(context: SchemaContext, { after, accept, prepare }: StreamSpec): Promise<AsyncIterable<KlarnaEvent>> {
  if (!context.events) throw new Error('live events are not configured on this gateway');
  // An id from the future would hold back every live event until the log caught up with it.
  if (after != null && (!EVENT_ID.test(after) || eventIdTime(after) > Date.now() + 60_000)) {
    throw new BadUserInputError('`after` is not an event id (`<milliseconds>-<sequence>`, as `id` returns it).', [{ path: 'after', message: 'is not an event id' }]);
  }
  await assertSubscriber(context);
  const access = createAccess(context);
  const source = context.events.bus.subscribe(after != null ? { after } : {});
  try {
    await prepare?.(access);
  } catch (error) {
    await source.return?.();
    throw error;
  }
  return filterEvents(source, accept, access);
}

/** Refuses an account the subscriber cannot read, before any event is awaited. */
async function assertReadableAccount(access: Access, accountId: string, path: string): Promise<void> {
  assertId(ID_RULES.account, accountId, path);
  if (!(await access.account(accountId))) throw new NotFoundError('The account');
}

/** Events about one account the subscriber may read, optionally of some types only. */
function accountStream(
  context: SchemaContext,
  args: { accountId: string | number; after?: string | null },
  ofType: (type: string) => boolean = () => true,
): Promise<AsyncIterable<KlarnaEvent>> {
  const accountId = String(args.accountId);
  return openStream(context, {
    after: args.after,
    accept: (event) => ofType(event.type) && event.accountId === accountId,
    prepare: (access) => assertReadableAccount(access, accountId, 'accountId'),
  });
}

const PRODUCT_EVENTS: ReadonlySet<string> = new Set([EVENT_TYPES.PAYMENT_PRODUCT_DISABLED, EVENT_TYPES.PAYMENT_PRODUCT_ENABLED]);

builder.subscriptionFields((t) => {
  const after = t.arg.string({ description: 'Resume: first deliver the retained events after this event id (the last `id` you received), in order.' });
  const accountId = t.arg.id({ required: true, description: 'The account KRN, e.g. krn:partner:global:account:live:LWT2XJSE.' });
  return {
    accountEvents: t.field({
      type: KlarnaEventRef,
      description: 'Every event about one account: state changes, payment product changes, compliance decisions, settlements.',
      args: { accountId, after },
      subscribe: (_root, args, context) => accountStream(context, args),
      resolve: (event) => event,
    }),
    paymentProductStateChanged: t.field({
      type: PaymentProductStateChangedEventRef,
      description: "An account's payment product was disabled, terminated or enabled.",
      args: { accountId, after },
      subscribe: (_root, args, context) => accountStream(context, args, (type) => PRODUCT_EVENTS.has(type)),
      resolve: (event) => event,
    }),
    settlementReportCreated: t.field({
      type: SettlementReportCreatedEventRef,
      description: 'A settlement you can read was created.',
      args: { after },
      subscribe: (_root, args, context) => openStream(context, { after: args.after, accept: (event) => event.type === EVENT_TYPES.SETTLEMENT_REPORT_CREATED }),
      resolve: (event) => event,
    }),
    complianceDecisionCreated: t.field({
      type: ComplianceDecisionCreatedEventRef,
      description: 'Klarna made a compliance decision about the account.',
      args: { accountId, after },
      subscribe: (_root, args, context) => accountStream(context, args, (type) => type === EVENT_TYPES.COMPLIANCE_DECISION_CREATED),
      resolve: (event) => event,
    }),
    orderCancellationUpdated: t.field({
      type: OrderCancellationUpdatedEventRef,
      description: "The order's pending cancellation was decided (CANCELLED or REJECTED). The gateway polls Klarna for it while you listen.",
      args: { orderId: t.arg.id({ required: true, description: 'The order id, e.g. f3392f8b-6116-4073-ab96-e330819e2c07.' }), after },
      subscribe: (_root, args, context) => {
        const orderId = String(args.orderId);
        return openStream(context, {
          after: args.after,
          accept: (event) => event.type === EVENT_TYPES.ORDER_CANCELLATION_UPDATED && event.orderId === orderId,
          prepare: async (access) => {
            assertId(ID_RULES.cardOrder, orderId, 'orderId');
            const cancellation = await context.mcs.getOrderCancellation(orderId); // NOT_FOUND for others' orders
            access.grantOrder(orderId);
            if (cancellation.status === 'PENDING') {
              context.events?.watchOrderCancellation(orderId, 'check_after' in cancellation ? cancellation.check_after : undefined, context.principal);
            }
          },
        });
      },
      resolve: (event) => event,
    }),
    klarnaEvents: t.field({
      type: KlarnaEventRef,
      description: 'Every event you may read, optionally only of some types or about some accounts.',
      args: {
        types: t.arg({ type: [KlarnaEventType.ref], description: 'Only these types (all when absent).' }),
        accountIds: t.arg.idList({ description: `Only events about these accounts (at most ${MAX_ACCOUNTS_PER_QUERY}); card order events have none.` }),
        after,
      },
      subscribe: (_root, args, context) => {
        const types = args.types ? new Set<string>(args.types) : undefined;
        const accounts = args.accountIds ? new Set(args.accountIds.map(String)) : undefined;
        return openStream(context, {
          after: args.after,
          accept: (event) => (!types || types.has(eventTypeName(event.type))) && (!accounts || (event.accountId !== undefined && accounts.has(event.accountId))),
          prepare: async (access) => {
            if (accounts && accounts.size > MAX_ACCOUNTS_PER_QUERY) {
              throw new BadUserInputError(`Ask for at most ${MAX_ACCOUNTS_PER_QUERY} accounts at once.`, [{ path: 'accountIds', message: 'has too many items' }]);
            }
            await Promise.all([...(accounts ?? [])].map((id, index) => assertReadableAccount(access, id, `accountIds.${index}`)));
          },
        });
      },
      resolve: (event) => event,
    }),
  };
});
