/**
 * The event bus across replicas: one Redis stream is the event log. `publish` appends with `XADD`
 * (trimmed to `MAXLEN ~ retentionCount`, and by age with `XTRIM MINID ~`); `publishOnce` does the
 * same and remembers the dedupe key, in one Lua script (see `PUBLISH_ONCE`); every replica reads the
 * stream with its own blocking connection (`XREAD BLOCK`) and fans each entry out to its local
 * subscribers, in batches that yield to the event loop (`fanout.ts`; the next `XREAD` waits until the
 * page read is handed out, so a slow fan-out is paced by Redis's retention, not by this process's memory). The stream entry id is the event id clients see, so `after: <id>` resumes from the
 * stream itself (`XRANGE (<id> +`), also after a gateway restart.
 *
 * Redis Streams rather than pub/sub (the Yoga Redis event target): pub/sub forgets a message the moment
 * it is sent, so resuming would need a second store written beside it; a stream is the message and its
 * retention at once, with ids that order events across replicas.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Channel } from './channel.ts';
import { type EventFacts, type KlarnaEvent } from './events.ts';
import { createFanout } from './fanout.ts';
import { deliverOnce, fanoutOptions, type EventBus, type RetentionOptions, type SubscribeOptions } from './memory-bus.ts';

interface Subscriber {
  channel: Channel<KlarnaEvent>;
  /** The last id pushed: anything at or before it is a duplicate of the replay. */
  lastId: string | undefined;
  /** Live events that arrive while the replay is still being read, delivered after it. */
  pending: KlarnaEvent[] | undefined;
}

type StreamEntry = [id: string, fields: string[]];

const REPLAY_PAGE = 500;

/**
 * KEYS: the stream, the dedupe key. ARGV: MAXLEN, MINID, the key's TTL in ms, the event (JSON).
 * Returns the new entry id, or nil when the dedupe key exists (nothing written).
 *
 * One script, so no other client's command runs between the check and the writes: two replicas given
 * the same event at once append it once. The order matters because Redis does not roll a script back
 * when a command in it fails, it stops there: the event is appended first and its key set last, so a
 * script stopped by a failing XADD (wrong type, out of memory) has marked nothing and Klarna's retry
 * is appended. The worst a partial failure (or a reply lost after the script ran) can do is deliver
 * an event twice, never lose one. (Redis Cluster would need both keys in one hash slot; the gateway
 * uses a single Redis.)
 */
const PUBLISH_ONCE = `
if redis.call('exists', KEYS[2]) == 1 then return false end
local id = redis.call('xadd', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'event', ARGV[4])
redis.call('xtrim', KEYS[1], 'MINID', '~', ARGV[2])
redis.call('set', KEYS[2], id, 'PX', ARGV[3])
return id`;

export interface RedisBusOptions extends RetentionOptions {
  /** Connection for XADD/XRANGE (shared with the other Redis users of this replica). */
  redis: Redis;
  /** Connection used only for the blocking XREAD loop (a blocked connection can do nothing else). */
  reader: Redis;
  streamKey: string;
  /**
   * Prefix of `publishOnce`'s dedupe keys: the deployment's `REDIS_KEY_PREFIX`, as for the claims, so
   * `<prefix>webhook:<event id>` is the key replicas that claimed it with `SET NX` used (a rolling
   * deploy deduplicates across old and new replicas).
   */
  keyPrefix: string;
  logger: Logger;
  blockMs?: number;
}

function toEvent([id, fields]: StreamEntry): KlarnaEvent | undefined {
  const index = fields.indexOf('event');
  try {
    return { ...(JSON.parse(fields[index + 1] ?? '') as EventFacts), id };
  } catch {
    return undefined; // not written by this gateway; skipped
  }
}

export async function createRedisBus(options: RedisBusOptions): Promise<EventBus> {
  const { redis, reader, streamKey, keyPrefix, logger, retentionCount, retentionMs, blockMs = 5_000, now = Date.now } = options;
  const maxQueued = options.maxQueuedPerSubscriber ?? retentionCount;
  const subscribers = new Set<Subscriber>();
  let stopped = false;

  // Start reading after the newest entry: what came before is only for subscribers that ask (`after`).
  const newest = (await redis.xrevrange(streamKey, '+', '-', 'COUNT', 1)) as StreamEntry[];
  let lastReadId = newest[0]?.[0] ?? '0-0';

  const deliver = deliverOnce;
  const fanout = createFanout(
    subscribers,
    (subscriber: Subscriber, event: KlarnaEvent) => (subscriber.pending ? void subscriber.pending.push(event) : deliver(subscriber, event)),
    fanoutOptions(options),
  );

  const readLoop = (async () => {
    while (!stopped) {
      try {
        const answer = (await reader.xread('COUNT', 1_000, 'BLOCK', blockMs, 'STREAMS', streamKey, lastReadId)) as [string, StreamEntry[]][] | null;
        for (const entry of answer?.[0]?.[1] ?? []) {
          lastReadId = entry[0];
          const event = toEvent(entry);
          if (event) fanout.enqueue(event);
        }
        await fanout.idle();
      } catch (error) {
        if (stopped) return;
        // Redis went away: ioredis reconnects; reading resumes from `lastReadId`, so nothing is lost.
        logger.warn({ err: error }, 'event stream read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  })();

  /** Reads the retained entries after `after` page by page, then hands over to live delivery. */
  async function replay(subscriber: Subscriber, after: string): Promise<void> {
    const oldest = now() - retentionMs;
    let cursor = `(${after}`;
    for (;;) {
      const page = (await redis.xrange(streamKey, cursor, '+', 'COUNT', REPLAY_PAGE)) as StreamEntry[];
      for (const entry of page) {
        const event = toEvent(entry);
        // `MINID ~` trims approximately: entries past the age limit may linger; they are not replayed.
        if (event && Number(entry[0].split('-')[0]) >= oldest) deliver(subscriber, event);
      }
      if (subscriber.channel.closed) return;
      if (page.length < REPLAY_PAGE) break;
      cursor = `(${page[page.length - 1]![0]}`;
    }
    // Synchronously from here: no live event can slip between the replay and live delivery.
    const pending = subscriber.pending ?? [];
    subscriber.pending = undefined;
    for (const event of pending) deliver(subscriber, event);
  }

  return {
    async publish(facts) {
      const [[addError, id], [trimError]] = (await redis
        .multi()
        .xadd(streamKey, 'MAXLEN', '~', String(retentionCount), '*', 'event', JSON.stringify(facts))
        .xtrim(streamKey, 'MINID', '~', String(now() - retentionMs))
        .exec()) as [[Error | null, string], [Error | null, unknown]];
      if (addError || trimError) throw addError ?? trimError;
      return id;
    },

    published: async (dedupeKey) => (await redis.exists(keyPrefix + dedupeKey)) === 1,

    async publishOnce(dedupeKey, ttlMs, facts) {
      const minId = String(now() - retentionMs);
      const id = (await redis.eval(PUBLISH_ONCE, 2, streamKey, keyPrefix + dedupeKey, String(retentionCount), minId, String(ttlMs), JSON.stringify(facts))) as string | null;
      return id ?? undefined;
    },

    subscribe({ after }: SubscribeOptions = {}) {
      const subscriber: Subscriber = {
        channel: new Channel(() => subscribers.delete(subscriber), maxQueued),
        // Without `after`: only what this replica reads from now on (not what it is still handing out).
        lastId: after ?? lastReadId,
        pending: after === undefined ? undefined : [],
      };
      subscribers.add(subscriber);
      if (after !== undefined) replay(subscriber, after).catch((error: unknown) => subscriber.channel.end(error));
      return subscriber.channel;
    },

    subscribers: () => subscribers.size,

    async close() {
      stopped = true;
      for (const subscriber of [...subscribers]) subscriber.channel.end();
      // Unblocks the pending XREAD; the loop sees `stopped` and ends.
      reader.disconnect();
      await readLoop;
    },
  };
}
