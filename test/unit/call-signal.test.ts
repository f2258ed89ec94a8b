/** One upstream call's signal: the deadline, the callers' signals, and ending it. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortSource } from '../../src/datasources/http/abort-source.ts';
import { CallSignal } from '../../src/datasources/http/call-signal.ts';

describe('CallSignal', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('aborts every call still following a caller, with its reason, and none that ended', () => {
    const operation = new AbortController();
    const calls = Array.from({ length: 20 }, () => new CallSignal(1_000, operation.signal));
    calls[3]!.end();
    operation.abort(new Error('client went away'));
    expect(calls.filter((call) => call.aborted)).toHaveLength(19);
    expect(calls[3]!.aborted).toBe(false);
    expect((calls[0]!.reason as Error).message).toBe('client went away');
    expect(calls[0]!.deadlinePassed).toBe(false);
  });

  it('aborts at its deadline as a timeout, and not once ended', () => {
    const timed = new CallSignal(1_000);
    const ended = new CallSignal(1_000);
    ended.end();
    vi.advanceTimersByTime(1_000);
    expect(timed.aborted).toBe(true);
    expect(timed.deadlinePassed).toBe(true);
    expect((timed.reason as DOMException).name).toBe('TimeoutError');
    expect(ended.aborted).toBe(false);
  });

  it("follows a second caller (a read: the request's refused credentials), and starts aborted if a caller already is", () => {
    const operation = new AbortController();
    const refused = new AbortController();
    const read = new CallSignal(1_000, operation.signal, refused.signal);
    refused.abort('refused');
    expect(read.reason).toBe('refused');
    expect(new CallSignal(1_000, operation.signal, refused.signal).aborted).toBe(true);
  });

  it('tells a listener (undici) once, and its wait ends at the abort rather than the timer', async () => {
    const call = new CallSignal(1_000);
    const heard: unknown[] = [];
    call.once('abort', () => heard.push(call.reason));
    const waited = call.wait(10_000);
    let over = false;
    void waited.then(() => (over = true));
    await Promise.resolve();
    expect(over).toBe(false);
    call.abort('first');
    call.abort('second');
    await waited;
    expect(over).toBe(true);
    expect(heard).toEqual(['first']);
    expect(call.listenerCount('abort')).toBe(0);
  });

  it('waits the time asked when nothing aborts it', async () => {
    const call = new CallSignal(60_000);
    let over = false;
    void call.wait(500).then(() => (over = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(over).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(over).toBe(true);
    expect(call.listenerCount('abort')).toBe(0);
    call.end();
  });

  it("follows an AbortSource (an operation's) as it follows an AbortSignal, keeping its calls itself", () => {
    const operation = new AbortSource();
    const calls = Array.from({ length: 20 }, () => new CallSignal(1_000, operation));
    expect(operation.listenerCount('abort')).toBe(0); // it keeps its followers itself: no listener, no table
    calls[0]!.end();
    operation.abort('deadline');
    operation.abort('later');
    expect(calls.filter((call) => call.aborted)).toHaveLength(19);
    expect(calls[1]!.reason).toBe('deadline');
  });
});
