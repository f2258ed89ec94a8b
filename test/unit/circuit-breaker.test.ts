/** The circuit breaker alone, on a fake clock: a failure rate over a window of logical calls, per family. */
import { describe, expect, it } from 'vitest';
import { createBreakerFamilies, createCircuitBreaker, type CircuitBreaker } from '../../src/datasources/http/circuit-breaker.ts';

const OPTIONS = { failureRate: 0.5, minCalls: 10, windowMs: 10_000, openMs: 1_000 };

function setup(options: Partial<typeof OPTIONS> = {}) {
  const clock = { ms: 1_000_000 };
  const breaker = createCircuitBreaker({ ...OPTIONS, ...options, now: () => clock.ms });
  return { clock, breaker, ...calls(breaker) };
}

/** Ends `times` calls with the given outcome, each asking for its permit first. */
function calls(breaker: CircuitBreaker) {
  const end = (outcome: 'success' | 'failure' | 'release') => (times: number) => {
    for (let i = 0; i < times; i += 1) {
      const permit = breaker.tryAcquire();
      expect(permit).toBeDefined();
      permit![outcome]();
    }
  };
  return { fail: end('failure'), succeed: end('success'), release: end('release') };
}

/** Opens it: 10 failed calls (the minimum, all failing). */
const openIt = (fail: (times: number) => void) => fail(10);

describe('circuit breaker', () => {
  it('does not judge fewer calls than minCalls, however many failed', () => {
    const { breaker, fail } = setup();
    fail(9);
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBeDefined();
  });

  it('opens once the window holds minCalls calls and the failure rate is reached, and refuses every call', () => {
    const { breaker, fail, succeed } = setup();
    succeed(5);
    fail(4);
    expect(breaker.state).toBe('closed'); // 4 of 9: below the minimum
    fail(1);
    expect(breaker.state).toBe('open'); // 5 of 10 = 50%
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.tryAcquire()).toBeUndefined();
  });

  it('stays closed below the rate, however many failures in a row (no consecutive count)', () => {
    const { breaker, fail, succeed } = setup();
    succeed(20);
    fail(19);
    expect(breaker.state).toBe('closed'); // 19 of 39
    fail(1);
    expect(breaker.state).toBe('open'); // 20 of 40
  });

  it('forgets calls older than the window', () => {
    const { clock, breaker, fail, succeed } = setup();
    fail(9);
    clock.ms += 10_000; // those 9 failures leave the window
    succeed(5);
    fail(4);
    expect(breaker.state).toBe('closed'); // 4 of 9 in the window
    fail(1);
    expect(breaker.state).toBe('open');
  });

  it('does not count a released call (cancelled, or a 429) as a failure or a success', () => {
    const { breaker, fail, release } = setup();
    release(100);
    fail(9);
    expect(breaker.state).toBe('closed');
    fail(1);
    expect(breaker.state).toBe('open');
  });

  it('stays open for openMs, then turns half-open', () => {
    const { clock, breaker, fail } = setup();
    openIt(fail);
    clock.ms += 999;
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
    clock.ms += 1;
    expect(breaker.state).toBe('half-open');
  });

  it('lets exactly one trial through while half-open, marked as the trial', () => {
    const { clock, breaker, fail } = setup();
    openIt(fail);
    clock.ms += 1_000;
    expect(breaker.tryAcquire()?.trial).toBe(true);
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.tryAcquire()).toBeUndefined();
  });

  it('closes when the trial succeeds, with an empty window', () => {
    const { clock, breaker, fail } = setup();
    openIt(fail);
    clock.ms += 1_000;
    breaker.tryAcquire()!.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()?.trial).toBe(false);
    fail(9); // the 10 failures before the opening are forgotten
    expect(breaker.state).toBe('closed');
  });

  it('opens again for another openMs when the trial fails', () => {
    const { clock, breaker, fail } = setup();
    openIt(fail);
    clock.ms += 1_500;
    breaker.tryAcquire()!.failure();
    expect(breaker.state).toBe('open');
    clock.ms += 999;
    expect(breaker.tryAcquire()).toBeUndefined();
    clock.ms += 1;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()?.trial).toBe(true);
  });

  it('frees the trial slot when the trial is released, without closing', () => {
    const { clock, breaker, fail } = setup();
    openIt(fail);
    clock.ms += 1_000;
    breaker.tryAcquire()!.release();
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBeDefined();
    expect(breaker.tryAcquire()).toBeUndefined();
  });

  it('ignores what calls admitted before the opening report afterwards, and a second report of a permit', () => {
    const { clock, breaker, fail } = setup();
    const late = Array.from({ length: 5 }, () => breaker.tryAcquire()!);
    openIt(fail);
    clock.ms += 1_000;
    const trial = breaker.tryAcquire()!;
    for (const permit of late) permit.failure(); // from the closed window: they neither reopen nor free the trial
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBeUndefined();
    trial.success();
    trial.failure();
    expect(breaker.state).toBe('closed');
  });

  it('tells since when it has been refusing, through failed trials, until it closes', () => {
    const { clock, breaker, fail } = setup();
    expect(breaker.openSince).toBeUndefined();
    openIt(fail);
    const opened = clock.ms;
    clock.ms += 1_000;
    breaker.tryAcquire()!.failure();
    clock.ms += 1_000;
    expect(breaker.openSince).toBe(opened);
    breaker.tryAcquire()!.success();
    expect(breaker.openSince).toBeUndefined();
  });
});

describe('breaker families', () => {
  function families() {
    const clock = { ms: 1_000_000 };
    return { clock, families: createBreakerFamilies({ ...OPTIONS, now: () => clock.ms }) };
  }

  it('keeps one breaker per family: failures of one do not refuse another', () => {
    const { families: all } = families();
    openIt(calls(all.of('createApiKey')).fail);
    expect(all.of('createApiKey').tryAcquire()).toBeUndefined();
    expect(all.of('listApiKeys').tryAcquire()).toBeDefined();
    expect(all.of('createApiKey')).toBe(all.of('createApiKey'));
  });

  it('is open as a whole only while every family seen is refusing, and tells for how long', () => {
    const { clock, families: all } = families();
    expect(all.state).toBe('closed');
    expect(all.openForMs()).toBeUndefined();
    openIt(calls(all.of('getAccount')).fail);
    calls(all.of('listStores')).succeed(1);
    expect(all.state).toBe('closed');
    expect(all.openForMs()).toBeUndefined();
    clock.ms += 500;
    calls(all.of('listStores')).fail(9); // 9 of 10

    expect(all.state).toBe('open');
    clock.ms += 2_000; // both half-open by now: still refusing as a whole (no call has succeeded)
    expect(all.state).toBe('half-open');
    expect(all.openForMs()).toBe(2_000); // since the later of the two openings
    all.of('getAccount').tryAcquire()!.success();
    expect(all.state).toBe('closed');
    expect(all.openForMs()).toBeUndefined();
  });
});
