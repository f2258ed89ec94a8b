/**
 * Executes each event of a subscription with its own context (`freshContextPerEvent` in
 * `src/subscription-context.ts`): a subscription's context lives as long as it does, so its loaders
 * would otherwise cache Klarna's state from the first event for hours.
 */
import { createSourceEventStream, execute, GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { EventContext } from '../subscription-context.ts';

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
