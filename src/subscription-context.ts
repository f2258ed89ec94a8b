/**
 * Fresh contexts for every event a subscription emits (`usePerEventContext` in
 * `src/plugins/per-event-context.ts` executes each event with one).
 *
 * A subscription's context lives as long as the subscription does (graphql-js executes every event
 * with the context it subscribed with), so loaders on it would cache account state for hours. Here
 * each event is executed with a new context made by the same factory from the subscriber's headers:
 * `account { state }` in an event is read when the event is delivered, never from an earlier event.
 * That context's budget bounds the event's execution like a query's (`src/plugins/operation-budget.ts`).
 */
import type { Authentication } from './auth/authenticate.ts';
import { CONTEXT_FIELDS, type GatewayContext } from './context.ts';

type ContextFactory = (headers: Headers, signal?: AbortSignal, auth?: Authentication) => GatewayContext;

/** The context one event is executed with, and what to call once its execution is done. */
export interface EventContext<Context> {
  context: Context;
  done(): void;
}

/**
 * The context of one event: the subscription's (Yoga's `request`, `params`, ...), with every field the
 * context factory makes (principal, clients, loaders, budget, ...) taken from a new context made from
 * the subscriber's headers, on first use. An event whose selection reads nothing from Klarna (`id`,
 * `type`, ...) costs no context at all; one that reads gets fresh loaders, never an earlier event's.
 * The caller stays the one the subscription was authenticated as (its token is not verified again).
 *
 * The new context's budget is armed as it is made with the limits `useOperationBudget` left on the
 * subscription's budget: no Klarna call happens before it, so the event's calls are counted and its
 * deadline runs from its first read. `done()` releases it (stops the deadline).
 */
export function freshContextPerEvent(createContext: ContextFactory) {
  const made = new Set<PropertyKey>(CONTEXT_FIELDS);
  return (subscription: GatewayContext & { request: Request }): EventContext<GatewayContext & { request: Request }> => {
    let fresh: GatewayContext | undefined;
    const auth = { principal: subscription.principal, caller: subscription.caller };
    const context = () => {
      if (fresh) return fresh;
      fresh = createContext(subscription.request.headers, subscription.request.signal, auth);
      const limits = subscription.budget.eventLimits;
      if (limits) fresh.budget.arm(limits);
      return fresh;
    };
    return {
      context: new Proxy(subscription, {
        get: (target, key) => (made.has(key) ? Reflect.get(context(), key) : Reflect.get(target, key)),
        set: (target, key, value) => (made.has(key) ? Reflect.set(context(), key, value) : Reflect.set(target, key, value)),
      }),
      done: () => fresh?.budget.release(),
    };
  };
}
