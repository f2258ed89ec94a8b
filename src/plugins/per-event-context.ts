/**
 * Executes each event of a subscription with a context made for that event (`sharedContextPerEvent` in
 * `src/subscription-context.ts`): a subscription's context lives as long as it does, so its loaders
 * would otherwise cache Klarna's state from the first event for hours. Subscribers of one principal
 * share that context, and the result of an identical selection, per event.
 */
import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { EventRunner } from '../subscription-context.ts';
import { DirectResults, errorResult, resultSinks, type DirectResultOptions, type EventResults } from './direct-results.ts';

const DONE: IteratorResult<ExecutionResult> = { value: undefined, done: true };
const asValue = (value: ExecutionResult): IteratorResult<ExecutionResult> => ({ value, done: false });

/**
 * Maps each source event to its execution through the subscription's runner; `return()` reaches the
 * source at once. A class, not an object of closures: an idle subscription holds one small instance
 * (what an execution needs is in its fields) and, while it waits, one pending `then` rather than a
 * suspended async function.
 */
class MappedEvents implements AsyncIterableIterator<ExecutionResult>, EventResults {
  private failed = false;
  /** The id of the event whose result was made last (where a subscriber interrupted later resumes). */
  lastEventId: string | undefined;
  /** What tells this subscription's executions apart: made at the first event (an idle subscription holds no key). */
  private selection: string | undefined;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly runner: EventRunner<unknown>,
    private readonly args: ExecutionArgs,
  ) {}

  private run(payload: unknown): Promise<ExecutionResult> {
    const { schema, document, operationName, variableValues, fieldResolver, typeResolver } = this.args;
    const eventId = eventIdOf(payload);
    this.lastEventId = eventId;
    return this.runner(eventId, (this.selection ??= selectionOf(this.args)), (contextValue) =>
      execute({ schema, document, operationName, variableValues, fieldResolver, typeResolver, rootValue: payload, contextValue }),
    );
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.failed) return Promise.resolve(DONE);
    return this.source.next().then(
      (result) => (result.done ? DONE : this.run(result.value).then(asValue)),
      (error: unknown) => {
        // The stream broke (e.g. the subscriber fell too far behind): one last result carries the
        // error, then the subscription completes. Thrown instead, graphql-ws would close the whole
        // connection with all its other subscriptions.
        this.failed = true;
        return { value: errorResult(error), done: false };
      },
    );
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The id of an event payload (a bus event's log position), by which its executions are shared. */
function eventIdOf(payload: unknown): string | undefined {
  const id = typeof payload === 'object' && payload !== null ? (payload as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

// Documents without their source (none from Yoga's parser) are told apart by identity.
const documentIds = new WeakMap<DocumentNode, string>();
let documents = 0;

/** What makes two subscriptions' executions of one event identical, besides who they are: document, operation, variables. */
function selectionOf(args: ExecutionArgs): string {
  let document = args.document.loc?.source.body;
  if (document === undefined) {
    document = documentIds.get(args.document);
    if (document === undefined) documentIds.set(args.document, (document = `#${(documents += 1)}`));
  }
  return `${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${document}`;
}

/**
 * Subscribes with graphql-js, executing each event through `runnerFor(subscriptionContext)`, made once
 * per subscription (`sharedContextPerEvent`): an event is executed with the context it gives, or the
 * result of an identical execution for the same sharers is reused.
 *
 * A subscription whose context has a result sink (`resultSinks`: the graphql-ws adapter sets one) has
 * its results written there (`DirectResults`, with `direct`'s masking and error observers); envelop
 * and the protocol core then see one stream that ends when the results do. Without one (SSE), the
 * results go through envelop as any stream does.
 */
export function usePerEventContext<Context extends object>(sharing: { runnerFor(context: Context): EventRunner<Context> }, direct?: DirectResultOptions): Plugin {
  // One function for every subscription (envelop keeps the one set for as long as the subscription runs).
  const subscribe = async (args: ExecutionArgs) => {
    // The subscribe resolvers see a copy of the context: what is cached per context while they run
    // (Pothos keys its per-request caches by the context object, ~1.7 KB) goes with the copy, not with
    // the context an open subscription keeps. A copy, not a child (`Object.create`): an object made
    // a prototype gets a map of its own in V8 (~0.5 KB), for as long as the subscription lives.
    const source = await createSourceEventStream({ ...args, contextValue: { ...(args.contextValue as object) } });
    if (!(Symbol.asyncIterator in source)) return source;
    const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const results = new MappedEvents(iterator, sharing.runnerFor(args.contextValue as Context) as EventRunner<unknown>, args);
    const sink = direct && resultSinks.get(args.contextValue as object);
    return sink ? new DirectResults(results, sink, direct) : results;
  };
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe);
    },
  };
}
