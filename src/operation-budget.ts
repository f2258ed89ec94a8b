/**
 * What one GraphQL operation may spend upstream: at most `maxCalls` calls to Klarna, and until its
 * deadline. Every context gets a budget (unlimited, bound to the request's own signal); the
 * `useOperationBudget` plugin arms it when a query or mutation starts executing and releases it when
 * the execution is done.
 *
 * A subscription itself is never armed: it lives for hours and checks access with one call per
 * object it meets, so neither a call count nor a deadline fits it. Each of its events is: every event
 * is executed with a fresh context (`src/subscription-context.ts`), whose budget is armed with the
 * same limits for that event's execution and released when it is done. An event over budget is
 * delivered with the error (UPSTREAM_CALL_LIMIT, OPERATION_TIMEOUT); the next one starts afresh.
 *
 * The REST clients ask the budget before every `Upstream.send` (`admit`) and send with its `signal`,
 * which aborts at the deadline; a call that fails because of the deadline is reported as
 * OPERATION_TIMEOUT (`explain`), one refused for the count as UPSTREAM_CALL_LIMIT. (They know it only
 * as the `CallBudget` they declare in `src/datasources/rest-client.ts`.)
 */
import { OperationTimeoutError, UpstreamCallLimitError } from './errors.ts';

/**
 * A native AbortSignal that aborts with `signal`. @whatwg-node/server gives each HTTP request a
 * look-alike signal (a Proxy over an EventTarget) that Node 24's `AbortSignal.any` refuses
 * (`ERR_INVALID_ARG_TYPE`, whatwg-node#2445) though Node 20's takes it; the budget's signal is combined
 * with others by `AbortSignal.any` (here, and by the HTTP layer with each call's deadline), so it
 * must be native.
 */
function nativeSignal(signal: AbortSignal): AbortSignal {
  try {
    return AbortSignal.any([signal]);
  } catch {
    const follower = new AbortController();
    if (signal.aborted) follower.abort(signal.reason);
    else signal.addEventListener('abort', () => follower.abort(signal.reason), { once: true });
    return follower.signal;
  }
}

export interface BudgetLimits {
  /** Upstream calls one operation may make; the next one is refused. */
  maxCalls: number;
  /** From the start of execution; calls in flight then are cancelled. */
  deadlineMs: number;
}

export class OperationBudget {
  /** Upstream calls made so far (refused ones not counted). */
  calls = 0;
  /** Calls refused for the count. */
  refused = 0;
  /** What upstream calls send with: the request's signal, and once armed the deadline's too. */
  signal: AbortSignal | undefined;
  /**
   * On a subscription's (never armed) budget: the limits each of its events is executed under, set
   * by `useOperationBudget` when it subscribes; read by `freshContextPerEvent`.
   */
  eventLimits: BudgetLimits | undefined;
  private limits: BudgetLimits | undefined;
  private deadline: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  private readonly requestSignal: AbortSignal | undefined;

  constructor(requestSignal?: AbortSignal) {
    this.requestSignal = requestSignal && nativeSignal(requestSignal);
    this.signal = this.requestSignal;
  }

  /** Starts counting against `limits` and starts the deadline. Arming twice keeps the first. */
  arm(limits: BudgetLimits): void {
    if (this.limits) return;
    this.limits = limits;
    const deadline = new AbortController();
    this.deadline = deadline;
    // A cleared timer rather than `AbortSignal.timeout`: no timer outlives a fast operation.
    this.timer = setTimeout(() => deadline.abort(new DOMException('The operation deadline passed.', 'TimeoutError')), limits.deadlineMs);
    this.timer.unref?.();
    this.signal = this.requestSignal ? AbortSignal.any([this.requestSignal, deadline.signal]) : deadline.signal;
  }

  /** The execution is done: the deadline no longer runs (later calls, if any, are not cut short). */
  release(): void {
    clearTimeout(this.timer);
  }

  get timedOut(): boolean {
    return this.deadline?.signal.aborted ?? false;
  }

  /** Before every upstream call: counts it, or refuses it (deadline passed, or no calls left). */
  admit(): void {
    if (this.limits && this.timedOut) throw new OperationTimeoutError(this.limits.deadlineMs);
    if (this.limits && this.calls >= this.limits.maxCalls) {
      this.refused += 1;
      throw new UpstreamCallLimitError(this.limits.maxCalls);
    }
    this.calls += 1;
  }

  /** The error to surface for a failed call: OPERATION_TIMEOUT when the deadline is what stopped it. */
  explain(error: unknown): unknown {
    return this.limits && this.timedOut ? new OperationTimeoutError(this.limits.deadlineMs) : error;
  }
}
