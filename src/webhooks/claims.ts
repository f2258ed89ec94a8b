/**
 * Claims: "I take this key for a while, unless someone already has it". They make webhook
 * deduplication (a Klarna event id is handled once) and card order polling (one replica polls an
 * order) exact, across replicas with Redis (`SET key token NX PX ttl`), in process otherwise (a
 * bounded LRU with TTL). A claim is released or renewed only by whoever holds it (its token), so a
 * replica whose claim expired cannot delete another replica's.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

export interface Claims {
  /** True when the caller now holds `key` for `ttlMs`; false when someone else holds it. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Extends a claim the caller holds; false when it is no longer the caller's. */
  renew(key: string, ttlMs: number): Promise<boolean>;
  /** Whether anyone holds `key`. */
  held(key: string): Promise<boolean>;
  /** Gives up a claim the caller holds (another's is left alone). */
  release(key: string): Promise<void>;
}

/** In process: at most `max` keys; when full, the least recently used key is forgotten first. */
export function createMemoryClaims({ max = 100_000 }: { max?: number } = {}): Claims {
  const keys = new LRUCache<string, true>({ max, ttlAutopurge: false });
  return {
    async claim(key, ttlMs) {
      if (keys.has(key)) return false;
      keys.set(key, true, { ttl: ttlMs });
      return true;
    },
    async renew(key, ttlMs) {
      if (!keys.has(key)) return false;
      keys.set(key, true, { ttl: ttlMs });
      return true;
    },
    held: async (key) => keys.has(key),
    async release(key) {
      keys.delete(key);
    },
  };
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Across replicas: one Redis key per claim under `prefix`, holding this replica's token. */
export function createRedisClaims(redis: Redis, prefix: string): Claims {
  const token = randomUUID();
  return {
    async claim(key, ttlMs) {
      return (await redis.set(prefix + key, token, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async renew(key, ttlMs) {
      return (await redis.eval(RENEW, 1, prefix + key, token, String(ttlMs))) === 1;
    },
    held: async (key) => (await redis.exists(prefix + key)) === 1,
    async release(key) {
      await redis.eval(RELEASE, 1, prefix + key, token);
    },
  };
}
