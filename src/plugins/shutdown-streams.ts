/**
 * At shutdown, subscriptions over SSE (`Accept: text/event-stream`) end at once: their stream is
 * completed (Yoga sends its final `event: complete` and ends the response), so the client subscribes
 * again, on another replica, with `after: <last id>` and misses nothing. Otherwise an idle SSE stream
 * would hold the replica's exit until the grace ran out, while graphql-ws subscriptions are told
 * 1001 at once (`src/graphql-ws-drain.ts`). Queries and mutations in flight keep their grace.
 *
 * graphql-ws subscriptions are left alone: a `complete` there would end the client's subscription for
 * good, whereas the 1001 close makes its client reconnect and subscribe again.
 */
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/** A subscription asked over HTTP (SSE); graphql-ws's envelope requests carry no `Accept`. */
function overSse(context: unknown): boolean {
  const request = (context as { request?: Request }).request;
  return request?.headers.get('accept')?.includes('text/event-stream') ?? false;
}

/** `source`, ended (its `return()` called, then done) once `signal` aborts. */
function endedBy<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    const end = () => resolve({ done: true, value: undefined });
    if (signal.aborted) end();
    else signal.addEventListener('abort', end, { once: true });
  });
  let ended = false;
  const finish = async (): Promise<IteratorResult<T>> => {
    if (!ended) {
      ended = true;
      // The source's own cleanup (its bus subscription) starts; not awaited, as an async generator's
      // `return()` waits for its pending `next()`, which may never settle (no more events come).
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
    return { done: true, value: undefined };
  };
  return {
    async next() {
      if (ended) return { done: true, value: undefined };
      const next = await Promise.race([iterator.next(), aborted]);
      return next.done ? finish() : next;
    },
    return: finish,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

export function useShutdownOfStreams({ signal }: { signal: AbortSignal }): Plugin {
  return {
    onSubscribe({ args }) {
      if (!overSse(args.contextValue)) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(endedBy(result, signal));
        },
      };
    },
  };
}
