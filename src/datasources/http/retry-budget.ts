/**
 * A retry budget for one upstream, so that retries never multiply an outage: a token bucket that earns
 * `ratio` of a token per logical call and spends one per retry, holding at most `max(floor, 100)`
 * (a long calm does not bank a storm of retries). It starts with `floor` tokens, so a quiet gateway can
 * still retry its first few failures.
 *
 * Beside it, a floor in time: `minPerSecond` retries a second are always allowed (a bucket of its own
 * refilled at that rate, holding one second's worth), so a gateway with little traffic is not left
 * without retries once its first tokens are spent. With `minPerSecond: 0` (the default) no clock is read.
 *
 * Tokens are counted in thousandths, in integers: 5 calls at 0.2 earn exactly one retry (in floating
 * point, 0.2 five times is 0.9999999999999999, and the fifth call earned nothing).
 */
export interface RetryBudgetOptions {
  /** Retries may use at most this fraction of calls (above the floors). */
  ratio: number;
  /** Tokens at start: retries allowed before any call has earned one. */
  floor: number;
  /** Retries a second allowed whatever the ratio (0: none). */
  minPerSecond?: number;
  /** Milliseconds, for `minPerSecond` (`Date.now` in production, a fake clock in tests). */
  now?: () => number;
}

export interface RetryBudget {
  /** A logical call started: earn `ratio` of a token. */
  earn(): void;
  /** Takes one token for a retry if there is a whole one; `false` (nothing taken) when the budget is spent. */
  trySpend(): boolean;
}

const ONE = 1_000;

export function createRetryBudget({ ratio, floor, minPerSecond = 0, now = Date.now }: RetryBudgetOptions): RetryBudget {
  const perCall = Math.round(ratio * ONE);
  const maxTokens = Math.max(floor, 100) * ONE;
  let tokens = floor * ONE;
  // The floor in time: at most one second's worth, refilled continuously.
  const floorMax = minPerSecond * ONE;
  let floorTokens = floorMax;
  let floorAt = minPerSecond > 0 ? now() : 0;

  function refillFloor(): void {
    if (minPerSecond <= 0) return;
    const at = now();
    floorTokens = Math.min(floorMax, floorTokens + Math.floor((at - floorAt) * minPerSecond));
    floorAt = at;
  }

  return {
    earn() {
      tokens = Math.min(maxTokens, tokens + perCall);
    },
    trySpend() {
      if (tokens >= ONE) {
        tokens -= ONE;
        return true;
      }
      refillFloor();
      if (floorTokens < ONE) return false;
      floorTokens -= ONE;
      return true;
    },
  };
}
