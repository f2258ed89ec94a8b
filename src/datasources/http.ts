/**
 * The HTTP layer under both REST clients: one pooled undici Agent per upstream origin, made at boot and
 * shared by every request (keep-alive), with the resilience a gateway owes its callers:
 *
 * - timeouts for connect, headers and body, and a deadline per call that retries stay within;
 * - retries only for calls marked idempotent (GETs; writes only when they carry an idempotency key),
 *   on 429, 502, 503, 504 and dropped connections, with exponential backoff and full jitter, honouring
 *   `Retry-After` (`http/backoff.ts`), and spending from a retry budget so that retries never multiply
 *   an outage (`http/retry-budget.ts`; reads and writes have one each, so reads never starve writes);
 * - a circuit breaker per upstream that fails fast while the upstream keeps failing (`http/circuit-breaker.ts`);
 * - a metrics hook that sees every attempt (`http/attempt.ts`);
 * - with a tracer (tracing on), one OpenTelemetry CLIENT span per logical call (`http/upstream-span.ts`);
 * - a readiness probe of the origin (`http/probe.ts`).
 *
 * This module composes those units into the `Upstream` the rest of the gateway imports; it alone
 * decides, after each failed attempt, whether to try again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Tracer } from '@opentelemetry/api';
import { Agent } from 'undici';
import { RateLimitedError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.ts';
import { createAttempt, isRetryableStatus } from './http/attempt.ts';
import { createBackoff, parseRetryAfter } from './http/backoff.ts';
import { createCircuitBreaker, type BreakerState } from './http/circuit-breaker.ts';
import { probeOrigin, type ProbeResult } from './http/probe.ts';
import { createRetryBudget } from './http/retry-budget.ts';
import type { AttemptFailure, UpstreamMetrics, UpstreamRequest, UpstreamResponse } from './http/types.ts';
import { createUpstreamSpans, type CallTrace } from './http/upstream-span.ts';

export type { BreakerState, ProbeResult, UpstreamMetrics, UpstreamRequest, UpstreamResponse };

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
  /** Retries may use at most this fraction of calls, above a small floor (`retryBudgetFloor`). */
  retryBudgetRatio?: number;
  retryBudgetFloor?: number;
  /** Consecutive failures that open the breaker, and how long it stays open before one probe. */
  breakerThreshold?: number;
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
  breakerState(): BreakerState;
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
  maxAttempts = 3,
  baseDelayMs = 50,
  maxDelayMs = 1_000,
  retryBudgetRatio = 0.2,
  retryBudgetFloor = 10,
  breakerThreshold = 5,
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
  const breaker = createCircuitBreaker({ threshold: breakerThreshold, openMs: breakerOpenMs, now });
  // Writes spend from a budget of their own: a burst of failing reads never leaves a keyed write
  // (safe to send again, and what a caller is waiting on) without its retries.
  const retryBudgets = { read: createRetryBudget({ ratio: retryBudgetRatio, floor: retryBudgetFloor }), write: createRetryBudget({ ratio: retryBudgetRatio, floor: retryBudgetFloor }) };
  const backoff = createBackoff({ baseDelayMs, maxDelayMs, random });
  const traced = tracer ? createUpstreamSpans({ tracer, name, origin }) : undefined;

  async function sendAttempts(call: UpstreamRequest, trace?: CallTrace): Promise<UpstreamResponse> {
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = call.signal ? AbortSignal.any([deadline, call.signal]) : deadline;
    const startedAt = now();
    const retryBudget = call.method === 'GET' ? retryBudgets.read : retryBudgets.write;
    retryBudget.earn();

    for (let attemptNumber = 1; ; attemptNumber += 1) {
      if (!breaker.allow()) {
        metrics?.observe(name, call.operation, 'circuit_open', 0);
        trace?.circuitOpen();
        throw new UpstreamUnavailableError(name);
      }
      const outcome = await attempt(call, signal, deadline);
      if (attemptNumber > 1) trace?.resent(attemptNumber - 1);
      if (!('kind' in outcome)) {
        breaker.success();
        return outcome;
      }
      if (outcome.kind === 'cancelled') {
        breaker.release();
        throw new UpstreamTimeoutError(name);
      }
      const retryAfterSeconds = outcome.kind === 'status' ? parseRetryAfter(outcome.response.headers['retry-after'], now()) : undefined;
      if (outcome.kind === 'status') {
        await outcome.response.body.dump().catch(() => undefined);
        // 429 is the upstream protecting itself, not failing: it does not count against the breaker.
        if (outcome.response.status === 429) breaker.success();
        else breaker.failure();
      } else breaker.failure();

      const waitMs = backoff.waitMs({ failedAttempt: attemptNumber, retryAfterSeconds, remainingMs: deadlineMs - (now() - startedAt) });
      const retryable =
        call.idempotent &&
        !signal.aborted &&
        attemptNumber < maxAttempts &&
        waitMs !== undefined &&
        (outcome.kind !== 'status' || isRetryableStatus(outcome.response.status)) &&
        // Last: a token is spent only for a retry that happens.
        retryBudget.trySpend();
      if (!retryable) {
        if (outcome.kind === 'status') trace?.failedWithStatus(outcome.response.status);
        throw finalError(outcome, retryAfterSeconds);
      }
      trace?.retrying(attemptNumber, outcome.kind === 'status' ? String(outcome.response.status) : outcome.kind, waitMs);
      await sleep(waitMs, undefined, { signal }).catch(() => undefined);
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
    breakerState: () => breaker.state,
    probe: ({ timeoutMs }) => probeOrigin(origin, timeoutMs),
    close: () => agent.close(),
  };
}
