/**
 * Rate limits per principal: at most `limit` queries and mutations per window for one caller (the hash
 * of its credentials or token subject). With Redis the counters are shared, so several replicas hold
 * a caller to one limit together. A refusal is `RATE_LIMITED` with `retryAfter` (seconds), answered
 * before anything executes: no upstream call. A subscription counts once, when it is set up (that
 * checks access with Klarna), not for the events it then receives.
 *
 * The principal's hash names the bucket: it is made from the credentials in their one spelling
 * (`canonicalAuthorization`), so `basic`, `BASIC` or a tab after the scheme are the same bucket.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { redisCircuitOf } from './redis-circuit.ts';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the caller's window resets. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  take(principal: string): Promise<RateDecision>;
}

/** Fixed windows in this process (one replica). Old windows are dropped as time moves on. */
export function createMemoryRateLimiter({ limit, windowMs, now = Date.now }: { limit: number; windowMs: number; now?: () => number }): RateLimiter {
  let window = -1;
  let counts = new Map<string, number>();
  return {
    async take(principal) {
      const current = Math.floor(now() / windowMs);
      if (current !== window) {
        window = current;
        counts = new Map();
      }
      const count = (counts.get(principal) ?? 0) + 1;
      counts.set(principal, count);
      return { allowed: count <= limit, retryAfterSeconds: Math.max(1, Math.ceil(((current + 1) * windowMs - now()) / 1000)) };
    },
  };
}

/**
 * Fixed windows in Redis, shared by every replica: one `INCR` (and `PEXPIRE` on first use) per operation.
 * While Redis is known down (`redis-circuit.ts`) nothing is sent: `take` rejects at once (the plugin lets the operation through).
 */
export function createRedisRateLimiter(redis: Redis, { limit, windowMs, keyPrefix }: { limit: number; windowMs: number; keyPrefix: string }): RateLimiter {
  const circuit = redisCircuitOf(redis);
  return {
    async take(principal) {
      const now = Date.now();
      const window = Math.floor(now / windowMs);
      const key = `${keyPrefix}rate:${principal}:${window}`;
      const [[, count]] = (await circuit.run(() => redis.multi().incr(key).pexpire(key, windowMs * 2).exec())) as [[Error | null, number]];
      return { allowed: count <= limit, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000)) };
    },
  };
}

export function useRateLimit(limiter: RateLimiter): Plugin<{ principal?: { hash: string } }> {
  /** Takes one from the operation's principal's bucket; stops the operation (or subscription setup) when it is empty. */
  async function take({ args, setResultAndStopExecution }: { args: { contextValue: unknown }; setResultAndStopExecution: (result: ExecutionResult) => void }) {
    const principal = (args.contextValue as { principal?: { hash: string } }).principal?.hash ?? 'anonymous';
    // A limiter that cannot answer (Redis down) lets the operation through: availability first.
    const decision = await limiter.take(principal).catch(() => ({ allowed: true, retryAfterSeconds: 0 }));
    if (decision.allowed) return;
    setResultAndStopExecution({
      errors: [
        new GraphQLError(`Too many requests from your credentials. Retry after ${decision.retryAfterSeconds} seconds.`, {
          extensions: { code: 'RATE_LIMITED', retryAfter: decision.retryAfterSeconds },
        }),
      ],
    });
  }
  return { onExecute: take, onSubscribe: take };
}
