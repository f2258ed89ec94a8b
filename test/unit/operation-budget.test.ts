/**
 * The call allowance of one HTTP request (`RequestCalls`), shared by the budgets of its operations: one
 * call cap for all of them, and once Klarna answered 401 to any call, no further call is admitted and
 * the reads still under way are cancelled (writes are not: they may be applied already).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { UnauthenticatedError, UpstreamCallLimitError } from '../../src/errors.ts';
import { OperationBudget, RequestCalls } from '../../src/operation-budget.ts';

const LIMITS = { maxCalls: 3, deadlineMs: 60_000 };

/** Two armed budgets of one request, as Yoga makes for a batch of two operations. */
function batchOfTwo(onUnauthenticated?: () => void) {
  const shared = new RequestCalls(onUnauthenticated);
  const budgets = [new OperationBudget(undefined, shared), new OperationBudget(undefined, shared)] as const;
  for (const budget of budgets) budget.arm(LIMITS);
  return { shared, budgets };
}

describe('OperationBudget in one request', () => {
  it('counts the calls of every operation against one cap, and each operation its own', () => {
    const { shared, budgets: [first, second] } = batchOfTwo();
    first.admit();
    first.admit();
    second.admit();
    expect(() => second.admit()).toThrow(UpstreamCallLimitError);
    expect([first.calls, second.calls, second.refused, shared.calls]).toEqual([2, 1, 1, 3]);
    for (const budget of [first, second]) budget.release();
  });

  it("admits no call of any operation after one operation's 401, and cancels reads, not writes", () => {
    let told = 0;
    const { budgets: [first, second] } = batchOfTwo(() => (told += 1));
    first.admit();
    second.admit();
    first.refusedCredentials(401);
    first.refusedCredentials(401);
    expect(told).toBe(1); // one failed authentication per request
    expect(first.credentialsRefused).toBe(401);
    expect(second.credentialsRefused).toBeUndefined();
    for (const budget of [first, second]) {
      expect(() => budget.admit()).toThrow(UnauthenticatedError);
      expect(budget.refusedSignal.aborted).toBe(true);
      expect(budget.signal?.aborted).toBe(false);
      expect(budget.explain(new DOMException('aborted', 'AbortError'))).toBeInstanceOf(UnauthenticatedError);
    }
    expect([first.calls, second.calls]).toEqual([1, 1]);
    for (const budget of [first, second]) budget.release();
  });

  it('goes on after a 403, which refuses one operation, not the credentials', () => {
    const { budgets: [first, second] } = batchOfTwo();
    first.refusedCredentials(403);
    expect(first.credentialsRefused).toBe(403);
    expect(() => second.admit()).not.toThrow();
    expect(second.refusedSignal.aborted).toBe(false);
    for (const budget of [first, second]) budget.release();
  });

  it("follows the caller going away through the request's Node response: one listener for the request, not a finished response's close", () => {
    const response = Object.assign(new EventEmitter(), { destroyed: false, writableFinished: false });
    const shared = new RequestCalls(undefined, response);
    const budgets = [new OperationBudget(undefined, shared), new OperationBudget(undefined, shared)];
    const signals = budgets.map((budget) => budget.signal!);
    expect(signals.map((signal) => signal.aborted)).toEqual([false, false]);
    expect(response.listenerCount('close')).toBe(1);
    response.emit('close');
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true]);
    expect((signals[0]!.reason as DOMException).name).toBe('AbortError');

    const finished = Object.assign(new EventEmitter(), { destroyed: false, writableFinished: true });
    const after = new OperationBudget(undefined, new RequestCalls(undefined, finished));
    const signal = after.signal!;
    finished.emit('close');
    expect(signal.aborted).toBe(false);
  });

  it('is cancelled at once when the response had already closed unfinished, and then explains no refusal', () => {
    const closed = Object.assign(new EventEmitter(), { destroyed: true, writableFinished: false });
    const shared = new RequestCalls(undefined, closed);
    const budget = new OperationBudget(undefined, shared);
    expect(budget.signal?.aborted).toBe(true);
    shared.refuseCredentials();
    const hungUp = new DOMException('aborted', 'AbortError');
    expect(budget.explain(hungUp)).toBe(hungUp);
  });
});
