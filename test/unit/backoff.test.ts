/** Backoff and `Retry-After` alone: randomness and "now" are passed in, nothing sleeps. */
import { describe, expect, it } from 'vitest';
import { createBackoff, parseRetryAfter } from '../../src/datasources/http/backoff.ts';

const FAR = Number.POSITIVE_INFINITY;
/** `random()` at its top, so the wait is the cap of each attempt's jitter window. */
const highest = () => 1;

describe('backoff', () => {
  it('doubles the jitter window with every failed attempt', () => {
    const backoff = createBackoff({ baseDelayMs: 50, maxDelayMs: 10_000, random: highest });
    const waits = [1, 2, 3, 4].map((failedAttempt) => backoff.waitMs({ failedAttempt, remainingMs: FAR }));
    expect(waits).toEqual([50, 100, 200, 400]);
  });

  it('caps the window at maxDelayMs', () => {
    const backoff = createBackoff({ baseDelayMs: 50, maxDelayMs: 1_000, random: highest });
    expect(backoff.waitMs({ failedAttempt: 5, remainingMs: FAR })).toBe(800);
    expect(backoff.waitMs({ failedAttempt: 6, remainingMs: FAR })).toBe(1_000);
    expect(backoff.waitMs({ failedAttempt: 30, remainingMs: FAR })).toBe(1_000);
  });

  it('draws the wait uniformly within the window (full jitter)', () => {
    const draws = [0, 0.25, 0.5];
    const backoff = createBackoff({ baseDelayMs: 100, maxDelayMs: 1_000, random: () => draws.shift()! });
    expect([1, 2, 3].map((failedAttempt) => backoff.waitMs({ failedAttempt, remainingMs: FAR }))).toEqual([0, 50, 200]);
  });

  it('waits at least what Retry-After asks, even above maxDelayMs', () => {
    const backoff = createBackoff({ baseDelayMs: 50, maxDelayMs: 1_000, random: () => 0 });
    expect(backoff.waitMs({ failedAttempt: 1, retryAfterSeconds: 3, remainingMs: FAR })).toBe(3_000);
  });

  it('adds up to a tenth of Retry-After as jitter, so the callers it asked do not all return at once', () => {
    const draws = [0.5, 0.5, 0.999, 0.999];
    const backoff = createBackoff({ baseDelayMs: 50, maxDelayMs: 1_000, random: () => draws.shift()! });
    expect(backoff.waitMs({ failedAttempt: 1, retryAfterSeconds: 2, remainingMs: FAR })).toBe(2_100);
    expect(backoff.waitMs({ failedAttempt: 1, retryAfterSeconds: 2, remainingMs: FAR })).toBeCloseTo(2_199.8, 5);
  });

  it('keeps the jittered wait when it is longer than Retry-After', () => {
    const backoff = createBackoff({ baseDelayMs: 500, maxDelayMs: 1_000, random: highest });
    expect(backoff.waitMs({ failedAttempt: 2, retryAfterSeconds: 0, remainingMs: FAR })).toBe(1_000);
  });

  it('gives up (undefined) rather than wait past the remaining deadline', () => {
    const backoff = createBackoff({ baseDelayMs: 50, maxDelayMs: 1_000, random: highest });
    expect(backoff.waitMs({ failedAttempt: 1, retryAfterSeconds: 30, remainingMs: 8_000 })).toBeUndefined();
    expect(backoff.waitMs({ failedAttempt: 3, remainingMs: 200 })).toBeUndefined();
    expect(backoff.waitMs({ failedAttempt: 3, remainingMs: 201 })).toBe(200);
  });

  it('never returns a wait that reaches the remaining deadline, whatever the draw', () => {
    for (const draw of [0.1, 0.5, 0.9, 0.999]) {
      const backoff = createBackoff({ baseDelayMs: 100, maxDelayMs: 2_000, random: () => draw });
      for (let failedAttempt = 1; failedAttempt <= 8; failedAttempt += 1) {
        for (const remainingMs of [1, 50, 300, 1_000]) {
          const wait = backoff.waitMs({ failedAttempt, remainingMs });
          if (wait !== undefined) expect(wait).toBeLessThan(remainingMs);
        }
      }
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date as seconds from now, rounded up', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', now + 500)).toBe(30);
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', now + 1_000)).toBe(29);
  });

  it('reads an HTTP date in the past as zero', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:59:00 GMT', now)).toBe(0);
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['5', '60'], now)).toBe(5);
  });

  it('ignores a missing, empty or unreadable value', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('ignores a negative or fractional number (was read as a date in 5 BC, so a wait of 0)', () => {
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('2025', now)).toBe(2025);
  });
});
