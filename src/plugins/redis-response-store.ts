/**
 * The response cache's store in Redis, shared by every replica: a hit on one replica is a hit on all,
 * and an invalidation on one (a mutation, an event) drops the entry for all.
 *
 * Layout, under `prefix`:
 * - `response:<key>`: the cached result (JSON), expiring with its TTL;
 * - `entity:<Type>:<id>` and `type:<Type>`: sets of the response keys that contain that entity or
 *   type, read when it is invalidated.
 *
 * Written here rather than taken from @envelop/response-cache-redis, which never expires its index
 * sets (in a Redis shared for days they grow with every cached answer) and finds a type's entities
 * with `KEYS`, which blocks Redis. Here each index set expires `indexTtlMs` (the longest TTL a
 * response can have) after its last addition, so an index outlives every response it names and
 * nothing outlives it by more.
 *
 * Failures are thrown: the caller (`response-cache.ts`) turns them into misses, so a cache never fails
 * an operation. The connection should be made with a `commandTimeout`, so a slow Redis is a miss too.
 * While Redis is known down (`redis-circuit.ts`), `get` and `set` send nothing and reject at once (the
 * cache is bypassed); `invalidate` is always tried, as an invalidation skipped would leave stale answers.
 */
import type { Cache } from '@graphql-yoga/plugin-response-cache';
import type { Redis } from 'ioredis';
import { redisCircuitOf } from './redis-circuit.ts';

export interface RedisResponseStoreOptions {
  prefix: string;
  /** The longest TTL any response gets: how long an index set is kept after its last addition. */
  indexTtlMs: number;
}

type Entity = { typename: string; id?: number | string };

export function createRedisResponseStore(redis: Redis, { prefix, indexTtlMs }: RedisResponseStoreOptions): Cache {
  const responseKey = (key: string) => `${prefix}response:${key}`;
  const indexKey = ({ typename, id }: Entity) => (id == null ? `${prefix}type:${typename}` : `${prefix}entity:${typename}:${id}`);
  const circuit = redisCircuitOf(redis);

  return {
    async get(key) {
      const raw = await circuit.run(() => redis.get(responseKey(key)));
      return raw ? (JSON.parse(raw) as Awaited<ReturnType<Cache['get']>>) : undefined;
    },

    async set(key, result, entities, ttl) {
      const pipeline = redis.pipeline().set(responseKey(key), JSON.stringify(result), 'PX', Math.min(ttl, indexTtlMs));
      const indexes = new Set<string>();
      for (const entity of entities) {
        indexes.add(indexKey({ typename: entity.typename }));
        if (entity.id != null) indexes.add(indexKey(entity));
      }
      for (const index of indexes) pipeline.sadd(index, key).pexpire(index, indexTtlMs);
      const failed = ((await circuit.run(() => pipeline.exec())) ?? []).find(([error]) => error);
      if (failed) throw failed[0];
    },

    async invalidate(entities) {
      const indexes = [...new Set([...entities].map(indexKey))];
      if (indexes.length === 0) return;
      const members = await Promise.all(indexes.map((index) => redis.smembers(index)));
      const keys = [...indexes, ...new Set(members.flat().map(responseKey))];
      for (let start = 0; start < keys.length; start += 500) await redis.unlink(...keys.slice(start, start + 500));
    },
  };
}
