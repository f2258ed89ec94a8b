/**
 * The HTTP layer under both REST clients: one pooled undici Agent per upstream origin, made at boot and
 * shared by every request (keep-alive), with the resilience a gateway owes its callers:
 *
 * - timeouts for connect, headers and body, and a deadline per call that retries stay within;
 * - retries only for calls marked idempotent (GETs; writes only when they carry an idempotency key),
 *   on 429, 502, 503, 504 and dropped connections, with exponential backoff and full jitter, honouring
 *   `Retry-After` (`http/backoff.ts`), and spending from a retry budget (a ratio of calls, and a floor
 *   of retries a second) so that retries never multiply an outage (`http/retry-budget.ts`; reads and writes have one
 *   each, so reads never starve writes);
 * - a circuit breaker per operation family (API + operationId), judging logical calls (a call that
 *   succeeded on a retry is a success): it opens on a failure rate over a sliding window, fails fast
 *   while open, and lets one trial call through (sent once, without retries) to close again
 *   (`http/circuit-breaker.ts`);
 * - a metrics hook that sees every attempt (`http/attempt.ts`);
 * - with a tracer (tracing on), one OpenTelemetry CLIENT span per logical call (`http/upstream-span.ts`);
 * - a readiness probe of the origin (`http/probe.ts`).
 *
 * This module composes those units into the `Upstream` the rest of the gateway imports; it alone
 * decides, after each failed attempt, whether to try again.
 */
import type { Tracer } from '@opentelemetry/api';
import { Agent } from 'undici';
import { RateLimitedError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.ts';
import { createAttempt, isRetryableStatus } from './http/attempt.ts';
import { CallSignal } from './http/call-signal.ts';
import { createBackoff, parseRetryAfter } from './http/backoff.ts';
import { createBreakerFamilies, type BreakerState, type CallPermit } from './http/circuit-breaker.ts';
import { probeOrigin, type ProbeResult } from './http/probe.ts';
import { createRetryBudget } from './http/retry-budget.ts';
import type { AttemptFailure, UpstreamMetrics, UpstreamRequest, UpstreamResponse } from './http/types.ts';
import { createUpstreamSpans, type CallTrace } from './http/upstream-span.ts';

export { AbortSource, type Cancellation } from './http/abort-source.ts';
export type { BreakerState, ProbeResult, UpstreamMetrics, UpstreamRequest, UpstreamResponse };

/** The permit of every call when the breaker is off: nothing is counted. */
const NO_BREAKER: CallPermit = { trial: false, success: () => undefined, failure: () => undefined, release: () => undefined };

export interface UpstreamOptions {
  /** Human name used in client-visible messages, e.g. "Partner Management API". */
  name: string;
  origin: string;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Upper bound for one logical call including its retries. */
  deadlineMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Retries may use at most this fraction of calls, above small floors (`retryBudgetFloor` at start, `retryBudgetPerSecond` always). */
  retryBudgetRatio?: number;
  retryBudgetFloor?: number;
  retryBudgetPerSecond?: number;
  /** `false`: no circuit breaker at all (every call is sent). */
  breaker?: boolean;
  /** An operation's breaker opens when at least this fraction of its calls failed over `breakerWindowMs`, ... */
  breakerFailureRate?: number;
  /** ... once at least this many calls ended in that window; */
  breakerMinCalls?: number;
  breakerWindowMs?: number;
  /** it stays open this long before one trial call. */
  breakerOpenMs?: number;
  connections?: number;
  metrics?: UpstreamMetrics;
  /** Tracing on (`src/telemetry/tracing.ts`): a span per logical call. Unset: no tracing code runs. */
  tracer?: Tracer;
  random?: () => number;
  /** Wall clock in milliseconds, for the breaker, the deadline's remainder and `Retry-After` dates. */
  now?: () => number;
}

export interface Upstream {
  name: string;
  origin: string;
  /** Sends one logical call; resolves with any non-failing response (2xx, 3xx, 4xx but 429). */
  send(call: UpstreamRequest): Promise<UpstreamResponse>;
  /** The whole API's breaker state: `open` only while every operation's breaker used so far is refusing calls. */
  breakerState(): BreakerState;
  /** One operation's breaker state (`closed` for an operation not called yet). */
  operationBreakerState(operation: string): BreakerState;
  /** How long every operation's breaker has been refusing calls without a break (`undefined` while any is closed). */
  breakerOpenForMs(): number | undefined;
  /** Whether the origin answers at all (any status) within `timeoutMs`; never throws. */
  probe(options: { timeoutMs: number }): Promise<ProbeResult>;
  close(): Promise<void>;
}

export function createUpstream({
  name,
  origin,
  connectTimeoutMs = 2_000,
  headersTimeoutMs = 5_000,
  bodyTimeoutMs = 10_000,
  deadlineMs = 8_000,
  maxAttempts = 5,
  baseDelayMs = 50,
  maxDelayMs = 1_000,
  retryBudgetRatio = 0.3,
  retryBudgetFloor = 10,
  retryBudgetPerSecond = 10,
  breaker: breakerOn = true,
  breakerFailureRate = 0.5,
  breakerMinCalls = 20,
  breakerWindowMs = 10_000,
  breakerOpenMs = 5_000,
  connections = 128,
  metrics,
  tracer,
  random = Math.random,
  now = Date.now,
}: UpstreamOptions): Upstream {
  const agent = new Agent({
    connect: { timeout: connectTimeoutMs },
    headersTimeout: headersTimeoutMs,
    bodyTimeout: bodyTimeoutMs,
    keepAliveTimeout: 30_000,
    connections,
  });
  const attempt = createAttempt({ name, origin, agent, metrics });
  const breakers = createBreakerFamilies({
    failureRate: breakerFailureRate,
    minCalls: breakerMinCalls,
    windowMs: breakerWindowMs,
    openMs: breakerOpenMs,
    now,
    ...(metrics?.breakerOpened ? { onOpen: (operation: string) => metrics.breakerOpened?.(name, operation) } : {}),
  });
  if (breakerOn) metrics?.watchBreakers?.(name, () => breakers.states());
  // Writes spend from a budget of their own: a burst of failing reads never leaves a keyed write
  // (safe to send again, and what a caller is waiting on) without its retries.
  const budgetOptions = { ratio: retryBudgetRatio, floor: retryBudgetFloor, minPerSecond: retryBudgetPerSecond, now };
  const retryBudgets = { read: createRetryBudget(budgetOptions), write: createRetryBudget(budgetOptions) };
  const backoff = createBackoff({ baseDelayMs, maxDelayMs, random });
  const traced = tracer ? createUpstreamSpans({ tracer, name, origin }) : undefined;

  /**
   * One logical call: its attempts, within its deadline. One async function for the whole call (each
   * suspended frame, with its promise, lives as long as the call: at concurrency 20 a scavenge finds
   * hundreds of calls in flight).
   */
  async function sendAttempts(call: UpstreamRequest, trace?: CallTrace): Promise<UpstreamResponse> {
    // Ended once the answer's body is read (or the call fails): the deadline covers reading it too.
    const deadline = new CallSignal(deadlineMs, call.signal, call.alsoCancelledBy);
    try {
      const startedAt = now();
      const breaker = breakers.of(call.operation);
      const permit = breakerOn ? breaker.tryAcquire() : NO_BREAKER;
      if (!permit) {
        metrics?.observe(name, call.operation, 'circuit_open', 0);
        trace?.circuitOpen();
        throw new UpstreamUnavailableError(name);
      }
      const retryBudget = call.method === 'GET' ? retryBudgets.read : retryBudgets.write;
      retryBudget.earn();

      for (let attemptNumber = 1; ; attemptNumber += 1) {
        const started = performance.now();
        let outcome: UpstreamResponse | AttemptFailure;
        try {
          outcome = attempt.answered(call, await attempt.send(call, deadline), started);
        } catch (error) {
          outcome = attempt.failed(call, error, deadline, started);
        }
        if (attemptNumber > 1) trace?.resent(attemptNumber - 1);
        // Any answer but a failing one (2xx, 3xx, 4xx but 429): Klarna is well, whatever it said.
        if (!('kind' in outcome)) {
          permit.success();
          outcome.body.once('close', deadline.end);
          return outcome;
        }
        if (outcome.kind === 'cancelled') {
          permit.release();
          throw new UpstreamTimeoutError(name);
        }
        const retryAfterSeconds = outcome.kind === 'status' ? parseRetryAfter(outcome.response.headers['retry-after'], now()) : undefined;
        if (outcome.kind === 'status') await outcome.response.body.dump().catch(() => undefined);

        const waitMs = backoff.waitMs({ failedAttempt: attemptNumber, retryAfterSeconds, remainingMs: deadlineMs - (now() - startedAt) });
        const retryable =
          call.idempotent &&
          !deadline.aborted &&
          attemptNumber < maxAttempts &&
          // The half-open trial is sent once: it is there to learn whether Klarna is back, cheaply.
          !permit.trial &&
          // Opened meanwhile (by other calls): stop here rather than add to it.
          breaker.state === 'closed' &&
          waitMs !== undefined &&
          (outcome.kind !== 'status' || isRetryableStatus(outcome.response.status)) &&
          // Last: a token is spent only for a retry that happens.
          retryBudget.trySpend();
        if (!retryable) {
          if (outcome.kind === 'status') trace?.failedWithStatus(outcome.response.status);
          // The call ends failed. A 429 is Klarna protecting itself, not failing: it does not count.
          if (outcome.kind === 'status' && outcome.response.status === 429) permit.release();
          else permit.failure();
          throw finalError(outcome, retryAfterSeconds);
        }
        trace?.retrying(attemptNumber, outcome.kind === 'status' ? String(outcome.response.status) : outcome.kind, waitMs);
        await deadline.wait(waitMs);
      }
    } catch (error) {
      deadline.end();
      throw error;
    }
  }

  function finalError(failure: AttemptFailure, retryAfterSeconds: number | undefined): Error {
    if (failure.kind === 'timeout') return new UpstreamTimeoutError(name);
    if (failure.kind === 'status' && failure.response.status === 429) return new RateLimitedError(retryAfterSeconds ?? 1);
    return new UpstreamUnavailableError(name);
  }

  return {
    name,
    origin,
    send: traced ? (call) => traced(call, sendAttempts) : (call) => sendAttempts(call),
    breakerState: () => breakers.state,
    operationBreakerState: (operation) => breakers.of(operation).state,
    breakerOpenForMs: () => (breakerOn ? breakers.openForMs() : undefined),
    probe: ({ timeoutMs }) => probeOrigin(origin, timeoutMs),
    close: () => agent.close(),
  };
}
