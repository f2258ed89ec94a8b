/**
 * What one GraphQL operation may spend upstream: at most `maxCalls` calls to Klarna, and until its
 * deadline. Every context gets a budget (unlimited, cancelled when its caller goes away); the
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
 *
 * One HTTP request is one allowance, however many operations it carries (a batch): their budgets share
 * a `RequestCalls` (the gateway makes one per Request), so `maxCalls` bounds the whole request, and
 * once Klarna has answered 401 to one of its calls, no operation of the request calls Klarna again
 * (UNAUTHENTICATED, nothing sent), and its reads still queued or in flight are cancelled: junk
 * credentials cost one round of calls, not a batch of them.
 */
import { AbortSource, type Cancellation } from './datasources/http.ts';
import { OperationTimeoutError, UnauthenticatedError, UpstreamCallLimitError } from './errors.ts';

/**
 * The request an operation belongs to, whose `signal` is read on first need (a WebSocket operation's
 * is its connection's, made only then: most subscribers never call Klarna, and a signal costs ~0.7 KB).
 */
export interface SignalledRequest {
  readonly signal: AbortSignal;
}

export interface BudgetLimits {
  /** Upstream calls one operation may make; the next one is refused. */
  maxCalls: number;
  /** From the start of execution; calls in flight then are cancelled. */
  deadlineMs: number;
}

/** The Node response of an HTTP request, as far as telling that its caller went away goes. */
export interface ClosingResponse {
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * What the operations of one HTTP request share: their calls to Klarna, Klarna's refusal of its
 * credentials, and the caller going away.
 */
export class RequestCalls {
  /** Upstream calls made by every operation of the request. */
  calls = 0;
  // Made on first need: most requests (and every open subscription) never need them.
  private refusal: AbortSource | undefined;
  private gone: AbortSource | undefined;

  /**
   * `onUnauthenticated`: told once, at the first 401 (the gateway counts it against the client's address).
   * `response`: the request's Node response, when served by the Node server; its closing before it
   * finished is the caller going away.
   */
  constructor(
    private readonly onUnauthenticated?: () => void,
    private readonly response?: ClosingResponse,
  ) {}

  /** Whether the caller's going away can be told (`callerGone`). */
  get followsCaller(): boolean {
    return this.response !== undefined;
  }

  /**
   * Aborts when the caller goes away (the response closed before it finished); undefined without a
   * response (a request served through `fetch`, whose signal tells instead). Followed rather than the
   * Fetch request's signal: @whatwg-node/server's is a Proxy over an EventTarget, ~5 µs an operation to
   * read and follow under load, and made from the same response events. One listener for the request.
   */
  get callerGone(): AbortSource | undefined {
    const response = this.response;
    if (!response) return undefined;
    if (!this.gone) {
      const gone = (this.gone = new AbortSource());
      const goAway = () => {
        if (!response.writableFinished) gone.abort(new DOMException('The caller closed the request.', 'AbortError'));
      };
      if (response.destroyed) goAway();
      else response.once('close', goAway);
    }
    return this.gone;
  }

  /** True once Klarna answered 401 to a call of the request: its credentials are refused for the rest of it. */
  get unauthenticated(): boolean {
    return this.refusal?.aborted === true;
  }

  /** Aborts once Klarna answered 401 (the reads still queued or in flight are not worth their calls). */
  get refusedSignal(): Cancellation {
    return (this.refusal ??= new AbortSource());
  }

  refuseCredentials(): void {
    if (this.unauthenticated) return;
    (this.refusal ??= new AbortSource()).abort(new UnauthenticatedError(REFUSED_EARLIER));
    this.onUnauthenticated?.();
  }
}

const REFUSED_EARLIER = 'Klarna refused these credentials earlier in this request; nothing more was sent. Check the API key sent as Basic credentials.';

export class OperationBudget {
  /** Upstream calls made so far by this operation (refused ones not counted). */
  calls = 0;
  /** Calls refused for the count. */
  refused = 0;
  /** 401 or 403 once Klarna refused this operation's credentials (401 wins): its principal's cached answers are dropped. */
  credentialsRefused: 401 | 403 | undefined;
  /** Told at each refusal (the context factory drops the principal's cached reference data). */
  onCredentialsRefused: ((status: 401 | 403) => void) | undefined;
  /** What upstream calls send with: the request's signal, and once armed the deadline's too. */
  get signal(): Cancellation | undefined {
    return this.operation || this.request || this.shared.followsCaller ? this.controller() : undefined;
  }
  /**
   * On a subscription's (never armed) budget: the limits each of its events is executed under, set
   * by `useOperationBudget` when it subscribes; read by `sharedContextPerEvent`.
   */
  eventLimits: BudgetLimits | undefined;
  private limits: BudgetLimits | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline passed (the operation's signal then aborts with a TimeoutError). */
  private deadlinePassed = false;
  /**
   * The operation's one signal, made on first need: it follows the request's and, once armed, the
   * deadline. An `AbortSource` (an emitter, no AbortController or `AbortSignal.any`: @whatwg-node/server
   * gives each request a look-alike signal that Node 24's `AbortSignal.any` refuses, whatwg-node#2445),
   * which the HTTP layer follows with one listener however many calls are in flight.
   */
  private operation: AbortSource | undefined;

  /**
   * `shared`: the allowance of the HTTP request this operation belongs to (its own when not given).
   * The operation's controller, and its listener on `requestSignal`, are made on first need (a call
   * or arming): an open subscription's context holds neither.
   */
  constructor(
    private readonly request?: SignalledRequest,
    readonly shared: RequestCalls = new RequestCalls(),
  ) {
  }

  private get requestSignal(): AbortSignal | undefined {
    return this.request?.signal;
  }

  private controller(): AbortSource {
    if (!this.operation) {
      const operation = (this.operation = new AbortSource());
      const gone = this.shared.callerGone;
      if (gone) gone.addFollower(operation);
      else {
        const request = this.requestSignal;
        if (request?.aborted) operation.abort(request.reason);
        else request?.addEventListener('abort', () => operation.abort(request.reason), { once: true });
      }
    }
    return this.operation;
  }

  /** Whether the caller went away (the request was aborted). */
  private get callerAborted(): boolean {
    const gone = this.shared.callerGone;
    return gone ? gone.aborted : this.requestSignal?.aborted === true;
  }

  /**
   * Aborts once Klarna refused the request's credentials: reads are sent with it beside `signal` (the
   * HTTP layer follows both), writes are not (one may be applied by then, so it is never cut short).
   */
  get refusedSignal(): Cancellation {
    return this.shared.refusedSignal;
  }

  /** Starts counting against `limits` and starts the deadline. Arming twice keeps the first. */
  arm(limits: BudgetLimits): void {
    if (this.limits) return;
    this.limits = limits;
    const operation = this.controller();
    // A cleared timer rather than `AbortSignal.timeout`: no timer outlives a fast operation.
    this.timer = setTimeout(() => {
      this.deadlinePassed = true;
      operation.abort(new DOMException('The operation deadline passed.', 'TimeoutError'));
    }, limits.deadlineMs);
    this.timer.unref?.();
  }

  /** The execution is done: the deadline no longer runs (later calls, if any, are not cut short). */
  release(): void {
    clearTimeout(this.timer);
  }

  get timedOut(): boolean {
    return this.deadlinePassed;
  }

  /**
   * Before every upstream call: counts it, or refuses it (deadline passed, credentials refused earlier
   * in the request, or no calls left in the request's allowance).
   */
  admit(): void {
    if (this.limits && this.timedOut) throw new OperationTimeoutError(this.limits.deadlineMs);
    if (this.shared.unauthenticated) throw new UnauthenticatedError(REFUSED_EARLIER);
    if (this.limits && this.shared.calls >= this.limits.maxCalls) {
      this.refused += 1;
      throw new UpstreamCallLimitError(this.limits.maxCalls);
    }
    this.calls += 1;
    this.shared.calls += 1;
  }

  /** Klarna answered 401 (the credentials are refused: the rest of the request stops) or 403 to a call. */
  refusedCredentials(status: 401 | 403): void {
    if (this.credentialsRefused !== 401) this.credentialsRefused = status;
    if (status === 401) this.shared.refuseCredentials();
    this.onCredentialsRefused?.(status);
  }

  /**
   * The error to surface for a failed call: OPERATION_TIMEOUT when the deadline is what stopped it,
   * UNAUTHENTICATED when a read was cancelled because Klarna refused the request's credentials.
   */
  explain(error: unknown): unknown {
    if (this.limits && this.timedOut) return new OperationTimeoutError(this.limits.deadlineMs);
    return this.shared.unauthenticated && !this.callerAborted ? new UnauthenticatedError(REFUSED_EARLIER) : error;
  }
}
