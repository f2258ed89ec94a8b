/** The retry budget alone: counted in calls, so no clock at all. */
import { describe, expect, it } from 'vitest';
import { createRetryBudget, type RetryBudget } from '../../src/datasources/http/retry-budget.ts';

/** Spends until refused; how many retries were granted. */
function drain(budget: RetryBudget): number {
  let granted = 0;
  while (budget.trySpend()) granted += 1;
  return granted;
}

describe('retry budget', () => {
  it('grants the floor of 10 retries before any call has earned one', () => {
    const budget = createRetryBudget({ ratio: 0.2, floor: 10 });
    expect(drain(budget)).toBe(10);
    expect(budget.trySpend()).toBe(false);
  });

  it('refuses without taking anything, so a refusal does not dig a debt', () => {
    const budget = createRetryBudget({ ratio: 0.5, floor: 0 });
    expect(budget.trySpend()).toBe(false);
    expect(budget.trySpend()).toBe(false);
    budget.earn();
    budget.earn();
    expect(budget.trySpend()).toBe(true);
  });

  it('once the floor is spent, grants retries at the ratio of calls: one per four calls at 0.25', () => {
    const budget = createRetryBudget({ ratio: 0.25, floor: 10 });
    drain(budget);
    const grantedPerCall: boolean[] = [];
    for (let call = 0; call < 12; call += 1) {
      budget.earn();
      grantedPerCall.push(budget.trySpend());
    }
    expect(grantedPerCall.filter(Boolean)).toHaveLength(3);
    expect(grantedPerCall.map((granted, index) => (granted ? index : -1)).filter((index) => index >= 0)).toEqual([3, 7, 11]);
  });

  it('keeps retries within floor + ratio of calls over a run of failing calls (the default 0.2)', () => {
    const budget = createRetryBudget({ ratio: 0.2, floor: 10 });
    let retries = 0;
    // Every call fails and would retry twice if allowed (three attempts).
    for (let call = 0; call < 100; call += 1) {
      budget.earn();
      for (let retry = 0; retry < 2; retry += 1) if (budget.trySpend()) retries += 1;
    }
    expect(retries).toBe(10 + 100 * 0.2);
  });

  it('earns exactly one retry per five calls at 0.2 (no floating-point drift: 0.2 five times is not 1 in doubles)', () => {
    const budget = createRetryBudget({ ratio: 0.2, floor: 0 });
    const granted: number[] = [];
    for (let call = 1; call <= 50; call += 1) {
      budget.earn();
      if (budget.trySpend()) granted.push(call);
    }
    expect(granted).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
  });

  it("allows minPerSecond retries a second whatever the ratio, refilled with time, at most a second's worth", () => {
    const clock = { ms: 0 };
    const budget = createRetryBudget({ ratio: 0, floor: 0, minPerSecond: 4, now: () => clock.ms });
    expect(drain(budget)).toBe(4);
    clock.ms += 500;
    expect(drain(budget)).toBe(2);
    clock.ms += 60_000; // a long calm banks one second's worth, no more
    expect(drain(budget)).toBe(4);
  });

  it("spends the ratio's tokens before the time floor", () => {
    const clock = { ms: 0 };
    const budget = createRetryBudget({ ratio: 1, floor: 0, minPerSecond: 2, now: () => clock.ms });
    budget.earn();
    expect(budget.trySpend()).toBe(true); // the call's token
    expect(drain(budget)).toBe(2); // then the floor's
  });

  it('banks at most max(floor, 100) tokens over a long calm', () => {
    const budget = createRetryBudget({ ratio: 0.5, floor: 10 });
    for (let call = 0; call < 1_000; call += 1) budget.earn();
    expect(drain(budget)).toBe(100);
  });

  it('never banks below the floor when the floor is above 100', () => {
    const budget = createRetryBudget({ ratio: 1, floor: 150 });
    for (let call = 0; call < 10; call += 1) budget.earn();
    expect(drain(budget)).toBe(150);
  });
});
