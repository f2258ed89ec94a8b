/**
 * Caps on open subscriptions (each holds a stream, a context and, per event, Klarna reads):
 * `MAX_SUBSCRIPTIONS_PER_PRINCIPAL` per principal on this replica, over SSE and WebSocket together
 * (here), and `MAX_SUBSCRIPTIONS_PER_CONNECTION` per WebSocket (`src/graphql-ws.ts`). One over the cap
 * is refused with `TOO_MANY_SUBSCRIPTIONS` before it is set up: no call to Klarna, no registration.
 */
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

export const TOO_MANY_SUBSCRIPTIONS = 'TOO_MANY_SUBSCRIPTIONS';

/** The refusal of one subscription over a cap (`scope`: what the cap is per, for the message). */
export function tooManySubscriptions(limit: number, scope: 'connection' | 'principal'): GraphQLError {
  const message =
    scope === 'connection'
      ? `This connection already has ${limit} open subscriptions, the most it may hold. Complete one first, or open another connection.`
      : `Your credentials already hold ${limit} open subscriptions, the most allowed. Complete one first.`;
  return new GraphQLError(message, { extensions: { code: TOO_MANY_SUBSCRIPTIONS, limit } });
}

/** A stream that calls `onEnd` once when it ends: done, failed, returned or thrown into. */
class EndsOnce<T> implements AsyncIterableIterator<T> {
  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly onEnd: () => void,
  ) {}

  next(): Promise<IteratorResult<T>> {
    return this.source.next().then(
      (result) => {
        if (result.done) this.onEnd();
        return result;
      },
      (error: unknown) => {
        this.onEnd();
        throw error;
      },
    );
  }

  return(): Promise<IteratorResult<T>> {
    this.onEnd();
    return this.source.return?.() ?? Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.onEnd();
    return this.source.throw?.(error) ?? Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Counts each principal's open subscriptions from setup to the end of the stream (completed by the
 * client, by the server, by an error, or a setup that answered without a stream).
 */
export function useSubscriptionLimit({ maxPerPrincipal }: { maxPerPrincipal: number }): Plugin {
  const open = new Map<string, number>();
  const release = (principal: string) => {
    const left = (open.get(principal) ?? 1) - 1;
    if (left > 0) open.set(principal, left);
    else open.delete(principal);
  };
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn, setResultAndStopExecution }) {
      const principal = (args.contextValue as { principal?: { hash: string } }).principal?.hash ?? 'anonymous';
      if ((open.get(principal) ?? 0) >= maxPerPrincipal) {
        setResultAndStopExecution({ errors: [tooManySubscriptions(maxPerPrincipal, 'principal')] });
        return;
      }
      open.set(principal, (open.get(principal) ?? 0) + 1);
      let released = false;
      const releaseOnce = () => {
        if (released) return;
        released = true;
        release(principal);
      };
      // A setup that throws (rather than answering with errors) never reaches the result hook. A stream
      // is released when it ends, by a small wrapper of ours rather than an `onEnd` (envelop would wrap
      // every open subscription's stream in one more iterator of closures for it).
      setSubscribeFn(async (subscribeArgs: ExecutionArgs) => {
        let result;
        try {
          result = (await subscribeFn(subscribeArgs)) as ExecutionResult | AsyncIterable<ExecutionResult>;
        } catch (error) {
          releaseOnce();
          throw error;
        }
        return isAsyncIterable(result) ? new EndsOnce(result[Symbol.asyncIterator](), releaseOnce) : result;
      });
      return {
        // An answer without a stream (refused, or stopped by a later plugin) holds no place.
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) releaseOnce();
        },
      };
    },
  };
}
