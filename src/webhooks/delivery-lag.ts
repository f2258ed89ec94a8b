/**
 * The lag of delivering live events to one subscriber: from an event's append to the event log (its
 * id's time) to the moment its resolver takes it. Events appended before the subscriber subscribed
 * (a replay, `after:`) are not measured: their age is not lag.
 */
import { eventIdTime, type KlarnaEvent } from './events.ts';

/**
 * One subscriber's events, each live one's lag told to `observe` as it is taken. A class, not an object
 * of closures: an idle subscriber holds one small instance (no closures, no per-instance method names)
 * and, while it waits, one pending `then` rather than a suspended async function.
 */
class LagMeasured implements AsyncIterableIterator<KlarnaEvent> {
  private readonly subscribedAt = Date.now();

  constructor(
    private readonly events: AsyncIterableIterator<KlarnaEvent>,
    private readonly observe: (seconds: number) => void,
  ) {}

  next(): Promise<IteratorResult<KlarnaEvent>> {
    return this.events.next().then(this.measured);
  }

  /** Made once per subscriber, not a closure per event. */
  private readonly measured = (result: IteratorResult<KlarnaEvent>): IteratorResult<KlarnaEvent> => {
    if (!result.done) {
      const appendedAt = eventIdTime(result.value.id);
      if (appendedAt >= this.subscribedAt) this.observe(Math.max(0, Date.now() - appendedAt) / 1000);
    }
    return result;
  };

  return(): Promise<IteratorResult<KlarnaEvent>> {
    return this.events.return?.() ?? Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<KlarnaEvent>> {
    return this.events.throw?.(error) ?? Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Wraps one subscriber's events: `observe(seconds)` is told each live event's lag as it is taken. */
export function measureDeliveryLag(events: AsyncIterableIterator<KlarnaEvent>, observe: (seconds: number) => void): AsyncIterableIterator<KlarnaEvent> {
  return new LagMeasured(events, observe);
}
