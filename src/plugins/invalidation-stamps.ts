/**
 * Invalidation stamps: the response cache never stores an answer from before a change it has already
 * dropped. An invalidation first stamps every entity it drops with the moment it happened, then drops
 * the answers holding them; an operation takes a `mark` before it executes (before it reads Klarna),
 * and its answer is stored only if no entity in it was stamped at or after that mark. So a query that
 * read an account before `updateAccount` and finished after the mutation's invalidation is not stored
 * (it would otherwise be served, by every replica, until its TTL ran out).
 *
 * An entity is stamped by its `Type:id`, and a type-wide invalidation (an entity without an id) by its
 * type, which every answer holding that type checks. Stamps are kept as long as an answer may live:
 * an operation can never outlast that.
 *
 * This is the in-process kind, around any store (`createInMemoryCache`, or a test's own): marks are a
 * counter, and the check and the store happen in one turn of the event loop. The Redis store does the
 * same for every replica with Redis's clock, atomically in Redis (`redis-response-store.ts`).
 */
import type { Cache } from '@graphql-yoga/plugin-response-cache';

type Entity = { typename: string; id?: number | string };

/** A store that stamps what it invalidates and can refuse an answer older than a stamp. */
export interface StampedStore extends Cache {
  /** Where invalidations stand now: taken as an operation begins executing. */
  mark(): Promise<number>;
  /**
   * Stores the answer unless an entity in it (or its type) was invalidated at or after `since` (a
   * `mark`); resolves whether it was stored. Failures are thrown, as the store's own.
   */
  setIfFresh(since: number, ...args: Parameters<Cache['set']>): Promise<boolean>;
}

/** The stamp keys an answer with these entities must be checked against: each entity, and each type. */
export function stampKeysOf(entities: Iterable<Entity>): string[] {
  const keys = new Set<string>();
  for (const { typename, id } of entities) {
    keys.add(`type:${typename}`);
    if (id != null) keys.add(`entity:${typename}:${id}`);
  }
  return [...keys];
}

/** The stamp key an invalidation of this entity writes. */
export const stampKeyOf = ({ typename, id }: Entity): string => (id == null ? `type:${typename}` : `entity:${typename}:${id}`);

/**
 * In-process stamps around `store`. At most `maxStamps` are kept: the oldest are forgotten first, and
 * an operation that began before a forgotten stamp is never stored (nothing stale slips through).
 */
export function withMemoryStamps(store: Cache, { maxStamps = 100_000 }: { maxStamps?: number } = {}): StampedStore {
  let sequence = 0;
  /** Stamp key → the sequence of its last invalidation, oldest first (re-stamping moves a key last). */
  const stamps = new Map<string, number>();
  /** The newest stamp forgotten: marks older than it cannot be checked, so are refused. */
  let forgotten = 0;

  return {
    get: (key) => store.get(key),
    set: (...args) => store.set(...args),
    async invalidate(entities) {
      const list = [...entities];
      sequence += 1;
      for (const entity of list) {
        const key = stampKeyOf(entity);
        stamps.delete(key);
        stamps.set(key, sequence);
      }
      for (const [key, stamp] of stamps) {
        if (stamps.size <= maxStamps) break;
        stamps.delete(key);
        forgotten = Math.max(forgotten, stamp);
      }
      await store.invalidate(list);
    },
    mark: async () => sequence,
    async setIfFresh(since, key, result, entities, ttl) {
      const list = [...entities];
      // An invalidation after the mark has a greater sequence: the answer may hold what it dropped.
      if (since < forgotten || stampKeysOf(list).some((stampKey) => (stamps.get(stampKey) ?? 0) > since)) return false;
      await store.set(key, result, list, ttl);
      return true;
    },
  };
}
