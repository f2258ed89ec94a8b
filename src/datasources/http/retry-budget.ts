/**
 * A retry budget for one upstream, so that retries never multiply an outage: a token bucket that earns
 * `ratio` of a token per logical call and spends one per retry. It starts with `floor` tokens, so a
 * quiet gateway can still retry its first few failures, and holds at most `max(floor, 100)`, so a long
 * calm does not bank a storm of retries. Counted in calls, not time: it needs no clock.
 */
export interface RetryBudgetOptions {
  /** Retries may use at most this fraction of calls (above the floor). */
  ratio: number;
  /** Tokens at start: retries allowed before any call has earned one. */
  floor: number;
}

export interface RetryBudget {
  /** A logical call started: earn `ratio` of a token. */
  earn(): void;
  /** Takes one token for a retry if there is a whole one; `false` (nothing taken) when the budget is spent. */
  trySpend(): boolean;
}

export function createRetryBudget({ ratio, floor }: RetryBudgetOptions): RetryBudget {
  const maxTokens = Math.max(floor, 100);
  let tokens = floor;
  return {
    earn() {
      tokens = Math.min(maxTokens, tokens + ratio);
    },
    trySpend() {
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
