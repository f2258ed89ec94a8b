/**
 * Redis for the tests that need one: `REDIS_URL`, or 127.0.0.1:6379 (what `.ci/run` starts). As for
 * every real part (`requirements.ts`): under `CI=true` a missing Redis fails the file, elsewhere the
 * file is skipped with a visible notice. Each file writes under its own key prefix, so files running
 * in parallel never see each other's streams, and removes its keys when done.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisAvailable(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`CI=true but Redis does not answer at ${REDIS_URL} (.ci/run starts one): ${String(error)}`, { cause: error });
    console.warn(`\n  NOTICE: Redis tests skipped: no Redis at ${REDIS_URL} (start redis-server, or set REDIS_URL).\n`);
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A key prefix no other test file (or run) uses. */
export function redisKeyPrefix(file: string): string {
  return `test:${basename(file).replace(/\W+/g, '-')}:${randomUUID().slice(0, 8)}:`;
}

/** A plain connection for assertions on what the gateway wrote. */
export function connectRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}
