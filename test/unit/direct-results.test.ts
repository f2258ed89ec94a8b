/**
 * `DirectResults` (src/plugins/direct-results.ts): a graphql-ws subscription's results written to its
 * socket as `next` frames, in order, each shared result masked and serialised once; the stream envelop
 * gets yields nothing and ends with them; a socket that does not drain is interrupted with its
 * `resumeAfter`. With a recording socket and a hand-fed result stream (no timings).
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GatewayError, NotFoundError } from '../../src/errors.ts';
import { DirectResults, errorResult, sinkFor, type EventResults, type ResultSocket } from '../../src/plugins/direct-results.ts';

/** Results handed out as the test pushes them, with the event id each was of. */
class FedResults implements EventResults {
  lastEventId: string | undefined;
  returned = 0;
  private readonly queue: { eventId: string | undefined; result: IteratorResult<ExecutionResult> }[] = [];
  private waiter: ((result: IteratorResult<ExecutionResult>) => void) | undefined;

  push(eventId: string | undefined, result: IteratorResult<ExecutionResult>): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      this.lastEventId = eventId;
      waiter(result);
    } else this.queue.push({ eventId, result });
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const first = this.queue.shift();
    if (first) {
      this.lastEventId = first.eventId;
      return Promise.resolve(first.result);
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.returned += 1;
    this.waiter?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }
}

class RecordingSocket implements ResultSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly frames: unknown[] = [];
  send(data: string): void {
    this.frames.push(JSON.parse(data));
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const event = (id: string): ExecutionResult => ({ data: { paymentProductStateChanged: { id, klarnaEventId: `k-${id}` } } });

function setup(maxBufferedBytes?: number) {
  const results = new FedResults();
  const socket = new RecordingSocket();
  const masked: unknown[] = [];
  const codes: (readonly string[])[] = [];
  const maskError = (error: unknown) => {
    masked.push(error);
    const original = error instanceof GraphQLError ? error.originalError : error;
    return original instanceof GatewayError ? new GraphQLError(original.message, { extensions: { code: original.code, ...original.extensions } }) : new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
  const stream = new DirectResults(results, sinkFor(socket, 'sub-1'), { maskError, onEventErrors: (list) => void codes.push(list), ...(maxBufferedBytes ? { maxBufferedBytes } : {}) });
  return { results, socket, masked, codes, stream };
}

describe('DirectResults', () => {
  it('writes each result as the protocol core would, in order, and completes the stream envelop sees when the results end', async () => {
    const { results, socket, stream } = setup();
    const ended = stream.next();
    results.push('1-0', { value: event('1-0'), done: false });
    results.push('2-0', { value: event('2-0'), done: false });
    await settle();
    expect(socket.frames).toEqual([
      { id: 'sub-1', type: 'next', payload: event('1-0') },
      { id: 'sub-1', type: 'next', payload: event('2-0') },
    ]);
    results.push(undefined, { value: undefined, done: true });
    expect(await ended).toEqual({ value: undefined, done: true });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('masks and serialises a result shared by many subscribers once, and tells its error codes per delivery', async () => {
    const shared: ExecutionResult = { data: null, errors: [new GraphQLError('gone', { originalError: new NotFoundError('The account') })] };
    const first = setup();
    const second = setup();
    // The second subscriber's masking is never asked: the first's serialisation is on the shared result.
    first.results.push('1-0', { value: shared, done: false });
    await settle();
    second.results.push('1-0', { value: shared, done: false });
    await settle();
    expect(first.masked).toHaveLength(1);
    expect(second.masked).toHaveLength(0);
    expect(second.socket.frames).toEqual(first.socket.frames);
    expect(first.socket.frames[0]).toMatchObject({ payload: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } });
    expect([first.codes, second.codes]).toEqual([[['NOT_FOUND']], [['NOT_FOUND']]]);
  });

  it('interrupts a socket that does not drain, naming the last event it was given, and lets go of its results', async () => {
    const { results, socket, stream } = setup(1_000);
    const ended = stream.next();
    results.push('1-0', { value: event('1-0'), done: false });
    await settle();
    socket.bufferedAmount = 5_000; // the client stopped reading
    results.push('2-0', { value: event('2-0'), done: false });
    await settle();
    expect(socket.frames.at(-1)).toMatchObject({
      type: 'next',
      payload: { errors: [{ extensions: { code: 'SUBSCRIPTION_INTERRUPTED', resumeAfter: '2-0', reason: 'SUBSCRIBER_TOO_SLOW' } }] },
    });
    expect(await ended).toEqual({ value: undefined, done: true });
    expect(results.returned).toBe(1);
    results.push('3-0', { value: event('3-0'), done: false });
    await settle();
    expect(socket.frames).toHaveLength(3); // nothing after the interruption
  });

  it('ends the results at once when envelop returns the stream (the client completed, the socket closed)', async () => {
    const { results, socket, stream } = setup();
    const ended = stream.next();
    expect(await stream.return()).toEqual({ value: undefined, done: true });
    expect(await ended).toEqual({ value: undefined, done: true });
    expect(results.returned).toBe(1);
    results.push('1-0', { value: event('1-0'), done: false });
    await settle();
    expect(socket.frames).toEqual([]);
  });

  it('writes nothing to a socket that is no longer open', async () => {
    const { results, socket } = setup();
    socket.readyState = 3;
    results.push('1-0', { value: event('1-0'), done: false });
    await settle();
    expect(socket.frames).toEqual([]);
  });

  it('ends with a masked error, not a thrown one, when the results fail', async () => {
    const { socket, stream, masked } = setup();
    const failing: EventResults = { lastEventId: undefined, next: () => Promise.reject(new Error('bug')), return: () => Promise.resolve({ value: undefined, done: true }) };
    const direct = new DirectResults(failing, sinkFor(socket, 'sub-2'), { maskError: (error) => (masked.push(error), new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })) });
    expect(await direct.next()).toEqual({ value: undefined, done: true });
    expect(socket.frames).toEqual([{ id: 'sub-2', type: 'next', payload: { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } }]);
    expect(errorResult(new Error('x')).errors?.[0]?.originalError?.message).toBe('x');
    void stream.return();
  });
});
