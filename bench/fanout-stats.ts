/**
 * What the fan-out bench reads besides its clients: the gateway's memory (its `/metrics`: RSS and V8
 * heap used), the sandbox's Klarna call counter (`GET /__sandbox/counters`), percentiles, and Redis
 * (is one there; remove what a run wrote).
 */
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface GatewayMemory {
  rssBytes: number;
  heapBytes: number;
}

/** The gateway's resident memory and V8 heap used now, from its Prometheus endpoint. */
export async function gatewayMemory(gatewayUrl: string): Promise<GatewayMemory> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { rssBytes: value('process_resident_memory_bytes'), heapBytes: value('nodejs_heap_size_used_bytes') };
}

/** Every Klarna call the sandbox has answered so far, and per operation. */
export async function sandboxCalls(sandboxUrl: string): Promise<{ total: number; byOperation: Record<string, number> }> {
  const snapshot = (await (await fetch(`${sandboxUrl}/__sandbox/counters`)).json()) as { total: number; byOperation: Record<string, { total: number }> };
  const byOperation: Record<string, number> = {};
  for (const [name, entry] of Object.entries(snapshot.byOperation)) byOperation[name] = entry.total;
  return { total: snapshot.total, byOperation };
}

/** Operations whose count grew between two snapshots, `name×n` (n per event when `per` is given). */
export function callsBetween(before: Record<string, number>, after: Record<string, number>, per = 1): string {
  return (
    Object.entries(after)
      .map(([name, count]) => [name, (count - (before[name] ?? 0)) / per] as const)
      .filter(([, count]) => count > 0)
      .map(([name, count]) => `${name}×${Number(count.toFixed(1))}`)
      .join(' ') || '-'
  );
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
export const kbPer = (bytes: number, count: number) => Math.round(bytes / 1024 / count);

export async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Removes what a Redis run wrote (the stream and the remembered event ids). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
