/**
 * The response cache's store in Redis, shared by every replica: a hit on one replica is a hit on all,
 * and an invalidation on one (a mutation, an event) drops the entry for all.
 *
 * Layout, under `prefix`:
 * - `response:<key>`: the cached result (JSON), expiring with its TTL;
 * - `entity:<Type>:<id>` and `type:<Type>`: sets of the response keys that contain that entity or
 *   type, read when it is invalidated;
 * - `stamp:entity:<Type>:<id>` and `stamp:type:<Type>`: when that entity (or type) was last
 *   invalidated, in Redis's clock (microseconds), kept `indexTtlMs` (`invalidation-stamps.ts`).
 *
 * Invalidation stamps first, then drops; `setIfFresh` checks the stamps and stores in one Lua script,
 * so an answer is either stored before a stamp (and then dropped by the same invalidation) or checked
 * after it (and refused). Marks and stamps are Redis's `TIME`, one clock for every replica.
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
import type { Redis } from 'ioredis';
import { redisCircuitOf } from './redis-circuit.ts';
import { stampKeyOf, stampKeysOf, type StampedStore } from './invalidation-stamps.ts';

export interface RedisResponseStoreOptions {
  prefix: string;
  /** The longest TTL any response gets: how long an index set is kept after its last addition. */
  indexTtlMs: number;
}

type Entity = { typename: string; id?: number | string };

/** Redis's clock in microseconds, as a decimal string (Lua numbers would print it rounded). */
const NOW_LUA = `local t = redis.call('TIME') return t[1] .. string.format('%06d', tonumber(t[2]))`;

/** KEYS: the stamp keys. ARGV[1]: how long a stamp is kept (ms). Returns the stamp. */
const STAMP_SCRIPT = `local function now() ${NOW_LUA} end
local stamp = now()
for _, key in ipairs(KEYS) do redis.call('SET', key, stamp, 'PX', ARGV[1]) end
return stamp`;

/**
 * KEYS: the response key, then `ARGV[2]` stamp keys, then the index keys. ARGV: the mark, the number of
 * stamp keys, the answer (JSON), its TTL, the index TTL, the response's cache key. Returns 1 when stored,
 * 0 when a stamp is at or after the mark.
 */
const SET_IF_FRESH_SCRIPT = `local since = tonumber(ARGV[1])
local stamps = tonumber(ARGV[2])
for i = 2, stamps + 1, 500 do
  local found = redis.call('MGET', unpack(KEYS, i, math.min(i + 499, stamps + 1)))
  for _, stamp in ipairs(found) do
    if stamp and tonumber(stamp) >= since then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
for i = stamps + 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[6])
  redis.call('PEXPIRE', KEYS[i], ARGV[5])
end
return 1`;

export function createRedisResponseStore(redis: Redis, { prefix, indexTtlMs }: RedisResponseStoreOptions): StampedStore {
  const responseKey = (key: string) => `${prefix}response:${key}`;
  const indexKey = ({ typename, id }: Entity) => (id == null ? `${prefix}type:${typename}` : `${prefix}entity:${typename}:${id}`);
  const circuit = redisCircuitOf(redis);
  const stampKey = (key: string) => `${prefix}stamp:${key}`;
  const indexKeysOf = (entities: Iterable<Entity>) => {
    const indexes = new Set<string>();
    for (const entity of entities) {
      indexes.add(indexKey({ typename: entity.typename }));
      if (entity.id != null) indexes.add(indexKey(entity));
    }
    return [...indexes];
  };

  return {
    async mark() {
      const [seconds, micros] = await circuit.run(() => redis.time());
      return Number(seconds) * 1_000_000 + Number(micros);
    },

    async setIfFresh(since, key, result, entities, ttl) {
      const list = [...entities];
      const stamps = stampKeysOf(list).map(stampKey);
      const stored = await circuit.run(() => redis.eval(
        SET_IF_FRESH_SCRIPT,
        1 + stamps.length + indexKeysOf(list).length,
        responseKey(key),
        ...stamps,
        ...indexKeysOf(list),
        String(since),
        String(stamps.length),
        JSON.stringify(result),
        String(Math.min(ttl, indexTtlMs)),
        String(indexTtlMs),
        key,
      ));
      return stored === 1;
    },

    async get(key) {
      const raw = await circuit.run(() => redis.get(responseKey(key)));
      return raw ? (JSON.parse(raw) as Awaited<ReturnType<StampedStore['get']>>) : undefined;
    },

    async set(key, result, entities, ttl) {
      const pipeline = redis.pipeline().set(responseKey(key), JSON.stringify(result), 'PX', Math.min(ttl, indexTtlMs));
      for (const index of indexKeysOf(entities)) pipeline.sadd(index, key).pexpire(index, indexTtlMs);
      const failed = ((await circuit.run(() => pipeline.exec())) ?? []).find(([error]) => error);
      if (failed) throw failed[0];
    },

    async invalidate(entities) {
      const list = [...entities];
      const indexes = [...new Set(list.map(indexKey))];
      if (indexes.length === 0) return;
      // Stamped first: an answer begun before this moment is refused from now on, on every replica.
      const stamps = [...new Set(list.map((entity) => stampKey(stampKeyOf(entity))))];
      await redis.eval(STAMP_SCRIPT, stamps.length, ...stamps, String(indexTtlMs));
      const members = await Promise.all(indexes.map((index) => redis.smembers(index)));
      const keys = [...indexes, ...new Set(members.flat().map(responseKey))];
      for (let start = 0; start < keys.length; start += 500) await redis.unlink(...keys.slice(start, start + 500));
    },
  };
}
