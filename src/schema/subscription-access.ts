/**
 * Who may subscribe, and which events a subscriber receives.
 *
 * Klarna is the judge of both, with the subscriber's own credentials:
 * - credentials are checked when a subscription opens (and when a WebSocket connects) by one read
 *   that needs valid credentials (the payment profiles, cached per principal as reference data);
 * - an event reaches a subscriber only if Klarna lets the subscriber read what it is about: the
 *   account (account events), the settlement (settlement events) or the order's cancellation (card
 *   order events). Each is asked once per subscription and the verdict kept for its lifetime.
 *
 * A check that fails for another reason than "not found / forbidden" (Klarna unavailable) ends the
 * stream with SUBSCRIPTION_INTERRUPTED rather than guessing: the client resubscribes with `after` and
 * gets the event then, so nothing is lost and nothing is leaked.
 *
 * In token mode the gateway's own rules come first (Klarna would let the gateway's key read
 * everything of the partner): a token limited to some accounts receives only events about those
 * accounts, never settlement or card order events; and once the token expires the stream ends with
 * SUBSCRIPTION_INTERRUPTED (reason UNAUTHENTICATED) at the next event, to resume with a fresh token.
 */
import { hasAllAccounts, hasExpired, mayTouchAccount, type Caller } from '../auth/caller.ts';
import type { SchemaContext } from './context.ts';
import { ForbiddenError, GatewayError, NotFoundError, SubscriptionInterruptedError, UnauthenticatedError } from '../errors.ts';
import { EVENT_TYPES, type KlarnaEvent } from '../webhooks/events.ts';

/**
 * Throws UNAUTHENTICATED (or another GatewayError) unless Klarna accepts the context's credentials.
 * A token caller was verified already, and Klarna would only judge the gateway's own key.
 */
export async function assertSubscriber(context: SchemaContext): Promise<void> {
  if (context.caller.kind === 'token') return;
  await context.loaders.paymentProfiles.load('all');
}

/** The gateway's own rule: may this caller's token see this event at all (before Klarna is asked)? */
export function callerMaySee(caller: Caller, event: KlarnaEvent): boolean {
  if (hasAllAccounts(caller)) return true;
  const partnerWide = event.type === EVENT_TYPES.SETTLEMENT_REPORT_CREATED || event.orderId !== undefined;
  return !partnerWide && event.accountId !== undefined && mayTouchAccount(caller, event.accountId);
}

/** The subscriber's verdicts, per object, for the lifetime of one subscription. */
export function createAccess(context: SchemaContext, { max = 10_000 }: { max?: number } = {}) {
  // A Map in insertion order, oldest dropped beyond `max` (an LRUCache would allocate `max` slots up
  // front for every subscription).
  const verdicts = new Map<string, Promise<boolean>>();

  // The REST clients directly, not the loaders: the subscription's loaders would keep every object
  // they read for as long as the subscription lives, and only the verdict is wanted.
  function verdict(key: string, read: () => Promise<unknown>): Promise<boolean> {
    const known = verdicts.get(key);
    if (known) return known;
    const pending = read().then(
      () => true,
      (error: unknown) => {
        if (error instanceof NotFoundError || error instanceof ForbiddenError) return false;
        verdicts.delete(key); // not a verdict: ask again next time
        throw error;
      },
    );
    verdicts.set(key, pending);
    if (verdicts.size > max) verdicts.delete(verdicts.keys().next().value!);
    return pending;
  }

  const access = {
    account: (id: string) => verdict(`account ${id}`, () => context.pm.getAccount(id)),
    settlement: (id: string) => verdict(`settlement ${id}`, () => context.pm.getSettlement(id)),
    order: (id: string) => verdict(`order ${id}`, () => context.mcs.getOrderCancellation(id)),
    /** Records a verdict learnt otherwise (the subscription already read the order). */
    grantOrder: (id: string) => void verdicts.set(`order ${id}`, Promise.resolve(true)),
    /** May the subscriber receive this event? */
    allows(event: KlarnaEvent): Promise<boolean> {
      if (hasExpired(context.caller)) return Promise.reject(new UnauthenticatedError('The token has expired. Subscribe again with a fresh one and `after`.'));
      if (!callerMaySee(context.caller, event)) return Promise.resolve(false);
      if (event.type === EVENT_TYPES.SETTLEMENT_REPORT_CREATED && event.settlementId) return access.settlement(event.settlementId);
      if (event.orderId) return access.order(event.orderId);
      if (event.accountId) return access.account(event.accountId);
      return Promise.resolve(false);
    },
  };
  return access;
}
export type Access = ReturnType<typeof createAccess>;

/**
 * The events of `source` that match and that the subscriber may read, in order. `return()` reaches the
 * source at once (unregistering the subscriber); an error ends the source and surfaces as a
 * GatewayError naming the last event delivered, to resume after.
 */
export function filterEvents(source: AsyncIterableIterator<KlarnaEvent>, accept: (event: KlarnaEvent) => boolean, access: Access): AsyncIterableIterator<KlarnaEvent> {
  let lastId: string | undefined;
  const iterator: AsyncIterableIterator<KlarnaEvent> = {
    async next() {
      try {
        for (;;) {
          const result = await source.next();
          if (result.done) return result;
          if (accept(result.value) && (await access.allows(result.value))) {
            lastId = result.value.id;
            return result;
          }
        }
      } catch (error) {
        await source.return?.();
        throw new SubscriptionInterruptedError(lastId, error instanceof GatewayError ? error.code : undefined);
      }
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
