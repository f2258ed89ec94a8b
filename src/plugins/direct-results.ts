/**
 * A graphql-ws subscription's results written straight to its socket, past envelop's per-result hooks
 * and the protocol core's loop. Both wrapped every result of every subscriber in promises and closures
 * (yoga's error masking, the outcome's event hook, the core's `for await` and its `next` message): an
 * allocation profile over 100,000 deliveries put ~70% of a delivery's garbage there, and at 10,000
 * subscribers an event then took seconds to reach the last one.
 *
 * What those hooks did is done here instead, once per result that subscribers share (one execution per
 * principal and selection per event, `src/subscription-context.ts`): errors masked with the gateway's
 * `maskError` (as Yoga's masking calls it) and the result serialised once; each delivery then tells its
 * errors' codes (`onEventErrors`, as the outcome's hook did) and writes one frame.
 *
 * Contract:
 * - each result is written in order, as the protocol core writes a `next` message:
 *   `{"id":<id>,"type":"next","payload":<result>}`;
 * - the stream handed back to envelop (and so to the core) yields nothing: it completes when the
 *   results end (the core then sends `complete`), and its `return()` (the client's `complete`, the
 *   socket closing) ends them at once;
 * - a socket holding more than `maxBufferedBytes` unsent (a client that does not read) is not waited
 *   for: its stream ends with SUBSCRIPTION_INTERRUPTED naming the last event it was given
 *   (`resumeAfter`), as the bus ends a subscriber that falls too far behind;
 * - a result that cannot be written (a bug) ends the stream with a masked error, not the socket.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import { errorCodeOf, SubscriptionInterruptedError } from '../errors.ts';
import { objectSlot } from '../object-slots.ts';

/** A result carrying `error` alone, as a stream's last (GraphQL's own errors as they are, others wrapped to be masked). */
export function errorResult(error: unknown): ExecutionResult {
  if (error instanceof GraphQLError) return { errors: [error] };
  const original = error instanceof Error ? error : new Error(String(error));
  return { errors: [new GraphQLError(original.message, { originalError: original })] };
}

/** What of a `ws` WebSocket the results are written to. */
export interface ResultSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
}

/** Where one subscription's results go: its socket, and the start of its `next` frames (its id in it). */
export interface ResultSink {
  readonly socket: ResultSocket;
  /** `{"id":<id>,"type":"next","payload":` */
  readonly framePrefix: string;
}

export const sinkFor = (socket: ResultSocket, id: string): ResultSink => ({ socket, framePrefix: `{"id":${JSON.stringify(id)},"type":"next","payload":` });

/** Set by the graphql-ws adapter on a subscription's context: its results are written there. */
export const resultSinks = objectSlot<ResultSink>('graphql-ws result sink');

export interface DirectResultOptions {
  /** The gateway's error masking (what Yoga's masking applies to every error it passes). */
  maskError: (error: unknown) => Error;
  /** Told each delivered result's error codes, one per error (the outcome's event observers). */
  onEventErrors?: ((codes: readonly string[]) => void) | undefined;
  /** Unsent bytes a socket may hold before its subscription is interrupted (default 1 MiB). */
  maxBufferedBytes?: number;
}

/** The results a subscription's stream yields, and the id of the event the last one was of. */
export interface EventResults extends AsyncIterator<ExecutionResult> {
  readonly lastEventId: string | undefined;
}

const OPEN = 1; // WebSocket.OPEN
const DONE: IteratorResult<ExecutionResult> = { value: undefined, done: true };
const NO_CODES: readonly string[] = [];

/** A shared result as written: its masked JSON and its errors' codes, made once per result object. */
interface Written {
  json: string;
  codes: readonly string[];
}
const written = objectSlot<Written>('result as written');

function writtenOf(result: ExecutionResult, maskError: DirectResultOptions['maskError']): Written {
  let known = written.get(result);
  if (!known) {
    const errors = result.errors?.map((error) => maskError(error));
    known = {
      json: JSON.stringify(errors ? { ...result, errors } : result),
      codes: errors ? errors.map((error) => errorCodeOf(error)) : NO_CODES,
    };
    written.set(result, known);
  }
  return known;
}

/**
 * Pumps `results` into `sink` from the moment it is made; is itself the (empty) stream envelop gets.
 * One per subscription: its two callbacks are bound once, so a delivery makes no closure.
 */
export class DirectResults implements AsyncIterableIterator<ExecutionResult> {
  private ended = false;
  /** The core's pending `next()`, answered when the results end. */
  private waiter: ((result: IteratorResult<ExecutionResult>) => void) | undefined;

  constructor(
    private readonly results: EventResults,
    private readonly sink: ResultSink,
    private readonly options: DirectResultOptions,
  ) {
    this.pull();
  }

  private pull(): void {
    this.results.next().then(this.take, this.fail);
  }

  private readonly take = (result: IteratorResult<ExecutionResult>): void => {
    if (this.ended) return;
    if (result.done) return this.end();
    const { socket } = this.sink;
    try {
      this.write(result.value);
      if (socket.bufferedAmount > (this.options.maxBufferedBytes ?? 1024 * 1024)) {
        this.write(errorResult(new SubscriptionInterruptedError(this.results.lastEventId, 'SUBSCRIBER_TOO_SLOW')));
        return this.stopQuietly();
      }
    } catch (error) {
      return this.fail(error);
    }
    this.pull();
  };

  /** Not expected (the results report their own failures as a last result): a bug, masked; never thrown on. */
  private readonly fail = (error: unknown): void => {
    if (this.ended) return;
    try {
      this.write(errorResult(error));
    } catch {
      // Nothing more can be said on this socket; the stream still ends.
    }
    this.stopQuietly();
  };

  private write(result: ExecutionResult): void {
    const { json, codes } = writtenOf(result, this.options.maskError);
    if (codes.length) this.options.onEventErrors?.(codes);
    const { socket, framePrefix } = this.sink;
    if (socket.readyState === OPEN) socket.send(`${framePrefix}${json}}`);
  }

  /** The results end (the core is told: it sends `complete`). */
  private end(): void {
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(DONE);
  }

  /** Ends the results early (unregistering the subscriber), then the stream. */
  private async stop(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.ended) {
      this.end();
      await this.results.return?.();
    }
    return DONE;
  }

  private stopQuietly(): void {
    this.stop().catch(() => undefined);
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    return this.stop();
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.stop();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
