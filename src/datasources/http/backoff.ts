/**
 * How long to wait before a retry: exponential backoff with full jitter (a uniformly random wait up to
 * `baseDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`), but never less than the upstream's
 * `Retry-After` asks, and no retry at all when that wait would not end before the call's deadline.
 */
export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform in [0, 1): `Math.random` in production, a fixed sequence in tests. */
  random: () => number;
}

export interface RetryWaitInput {
  /** The attempt that just failed, from 1. */
  failedAttempt: number;
  /** What the upstream's `Retry-After` asked for, in seconds (see `parseRetryAfter`). */
  retryAfterSeconds?: number | undefined;
  /** Milliseconds left before the logical call's deadline. */
  remainingMs: number;
}

export interface Backoff {
  /** Milliseconds to wait before the next attempt, or `undefined` when waiting would outlast the deadline. */
  waitMs(input: RetryWaitInput): number | undefined;
}

export function createBackoff({ baseDelayMs, maxDelayMs, random }: BackoffOptions): Backoff {
  return {
    waitMs({ failedAttempt, retryAfterSeconds, remainingMs }) {
      const jitteredMs = random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempt - 1));
      const waitMs = Math.max(jitteredMs, (retryAfterSeconds ?? 0) * 1000);
      return waitMs < remainingMs ? waitMs : undefined;
    },
  };
}

/**
 * Seconds from a `Retry-After` header, if present and sane: delta-seconds (`"120"`), or an HTTP date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`) counted from `nowMs`, rounded up, never negative.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}
