/**
 * The event bus, in process: one replica, events kept in memory (lost on restart). Also the interface
 * both buses implement (the Redis one is in `redis-bus.ts`).
 *
 * Retention: at most `retentionCount` events, none older than `retentionMs`; a subscriber with
 * `after` first receives the retained events after that id, in order, then live ones, with no gap and
 * no duplicate between the two.
 */
import { Channel } from './channel.ts';
import { createMemoryClaims, type Claims } from './claims.ts';
import { compareEventIds, eventIdTime, type EventFacts, type KlarnaEvent } from './events.ts';

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
  /** A subscriber this many events behind is ended (see `Channel`); default: the retention count. */
  maxQueuedPerSubscriber?: number;
  now?: () => number;
}

export interface MemoryBusOptions extends RetentionOptions {
  /** The keys `publishOnce` remembers (default: an LRU of 100,000). */
  seen?: Claims;
}

export function createMemoryBus(options: MemoryBusOptions): EventBus {
  const { retentionCount, retentionMs, maxQueuedPerSubscriber = retentionCount, now = Date.now, seen = createMemoryClaims() } = options;
  // Oldest first; trimmed from the front. `start` avoids shifting the array on every publish.
  let log: KlarnaEvent[] = [];
  let start = 0;
  let lastMs = 0;
  let sequence = 0;
  const channels = new Set<Channel<KlarnaEvent>>();

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
    trim();
    for (const channel of channels) channel.push(event);
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
      const channel: Channel<KlarnaEvent> = new Channel(() => channels.delete(channel), maxQueuedPerSubscriber);
      if (after !== undefined) {
        trim();
        // Everything here is synchronous, so no event can be published between the replay and
        // registering for live events.
        for (let index = start; index < log.length; index += 1) {
          if (compareEventIds(log[index]!.id, after) > 0) channel.push(log[index]!);
        }
      }
      if (!channel.closed) channels.add(channel);
      return channel;
    },

    subscribers: () => channels.size,

    async close() {
      for (const channel of [...channels]) channel.end();
    },
  };
}
