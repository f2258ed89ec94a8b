/**
 * How long to wait before a retry: exponential backoff with full jitter (a uniformly random wait up to
 * `baseDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`). When the upstream said `Retry-After`, at
 * least that wait plus up to a tenth more (jitter, so the callers it asked do not all come back in the
 * same millisecond). No retry at all when the wait would not end before the call's deadline.
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
      const askedMs = (retryAfterSeconds ?? 0) * 1000;
      const waitMs = askedMs > 0 ? Math.max(jitteredMs, askedMs * (1 + random() / 10)) : jitteredMs;
      return waitMs < remainingMs ? waitMs : undefined;
    },
  };
}

/**
 * Seconds from a `Retry-After` header, if present and sane: delta-seconds (`"120"`), or an HTTP date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`) counted from `nowMs`, rounded up, never negative (a date in the
 * past is 0: retry now). Anything else (`"-5"`, `"soon"`, `"1.5"`) is no header at all: `undefined`,
 * so the usual backoff applies (`Date.parse("-5")` would read a year 5 BC, hence a wait of 0).
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP date names a weekday (IMF-fixdate, RFC 850 and asctime all do); a bare number is not one.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}
