/**
 * Failed authentications per client address (`AUTH_FAILURES_PER_MINUTE`): junk credentials get no
 * rate-limit bucket of their own worth having (each new one would be a new principal), so they are
 * counted by where they come from instead. A failure is a request whose token was refused (token
 * mode) or whose call Klarna answered 401 (one per HTTP request, however many operations it carried).
 * Once an address has failed `limit` times in the current minute, its requests are refused with
 * `RATE_LIMITED` (HTTP 429, `retryAfter`) before their caller is authenticated, so without a call to
 * Klarna, until the minute is over: every request from that address, valid credentials too, as the
 * gateway cannot tell who is behind an address.
 *
 * The address is the connection's peer, or behind `TRUSTED_PROXY_HOPS` proxies the one the outermost
 * of them saw (`X-Forwarded-For`, counted from the right: entries further left are the client's say).
 * With Redis the counters are shared by the replicas.
 */
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { redisCircuitOf } from './redis-circuit.ts';
import { objectSlot } from '../object-slots.ts';

export interface FailureDecision {
  blocked: boolean;
  /** Seconds until the address's window ends. */
  retryAfterSeconds: number;
}

/** Counts failures per address in fixed windows. */
export interface FailureCounter {
  /** Whether `address` has used up its failures in the current window (nothing counted). */
  check(address: string): Promise<FailureDecision>;
  /** Counts one failure of `address`. */
  fail(address: string): Promise<void>;
}

const retryAfter = (window: number, windowMs: number, now: number) => Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));

/** Fixed windows in this process (one replica). */
export function createMemoryFailureCounter({ limit, windowMs = 60_000, now = Date.now }: { limit: number; windowMs?: number; now?: () => number }): FailureCounter {
  let window = -1;
  let counts = new Map<string, number>();
  const current = () => {
    const at = Math.floor(now() / windowMs);
    if (at !== window) {
      window = at;
      counts = new Map();
    }
    return at;
  };
  return {
    async check(address) {
      const at = current();
      return { blocked: (counts.get(address) ?? 0) >= limit, retryAfterSeconds: retryAfter(at, windowMs, now()) };
    },
    async fail(address) {
      current();
      counts.set(address, (counts.get(address) ?? 0) + 1);
    },
  };
}

/**
 * Fixed windows in Redis, shared by every replica: a `GET` per request, an `INCR` per failure. While
 * Redis is known down (`redis-circuit.ts`) nothing is sent: both reject at once (the guard lets requests through).
 */
export function createRedisFailureCounter(redis: Redis, { limit, windowMs = 60_000, keyPrefix }: { limit: number; windowMs?: number; keyPrefix: string }): FailureCounter {
  const circuit = redisCircuitOf(redis);
  const keyOf = (address: string, window: number) => `${keyPrefix}auth-failures:${address}:${window}`;
  return {
    async check(address) {
      const now = Date.now();
      const window = Math.floor(now / windowMs);
      const count = Number((await circuit.run(() => redis.get(keyOf(address, window)))) ?? 0);
      return { blocked: count >= limit, retryAfterSeconds: retryAfter(window, windowMs, now) };
    },
    async fail(address) {
      const key = keyOf(address, Math.floor(Date.now() / windowMs));
      await circuit.run(() => redis.multi().incr(key).pexpire(key, windowMs * 2).exec());
    },
  };
}

/**
 * The client's address: the connection's peer, or with `trustedProxyHops` proxies in front, the entry
 * of `X-Forwarded-For` the outermost trusted one added (the `trustedProxyHops`-th from the right).
 */
export function clientAddress(request: Pick<IncomingMessage, 'headers'> & { socket?: { remoteAddress?: string | undefined } } | undefined, trustedProxyHops = 0): string {
  const peer = request?.socket?.remoteAddress ?? 'unknown';
  if (!trustedProxyHops) return peer;
  const header = request?.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((entry) => entry.trim()).filter(Boolean);
  return forwarded[Math.max(0, forwarded.length - trustedProxyHops)] ?? peer;
}

/**
 * The gateway's use of a counter, per HTTP request (a batch is one): `admit` refuses a blocked
 * address (memoized per request, so a batch asks once), `fail` counts a request's failure once.
 * A counter that cannot answer (Redis away) lets requests through: availability first.
 */
export function createAuthFailureGuard(counter: FailureCounter) {
  const decisions = objectSlot<Promise<FailureDecision>>('auth failure decision');
  const failed = objectSlot<true>('auth failure counted');
  return {
    /** Throws RATE_LIMITED (HTTP 429) when `address` has failed too often; `request` keys the memo. */
    async admit(request: object, address: string): Promise<void> {
      let decision = decisions.get(request);
      if (!decision) {
        decision = counter.check(address).catch(() => ({ blocked: false, retryAfterSeconds: 0 }));
        decisions.set(request, decision);
      }
      const { blocked, retryAfterSeconds } = await decision;
      if (!blocked) return;
      throw new GraphQLError(`Too many failed authentications from your address. Retry after ${retryAfterSeconds} seconds.`, {
        extensions: { code: 'RATE_LIMITED', retryAfter: retryAfterSeconds, http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } } },
      });
    },
    /** Counts the failure of `request` (once, whatever its operations report). */
    fail(request: object, address: string): void {
      if (failed.get(request)) return;
      failed.set(request, true);
      void counter.fail(address).catch(() => undefined);
    },
  };
}
export type AuthFailureGuard = ReturnType<typeof createAuthFailureGuard>;
