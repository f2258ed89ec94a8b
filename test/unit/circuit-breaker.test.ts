/** The circuit breaker alone, on a fake clock. */
import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../../src/datasources/http/circuit-breaker.ts';

function setup({ threshold = 3, openMs = 1_000 } = {}) {
  const clock = { ms: 1_000_000 };
  const breaker = createCircuitBreaker({ threshold, openMs, now: () => clock.ms });
  const fail = (times: number) => {
    for (let i = 0; i < times; i += 1) {
      expect(breaker.allow()).toBe(true);
      breaker.failure();
    }
  };
  return { clock, breaker, fail };
}

describe('circuit breaker', () => {
  it('stays closed below the threshold of consecutive failures', () => {
    const { breaker, fail } = setup({ threshold: 3 });
    fail(2);
    expect(breaker.state).toBe('closed');
    expect(breaker.allow()).toBe(true);
  });

  it('opens after the threshold of consecutive failures and refuses every call', () => {
    const { breaker, fail } = setup({ threshold: 3 });
    fail(3);
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    expect(breaker.allow()).toBe(false);
  });

  it('counts only consecutive failures: a success in between starts the count again', () => {
    const { breaker, fail } = setup({ threshold: 3 });
    fail(2);
    breaker.success();
    fail(2);
    expect(breaker.state).toBe('closed');
  });

  it('does not count a released (cancelled) call as a failure or a success', () => {
    const { breaker, fail } = setup({ threshold: 3 });
    fail(2);
    expect(breaker.allow()).toBe(true);
    breaker.release();
    expect(breaker.state).toBe('closed');
    fail(1);
    expect(breaker.state).toBe('open');
  });

  it('stays open for openMs, then turns half-open', () => {
    const { clock, breaker, fail } = setup({ threshold: 2, openMs: 1_000 });
    fail(2);
    clock.ms += 999;
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    clock.ms += 1;
    expect(breaker.state).toBe('half-open');
  });

  it('lets exactly one trial through while half-open', () => {
    const { clock, breaker, fail } = setup({ threshold: 2, openMs: 1_000 });
    fail(2);
    clock.ms += 1_000;
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    expect(breaker.allow()).toBe(false);
  });

  it('closes when the trial succeeds', () => {
    const { clock, breaker, fail } = setup({ threshold: 2, openMs: 1_000 });
    fail(2);
    clock.ms += 1_000;
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(true);
  });

  it('opens again for another openMs when the trial fails', () => {
    const { clock, breaker, fail } = setup({ threshold: 2, openMs: 1_000 });
    fail(2);
    clock.ms += 1_500;
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    clock.ms += 999;
    expect(breaker.allow()).toBe(false);
    clock.ms += 1;
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(true);
  });

  it('frees the trial slot when the trial is released, without closing', () => {
    const { clock, breaker, fail } = setup({ threshold: 2, openMs: 1_000 });
    fail(2);
    clock.ms += 1_000;
    expect(breaker.allow()).toBe(true);
    breaker.release();
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
  });
});
