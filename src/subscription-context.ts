/**
 * The contexts subscription events are executed with (`usePerEventContext` in
 * `src/plugins/per-event-context.ts` asks for them), shared per event and per principal.
 *
 * A subscription's context lives as long as the subscription does (graphql-js executes every event
 * with the context it subscribed with), so loaders on it would cache account state for hours. Each
 * event is executed instead with a context made for that event by the same factory: `account { state }`
 * in an event is read when the event is delivered, never from an earlier event.
 *
 * One event reaches many subscribers. Those that may see the same things (the same principal, the same
 * caller role and accounts, the same client name) share ONE such context for that event, so `account`,
 * `product`, `settlement`, `decision` and `order` cost one Klarna call per principal per event however
 * many subscribe; and an identical selection (same document, operation and variables) of the same
 * sharers is executed once, its result given to each. Nothing is ever shared across principals or
 * caller scopes: the share key holds both. A token's expiry is not in the key (every device has its
 * own token); each subscriber's own expiry is checked before it is given an event
 * (`src/schema/subscription-access.ts`).
 *
 * What is shared is kept for `ttlMs` after the event was first executed (subscribers pull events at
 * their own pace; one that pulls later still gets the shared answer, at most that old), for at most
 * `maxEvents` events. The shared context's budget is armed with the limits `useOperationBudget` left
 * on the subscription's budget: one call count and one deadline for all of that event's executions
 * for those sharers, released once none of them runs (a selection executed after that keeps the
 * shared loaders and the call count, without the deadline).
 */
import type { ExecutionResult } from 'graphql';
import type { Authentication } from './auth/authenticate.ts';
import type { Caller } from './auth/caller.ts';
import { CONTEXT_FIELDS, type GatewayContext } from './context.ts';
import type { SignalledRequest } from './operation-budget.ts';

type ContextFactory = (headers: Headers, request?: SignalledRequest, auth?: Authentication) => GatewayContext;
type SubscriptionContext = GatewayContext & { request: Request };

/** Executes one event for one subscriber: `execute` runs with the event's context, or an earlier run's result is reused. */
export type EventRunner<Context> = (eventId: string | undefined, selection: string, execute: (context: Context) => Promise<ExecutionResult> | ExecutionResult) => Promise<ExecutionResult>;

/** What the sharers of one event hold: the context (made on first use) and each selection's execution. */
interface Shared {
  context: SubscriptionContext | undefined;
  /** Stops the shared budget's deadline (nothing when no context was made). */
  release: () => void;
  results: Map<string, Promise<ExecutionResult>>;
  running: number;
}

/** Who may share an event's context: the principal, the caller's kind, role and accounts, and the client name. */
function shareKeyOf(subscription: SubscriptionContext): string {
  const caller: Caller = subscription.caller;
  const accounts = caller.accounts === '*' ? '*' : [...caller.accounts].sort().join(',');
  const client = subscription.request.headers.get('x-client-name') ?? '';
  return `${subscription.principal.hash}\u0000${caller.kind}\u0000${caller.role}\u0000${accounts}\u0000${client}`;
}

export interface SharingOptions {
  /** How long an event's shared context and results are kept after its first execution. */
  ttlMs?: number;
  /** At most this many events are remembered (the oldest dropped first). */
  maxEvents?: number;
  now?: () => number;
}

/**
 * Made once per gateway. `runnerFor(subscription)` is called when a subscription opens and gives the
 * function its events are executed with; it holds no more than the share key and the subscription.
 */
export function sharedContextPerEvent(createContext: ContextFactory, { ttlMs = 5_000, maxEvents = 1_000, now = Date.now }: SharingOptions = {}) {
  const made = new Set<PropertyKey>(CONTEXT_FIELDS);
  // Event id → when it was first executed, and its sharers by share key. In insertion order, so the
  // oldest events are at the front; dropped as later events arrive.
  const events = new Map<string, { at: number; sharers: Map<string, Shared> }>();

  function sharersOf(eventId: string): Map<string, Shared> {
    const known = events.get(eventId);
    if (known) return known.sharers;
    const at = now();
    for (const [id, event] of events) {
      if (events.size < maxEvents && event.at > at - ttlMs) break;
      events.delete(id);
    }
    const sharers = new Map<string, Shared>();
    events.set(eventId, { at, sharers });
    return sharers;
  }

  /**
   * The context of one event for one set of sharers: the subscription's (Yoga's `request`, `params`,
   * ...), with every field the context factory makes taken from a context made for the event, on first
   * use (an event whose selection reads nothing from Klarna costs none). That context is made from
   * the client name alone (no subscriber's request id, no subscriber's socket signal: a subscriber
   * that leaves does not cancel the others' reads), as the caller the subscription was authenticated
   * as (its token is not verified again).
   */
  function eventContext(subscription: SubscriptionContext, shared: Shared): SubscriptionContext {
    let fresh: GatewayContext | undefined;
    const auth = { principal: subscription.principal, caller: subscription.caller };
    const context = () => {
      if (fresh) return fresh;
      const headers = new Headers();
      const client = subscription.request.headers.get('x-client-name');
      if (client) headers.set('x-client-name', client);
      fresh = createContext(headers, undefined, auth);
      const limits = subscription.budget.eventLimits;
      if (limits) fresh.budget.arm(limits);
      return fresh;
    };
    shared.release = () => fresh?.budget.release();
    return new Proxy(subscription, {
      get: (target, key) => (made.has(key) ? Reflect.get(context(), key) : Reflect.get(target, key)),
      set: (target, key, value) => (made.has(key) ? Reflect.set(context(), key, value) : Reflect.set(target, key, value)),
    });
  }

  async function run(shared: Shared, execute: (context: SubscriptionContext) => Promise<ExecutionResult> | ExecutionResult): Promise<ExecutionResult> {
    shared.running += 1;
    try {
      return await execute(shared.context!);
    } finally {
      shared.running -= 1;
      if (!shared.running) shared.release();
    }
  }

  return {
    runnerFor(subscription: SubscriptionContext): EventRunner<SubscriptionContext> {
      let shareKey: string | undefined; // made at the first event: an idle subscription holds no key
      return (eventId, selection, execute) => {
        shareKey ??= shareKeyOf(subscription);
        // No event id: nothing to share by; the event gets a context of its own.
        const sharers = eventId === undefined ? new Map<string, Shared>() : sharersOf(eventId);
        let shared = sharers.get(shareKey);
        if (!shared) sharers.set(shareKey, (shared = { context: undefined, release: () => undefined, results: new Map(), running: 0 }));
        let result = shared.results.get(selection);
        if (!result) {
          shared.context ??= eventContext(subscription, shared);
          result = run(shared, execute);
          shared.results.set(selection, result);
        }
        return result;
      };
    },
    /** Events remembered now (for tests). */
    size: () => events.size,
  };
}
export type EventSharing = ReturnType<typeof sharedContextPerEvent>;
