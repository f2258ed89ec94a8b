/**
 * Contexts for work that does not arrive as an HTTP request (a WebSocket subscription, a card order
 * poll), and fresh contexts for every event a subscription emits.
 *
 * A subscription's context lives as long as the subscription does (graphql-js executes every event
 * with the context it subscribed with), so loaders on it would cache account state for hours. Here
 * each event is executed with a new context made by the same factory from the subscriber's headers:
 * `account { state }` in an event is read when the event is delivered, never from an earlier event.
 * That context's budget bounds the event's execution like a query's (`src/plugins/operation-budget.ts`).
 */
import { createSourceEventStream, execute, GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin, YogaServerInstance } from 'graphql-yoga';
import type { Authentication } from './auth/authenticate.ts';
import type { GatewayContext } from './context.ts';

/**
 * The context the gateway's context factory makes for these headers, through `yoga.getEnveloped` (so
 * every plugin's context extension applies, as for an HTTP request).
 */
export async function contextFromHeaders(
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>,
  headers: HeadersInit,
  extra: Record<PropertyKey, unknown> = {},
  signal?: AbortSignal,
): Promise<GatewayContext & Record<string, unknown>> {
  const request = new yoga.fetchAPI.Request(`http://gateway.internal${yoga.graphqlEndpoint}`, { headers, ...(signal ? { signal } : {}) });
  const { contextFactory } = yoga.getEnveloped({ ...extra, request });
  return (await contextFactory()) as unknown as GatewayContext & Record<string, unknown>;
}

/** Maps each source event to its execution; `return()` reaches the source at once. */
function mapEvents(source: AsyncIterator<unknown>, run: (payload: unknown) => Promise<ExecutionResult> | ExecutionResult): AsyncGenerator<ExecutionResult> {
  let failed = false;
  const iterator = {
    async next(): Promise<IteratorResult<ExecutionResult>> {
      if (failed) return { value: undefined, done: true };
      try {
        const result = await source.next();
        return result.done ? { value: undefined, done: true } : { value: await run(result.value), done: false };
      } catch (error) {
        // The stream broke (e.g. the subscriber fell too far behind): one last result carries the
        // error, then the subscription completes. Thrown instead, graphql-ws would close the whole
        // connection with all its other subscriptions.
        failed = true;
        const original = error instanceof Error ? error : new Error(String(error));
        return { value: { errors: [new GraphQLError(original.message, { originalError: original })] }, done: false };
      }
    },
    async return(): Promise<IteratorResult<ExecutionResult>> {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator as unknown as AsyncGenerator<ExecutionResult>;
}

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
  const made = new Set<PropertyKey>(Object.keys(createContext(new Headers())));
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

/**
 * Subscribes with graphql-js, executing each event with `fork(subscriptionContext).context` as its
 * context, and calling its `done()` once that execution is over (also when it failed).
 */
export function usePerEventContext<Context extends object>(fork: (context: Context) => EventContext<Context>): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const source = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in source)) return source;
        const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        return mapEvents(iterator, async (payload) => {
          const event = fork(args.contextValue as Context);
          try {
            return await execute({ ...args, rootValue: payload, contextValue: event.context });
          } finally {
            event.done();
          }
        });
      });
    },
  };
}
