/**
 * The lag of delivering live events to one subscriber: from an event's append to the event log (its
 * id's time) to the moment its resolver takes it. Events appended before the subscriber subscribed
 * (a replay, `after:`) are not measured: their age is not lag.
 */
import { eventIdTime, type KlarnaEvent } from './events.ts';

/** Wraps one subscriber's events: `observe(seconds)` is told each live event's lag as it is taken. */
export function measureDeliveryLag(events: AsyncIterableIterator<KlarnaEvent>, observe: (seconds: number) => void): AsyncIterableIterator<KlarnaEvent> {
  const subscribedAt = Date.now();
  const wrapped: AsyncIterableIterator<KlarnaEvent> = {
    async next() {
      const result = await events.next();
      if (!result.done) {
        const appendedAt = eventIdTime(result.value.id);
        if (appendedAt >= subscribedAt) observe(Math.max(0, Date.now() - appendedAt) / 1000);
      }
      return result;
    },
    return: () => events.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    throw: (error: unknown) => events.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  return wrapped;
}
