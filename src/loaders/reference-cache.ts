/**
 * Reference data that changes rarely (payment profiles, price plans) may outlive a request: it is kept
 * in an LRU with a TTL, keyed by the principal (a hash of its credentials) so that no two callers ever
 * share an entry, and dropped for a principal whose credentials Klarna refuses or who disables a key
 * (`drop`). Made once at boot; card data and secrets never go here.
 */
import { LRUCache } from 'lru-cache';

export function createReferenceCache({ ttlMs = 60_000, max = 1_000 }: { ttlMs?: number; max?: number } = {}) {
  const cache = new LRUCache<string, { value: unknown }>({ max, ttl: ttlMs });
  return {
    /** The cached value for (principal, key), or `fetch()`'s, cached only when it succeeds. */
    async get<T>(principalHash: string, key: string, fetch: () => Promise<T>): Promise<T> {
      const cacheKey = `${principalHash}\u0000${key}`;
      const hit = cache.get(cacheKey);
      if (hit) return hit.value as T;
      const value = await fetch();
      cache.set(cacheKey, { value });
      return value;
    },
    /**
     * Forgets everything cached for one principal: Klarna refused its credentials, or it disabled a
     * key (perhaps its own), so that its next read asks Klarna again.
     */
    drop(principalHash: string): void {
      const prefix = `${principalHash}\u0000`;
      const keys = [...cache.keys()].filter((key) => key.startsWith(prefix));
      for (const key of keys) cache.delete(key);
    },
    clear: () => cache.clear(),
  };
}
export type ReferenceCache = ReturnType<typeof createReferenceCache>;
