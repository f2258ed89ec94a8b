/**
 * Hands appended events to a replica's local subscribers, after the append and never inside it: the
 * webhook that appended an event is answered without waiting for any delivery (Klarna retries what is
 * not answered in time, and each retry costs a dedupe and more load).
 *
 * Contract:
 * - `enqueue` returns at once; the first delivery happens on a later turn of the event loop
 *   (`setImmediate`), so the append's caller (the ingress) finishes its answer first.
 * - Events are delivered one after the other, in the order enqueued, each to every target in `batchSize`
 *   steps with a `setImmediate` between two steps: 10,000 subscribers never hold the event loop in one
 *   go, so webhooks, `/metrics` and the sockets' writes are served in between.
 * - `deliver` must not block: a subscriber's own queue (`Channel`, bounded) takes the event; a subscriber
 *   over its bound is ended there (SUBSCRIPTION_INTERRUPTED with its `resumeAfter`), never waited for.
 * - Targets added or removed during a delivery are fine: the `Set`'s iterator is live; a target added
 *   late decides itself (its `lastId`) whether an event is new to it.
 * - `observe` (if given) is told each event once, before any target is handed it, whether there are
 *   targets or not (what the replica keeps about an event's subject is dropped there); it must not throw.
 */
import type { KlarnaEvent } from './events.ts';

/**
 * Subscribers handed an event between two yields to the event loop. Each costs ~30 µs once its result is
 * written (most of it the socket write), so 64 make a turn of ~2 ms: a webhook arriving meanwhile, and
 * each of its Redis round trips, waits at most that long. With 256 (~8 ms a turn), the 202 of a webhook
 * during a fan-out to 5,000 took p50/p99 15/66 ms in memory and p50 54 ms through Redis; with 64,
 * 11/30 and 29 ms (`npm run bench -- fanout --subscribers 5000 --selection ids --redis --before DIR`).
 */
export const DEFAULT_FANOUT_BATCH = 64;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface Fanout {
  /** Queues an event for delivery to every target; returns at once. */
  enqueue(event: KlarnaEvent): void;
  /** Resolves once every queued event was handed to every target (at once when none is queued). */
  idle(): Promise<void>;
}

export interface FanoutOptions {
  batchSize?: number;
  observe?: (event: KlarnaEvent) => void;
}

export function createFanout<T>(targets: Set<T>, deliver: (target: T, event: KlarnaEvent) => void, { batchSize = DEFAULT_FANOUT_BATCH, observe }: FanoutOptions = {}): Fanout {
  const queue: KlarnaEvent[] = [];
  let running: Promise<void> | undefined;

  async function drain(): Promise<void> {
    try {
      await nextTurn();
      for (let event = queue.shift(); event; event = queue.shift()) {
        observe?.(event);
        let handed = 0;
        for (const target of targets) {
          deliver(target, event);
          handed += 1;
          if (handed % batchSize === 0) await nextTurn();
        }
      }
    } finally {
      // Synchronous with the loop's last check of `queue`: an `enqueue` after this starts a new drain.
      running = undefined;
    }
  }

  return {
    enqueue(event) {
      queue.push(event);
      running ??= drain();
    },
    idle: () => running ?? Promise.resolve(),
  };
}
