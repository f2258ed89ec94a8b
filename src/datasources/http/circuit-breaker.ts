/**
 * A circuit breaker for one upstream: closed → open after `threshold` consecutive failures → after
 * `openMs`, half-open: one trial call goes through → closed on its success, open again (for another
 * `openMs`) on its failure.
 *
 * The caller reports every call it was allowed to make exactly once: `success`, `failure`, or `release`
 * when the call ended without telling anything about the upstream (the caller cancelled it), so that a
 * cancelled trial frees the half-open slot for the next one.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** How long it stays open before letting one trial through. */
  openMs: number;
  /** Milliseconds on any monotonic-enough clock (`Date.now` in production, a fake one in tests). */
  now: () => number;
}

export interface CircuitBreaker {
  /** May a call go out now? `true` in half-open claims the single trial slot. */
  allow(): boolean;
  success(): void;
  failure(): void;
  release(): void;
  readonly state: BreakerState;
}

export function createCircuitBreaker({ threshold, openMs, now }: CircuitBreakerOptions): CircuitBreaker {
  let consecutiveFailures = 0;
  let openUntil = 0;
  let trialInFlight = false;

  return {
    allow() {
      if (consecutiveFailures < threshold) return true;
      if (now() < openUntil || trialInFlight) return false;
      trialInFlight = true;
      return true;
    },
    success() {
      consecutiveFailures = 0;
      trialInFlight = false;
    },
    release() {
      trialInFlight = false;
    },
    failure() {
      consecutiveFailures += 1;
      trialInFlight = false;
      // Every failure at or past the threshold (a failed trial, or a call that was already in flight
      // when the breaker opened) opens it for another full `openMs`.
      if (consecutiveFailures >= threshold) openUntil = now() + openMs;
    },
    get state(): BreakerState {
      if (consecutiveFailures < threshold) return 'closed';
      return now() < openUntil ? 'open' : 'half-open';
    },
  };
}
