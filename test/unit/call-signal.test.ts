/** One upstream call's signal: the deadline, the callers' signals, and ending it. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallSignal } from '../../src/datasources/http/call-signal.ts';

describe('CallSignal', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('aborts every call still following a caller, with its reason, and none that ended', () => {
    const operation = new AbortController();
    const calls = Array.from({ length: 20 }, () => new CallSignal(1_000, operation.signal));
    calls[3]!.end();
    operation.abort(new Error('client went away'));
    expect(calls.filter((call) => call.signal.aborted)).toHaveLength(19);
    expect(calls[3]!.signal.aborted).toBe(false);
    expect((calls[0]!.signal.reason as Error).message).toBe('client went away');
    expect(calls[0]!.deadlinePassed).toBe(false);
  });

  it('aborts at its deadline as a timeout, and not once ended', () => {
    const timed = new CallSignal(1_000);
    const ended = new CallSignal(1_000);
    ended.end();
    vi.advanceTimersByTime(1_000);
    expect(timed.signal.aborted).toBe(true);
    expect(timed.deadlinePassed).toBe(true);
    expect((timed.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(ended.signal.aborted).toBe(false);
  });

  it("follows a second caller (a read: the request's refused credentials), and starts aborted if a caller already is", () => {
    const operation = new AbortController();
    const refused = new AbortController();
    const read = new CallSignal(1_000, operation.signal, refused.signal);
    refused.abort('refused');
    expect(read.signal.reason).toBe('refused');
    expect(new CallSignal(1_000, operation.signal, refused.signal).signal.aborted).toBe(true);
  });
});
