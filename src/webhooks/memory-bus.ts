/**
 * The event bus, in process: one replica, events kept in memory (lost on restart). Also the interface
 * both buses implement (the Redis one is in `redis-bus.ts`).
 *
 * Retention: at most `retentionCount` events, none older than `retentionMs`; a subscriber with
 * `after` first receives the retained events after that id, in order, then live ones, with no gap and
 * no duplicate between the two.
 *
 * An append returns once the event is in the log; delivery to the subscribers follows on later turns
 * of the event loop, in batches (`fanout.ts`), so the webhook that appended it is answered first.
 */
import { Channel } from './channel.ts';
import { createMemoryClaims, type Claims } from './claims.ts';
import { compareEventIds, eventIdTime, type EventFacts, type KlarnaEvent } from './events.ts';
import { createFanout, type FanoutOptions } from './fanout.ts';

export interface SubscribeOptions {
  /** Replay the retained events after this id first (a client resuming after a disconnect). */
  after?: string;
}

export interface EventBus {
  /** Appends an event to the log; resolves with its id once it is durable (memory: at once). */
  publish(facts: EventFacts): Promise<string>;
  /**
   * Appends an event unless one was appended under `dedupeKey` in the last `ttlMs`: its id, or
   * `undefined` for a duplicate (nothing appended). Appending and remembering the key are one step:
   * when this throws, the key was not remembered, so a retry of the same event is appended then.
   */
  publishOnce(dedupeKey: string, ttlMs: number, facts: EventFacts): Promise<string | undefined>;
  /**
   * Whether an event was appended under `dedupeKey` (within its `ttlMs`). Only a hint, read before the
   * work that precedes an append (a duplicate skips it); `publishOnce` alone decides.
   */
  published(dedupeKey: string): Promise<boolean>;
  /** The events after `after` (if given) then every new one, in log order, until `return()`. */
  subscribe(options?: SubscribeOptions): AsyncIterableIterator<KlarnaEvent>;
  /** How many subscriptions this replica is serving now. */
  subscribers(): number;
  /** Ends every subscription (they complete) and stops. */
  close(): Promise<void>;
}

export interface RetentionOptions {
  retentionCount: number;
  retentionMs: number;
  /**
   * A subscriber this many events behind is ended (see `Channel`; it surfaces as SUBSCRIPTION_INTERRUPTED
   * with its `resumeAfter`); default: the retention count, so it can always resume from the log.
   */
  maxQueuedPerSubscriber?: number;
  /** Subscribers handed an event between two yields to the event loop (`fanout.ts`). */
  fanoutBatchSize?: number;
  /**
   * Told every event this replica reads (its own appends, and with Redis every replica's), once, before
   * any local subscriber is handed it, with or without subscribers (`fanout.ts`); must not throw.
   */
  onEvent?: (event: KlarnaEvent) => void;
  now?: () => number;
}

export interface MemoryBusOptions extends RetentionOptions {
  /** The keys `publishOnce` remembers (default: an LRU of 100,000). */
  seen?: Claims;
}

/** One subscription: its queue, and the last event it was given (anything at or before it is not new to it). */
interface Subscriber {
  channel: Channel<KlarnaEvent>;
  lastId: string | undefined;
}

/** The fan-out's settings from a bus's (only those given: `exactOptionalPropertyTypes`). */
export function fanoutOptions({ fanoutBatchSize, onEvent }: RetentionOptions): FanoutOptions {
  return { ...(fanoutBatchSize === undefined ? {} : { batchSize: fanoutBatchSize }), ...(onEvent ? { observe: onEvent } : {}) };
}

/** Gives `event` to `subscriber` unless it had it (a replay and the fan-out can both offer it). */
export function deliverOnce(subscriber: Subscriber, event: KlarnaEvent): void {
  if (subscriber.lastId !== undefined && compareEventIds(event.id, subscriber.lastId) <= 0) return;
  subscriber.lastId = event.id;
  subscriber.channel.push(event);
}

export function createMemoryBus(options: MemoryBusOptions): EventBus {
  const { retentionCount, retentionMs, maxQueuedPerSubscriber = retentionCount, now = Date.now, seen = createMemoryClaims() } = options;
  // Oldest first; trimmed from the front. `start` avoids shifting the array on every publish.
  let log: KlarnaEvent[] = [];
  let start = 0;
  let lastMs = 0;
  let sequence = 0;
  /** The newest id appended (trimming never forgets it): a new subscriber without `after` starts after it. */
  let newest: string | undefined;
  const subscribers = new Set<Subscriber>();
  const fanout = createFanout(subscribers, deliverOnce, fanoutOptions(options));

  /** Ids in the Redis stream form: the time, and a sequence within the millisecond (monotonic). */
  function nextId(): string {
    const ms = Math.max(now(), lastMs);
    sequence = ms === lastMs ? sequence + 1 : 0;
    lastMs = ms;
    return `${ms}-${sequence}`;
  }

  function trim(): void {
    const oldest = now() - retentionMs;
    while (start < log.length && (log.length - start > retentionCount || eventIdTime(log[start]!.id) < oldest)) start += 1;
    if (start > 1_024 && start * 2 > log.length) {
      log = log.slice(start);
      start = 0;
    }
  }

  function publish(facts: EventFacts): string {
    const event: KlarnaEvent = { ...facts, id: nextId() };
    log.push(event);
    newest = event.id;
    trim();
    fanout.enqueue(event);
    return event.id;
  }

  return {
    publish: async (facts) => publish(facts),

    // Claim, append, and give the claim back should the append throw: in one process the two cannot
    // fail apart (the Redis bus needs a script for that).
    async publishOnce(dedupeKey, ttlMs, facts) {
      if (!(await seen.claim(dedupeKey, ttlMs))) return undefined;
      try {
        return publish(facts);
      } catch (error) {
        await seen.release(dedupeKey);
        throw error;
      }
    },

    published: (dedupeKey) => seen.held(dedupeKey),

    subscribe({ after } = {}) {
      const subscriber: Subscriber = { channel: new Channel(() => subscribers.delete(subscriber), maxQueuedPerSubscriber), lastId: after ?? newest };
      if (after !== undefined) {
        trim();
        // Everything here is synchronous, so no event can be appended between the replay and registering
        // for live events; an event replayed here that the fan-out has yet to reach is skipped there.
        for (let index = start; index < log.length; index += 1) deliverOnce(subscriber, log[index]!);
      }
      if (!subscriber.channel.closed) subscribers.add(subscriber);
      return subscriber.channel;
    },

    subscribers: () => subscribers.size,

    async close() {
      for (const subscriber of [...subscribers]) subscriber.channel.end();
    },
  };
}
