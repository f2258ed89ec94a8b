/**
 * Who may subscribe, and which events a subscriber receives.
 *
 * Klarna is the judge of both, with the subscriber's own credentials:
 * - credentials are checked when a subscription opens (and when a WebSocket connects) by one read
 *   that needs valid credentials (the payment profiles, its verdict kept per principal like the others);
 * - an event reaches a subscriber only if Klarna lets the subscriber read what it is about: the
 *   account (account events), the settlement (settlement events) or the order's cancellation (card
 *   order events). Each verdict is kept per principal for a short while (`access-verdicts.ts`), so
 *   the principal's other subscriptions, opening or receiving, ask no more.
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
import type { AccessVerdicts } from './access-verdicts.ts';
import type { SchemaContext } from './context.ts';
import { ForbiddenError, GatewayError, SubscriptionInterruptedError, UnauthenticatedError } from '../errors.ts';
import { EVENT_TYPES, type KlarnaEvent } from '../webhooks/events.ts';

/**
 * Throws UNAUTHENTICATED (or another GatewayError) unless Klarna accepts the context's credentials.
 * A token caller was verified already, and Klarna would only judge the gateway's own key.
 */
export async function assertSubscriber(context: SchemaContext): Promise<void> {
  if (context.caller.kind === 'token') return;
  // Kept with the principal's verdicts rather than through the context's loaders: a subscription's
  // context lives as long as it does, and loaders made on it would too.
  const read = () => context.pm.listPaymentProfiles();
  if (!(await context.accessVerdicts.verdict(context.principal.hash, 'credentials', read))) {
    throw new ForbiddenError('Klarna does not allow these credentials to read live events.');
  }
}

type Subject = 'account' | 'settlement' | 'order';

/** The object whose verdict decides whether a subscriber receives `event`; undefined: none does (it is not received). */
function subjectOf(event: KlarnaEvent): Subject | undefined {
  if (event.type === EVENT_TYPES.SETTLEMENT_REPORT_CREATED && event.settlementId) return 'settlement';
  if (event.orderId) return 'order';
  return event.accountId ? 'account' : undefined;
}

const subjectId = (event: KlarnaEvent, subject: Subject): string => (subject === 'settlement' ? event.settlementId! : subject === 'order' ? event.orderId! : event.accountId!);

/** The gateway's own rule: may this caller's token see this event at all (before Klarna is asked)? */
export function callerMaySee(caller: Caller, event: KlarnaEvent): boolean {
  if (hasAllAccounts(caller)) return true;
  const partnerWide = event.type === EVENT_TYPES.SETTLEMENT_REPORT_CREATED || event.orderId !== undefined;
  return !partnerWide && event.accountId !== undefined && mayTouchAccount(caller, event.accountId);
}

/** Events after which no verdict on their account is trusted: its state changed (operational, terminated, ...). */
const changesAccess = (event: KlarnaEvent): boolean => event.type.startsWith('partner.account.state-change.');

/**
 * What a replica does with every event it reads (the event service's `onEvent`): one that changes
 * access drops every principal's verdicts on its account, before any subscriber hears of it, whether
 * this replica serves subscribers or not (a subscription opening next asks Klarna again).
 */
export function forgetChangedAccess(verdicts: AccessVerdicts): (event: KlarnaEvent) => void {
  return (event) => {
    if (event.accountId && changesAccess(event)) verdicts.forgetAccount(event.accountId);
  };
}

/**
 * The subscriber's verdicts, per object: Klarna's, kept per principal for a short while
 * (`src/schema/access-verdicts.ts`: shared by all of the principal's subscriptions, dropped at its
 * 401/403 and when the account's state changes), so neither a subscription's opening nor its events
 * cost a call per subscriber.
 */
export class Access {
  private readonly verdicts: AccessVerdicts;
  private readonly caller: Caller;
  private readonly principal: string;
  private readonly pm: SchemaContext['pm'];
  private readonly mcs: SchemaContext['mcs'];

  // What it needs of the context, not the context: an open subscription keeps its Access, and nothing
  // keyed by the subscribe-time context (Pothos's per-request caches) should live as long.
  // The REST clients directly, not the loaders: the subscription's loaders would keep every object
  // they read for as long as the subscription lives, and only the verdict is wanted.
  constructor(context: SchemaContext) {
    this.verdicts = context.accessVerdicts;
    this.caller = context.caller;
    this.principal = context.principal.hash;
    this.pm = context.pm;
    this.mcs = context.mcs;
  }

  account(id: string): Promise<boolean> {
    return this.verdicts.verdict(this.principal, `account ${id}`, () => this.pm.getAccount(id));
  }

  settlement(id: string): Promise<boolean> {
    return this.verdicts.verdict(this.principal, `settlement ${id}`, () => this.pm.getSettlement(id));
  }

  order(id: string): Promise<boolean> {
    return this.verdicts.verdict(this.principal, `order ${id}`, () => this.mcs.getOrderCancellation(id));
  }

  /** Records a verdict learnt otherwise (the subscription already read the order). */
  grantOrder(id: string): void {
    this.verdicts.grant(this.principal, `order ${id}`);
  }

  /** Klarna's verdict on an event `allowsNow` left open: read now, or joined while another subscriber reads it. */
  readVerdict(event: KlarnaEvent): Promise<boolean> {
    const subject = subjectOf(event)!; // without one, `allowsNow` said false
    return this[subject](subjectId(event, subject));
  }

  /**
   * May the subscriber receive this event? Answered at once when no Klarna read is needed (the
   * gateway's own rules, or a verdict already kept); `undefined` otherwise (ask `readVerdict`).
   * Throws UNAUTHENTICATED once the token has expired.
   */
  allowsNow(event: KlarnaEvent): boolean | undefined {
    if (hasExpired(this.caller)) throw new UnauthenticatedError('The token has expired. Subscribe again with a fresh one and `after`.');
    if (!callerMaySee(this.caller, event)) return false;
    const subject = subjectOf(event);
    return subject ? this.verdicts.known(this.principal, `${subject} ${subjectId(event, subject)}`) : false;
  }
}

export function createAccess(context: SchemaContext): Access {
  return new Access(context);
}


/** `filterEvents`: a class, not an object of closures (an idle subscription holds one small instance). */
class FilteredEvents implements AsyncIterableIterator<KlarnaEvent> {
  private lastId: string | undefined;

  constructor(
    private readonly source: AsyncIterableIterator<KlarnaEvent>,
    private readonly accept: (event: KlarnaEvent) => boolean,
    private readonly access: Access,
  ) {}

  // Not an async function: an idle subscription waits with one pending `then` (one reaction, both
  // callbacks in it), not a suspended frame. Events skipped (not matching, not allowed) pass the same
  // resolve along, so no chain of promises grows however many are skipped.
  next(): Promise<IteratorResult<KlarnaEvent>> {
    return new Promise((resolve, reject) => this.pull(resolve, reject));
  }

  private pull(resolve: (result: IteratorResult<KlarnaEvent>) => void, reject: (error: unknown) => void): void {
    this.source.next().then(
      (result) => this.take(result, resolve, reject),
      (error: unknown) => this.interrupt(error, reject),
    );
  }

  private take(result: IteratorResult<KlarnaEvent>, resolve: (result: IteratorResult<KlarnaEvent>) => void, reject: (error: unknown) => void): void {
    if (result.done) return resolve(result);
    const event = result.value;
    let allowed: Promise<boolean>;
    try {
      if (!this.accept(event)) return this.pull(resolve, reject);
      // Most events are decided by a kept verdict: taken at once, without a promise per subscriber.
      const now = this.access.allowsNow(event);
      if (now === false) return this.pull(resolve, reject);
      if (now === true) {
        this.lastId = event.id;
        return resolve(result);
      }
      allowed = this.access.readVerdict(event);
    } catch (error) {
      return this.interrupt(error, reject);
    }
    allowed.then(
      (allows) => {
        if (!allows) return this.pull(resolve, reject);
        this.lastId = event.id;
        resolve(result);
      },
      (error: unknown) => this.interrupt(error, reject),
    );
  }

  /** The source is ended first (unregistered), then the subscriber told where to resume. */
  private interrupt(error: unknown, reject: (error: unknown) => void): void {
    const interrupted = new SubscriptionInterruptedError(this.lastId, error instanceof GatewayError ? error.code : undefined);
    Promise.resolve(this.source.return?.()).then(() => reject(interrupted), () => reject(interrupted));
  }

  async return(): Promise<IteratorResult<KlarnaEvent>> {
    await this.source.return?.();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * The events of `source` that match and that the subscriber may read, in order. `return()` reaches the
 * source at once (unregistering the subscriber); an error ends the source and surfaces as a
 * GatewayError naming the last event delivered, to resume after.
 */
export function filterEvents(source: AsyncIterableIterator<KlarnaEvent>, accept: (event: KlarnaEvent) => boolean, access: Access): AsyncIterableIterator<KlarnaEvent> {
  return new FilteredEvents(source, accept, access);
}
