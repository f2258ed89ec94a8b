/**
 * The HTTP layer under both REST clients: one pooled undici Agent per upstream origin, made at boot and
 * shared by every request (keep-alive), with the resilience a gateway owes its callers:
 *
 * - timeouts for connect, headers and body, and a deadline per call that retries stay within;
 * - retries only for calls marked idempotent (GETs; writes only when they carry an idempotency key),
 *   on 429, 502, 503, 504 and dropped connections, with exponential backoff and full jitter, honouring
 *   `Retry-After`, and spending from a retry budget so that retries never multiply an outage;
 * - a circuit breaker per upstream that fails fast while the upstream keeps failing;
 * - a metrics hook that sees every attempt;
 * - with a tracer (tracing on), one OpenTelemetry CLIENT span per logical call, child of whatever span
 *   is active (the GraphQL operation's): `GET getAccount`, with `http.request.method`, `server.address`,
 *   `server.port`, `url.path` (no query), `klarna.api`, `klarna.operation`, `http.response.status_code`,
 *   `http.request.resend_count`, an event per retry, and status ERROR (`error.type`) on a failure or a
 *   status >= 400. Its context goes out as `traceparent`. Never headers (credentials) or bodies. The span
 *   ends when the response headers arrive; the body is read by the caller.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { context as otelContext, propagation, SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { Agent, request, errors, type Dispatcher } from 'undici';
import { errorCodeOf, RateLimitedError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.ts';

export interface UpstreamMetrics {
  /** One attempt: its outcome is the HTTP status, or `timeout`, `cancelled`, `error`, `circuit_open`. */
  observe(api: string, operation: string, outcome: string, seconds: number): void;
}

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
}

export interface UpstreamRequest {
  /** The contract's operationId, for metrics and logs. */
  operation: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. `/v2/accounts/krn%3A...?expand=brands`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Safe to send again: GETs, and writes that carry an idempotency key. */
  idempotent: boolean;
  /** The caller's own deadline (the GraphQL operation's), if sooner than ours. */
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Must be consumed or dumped by the caller. */
  body: Dispatcher.ResponseData['body'];
}

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const CONNECTION_ERROR_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_CLOSED', 'ENOTFOUND', 'EAI_AGAIN']);

type Failure = { kind: 'status'; response: UpstreamResponse } | { kind: 'timeout' } | { kind: 'connection' } | { kind: 'cancelled' };

/** Seconds from a `Retry-After` header (delta-seconds or HTTP date), if present and sane. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function classifyError(error: unknown): 'timeout' | 'connection' | undefined {
  if (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError ||
    (error instanceof Error && error.name === 'TimeoutError')
  ) {
    return 'timeout';
  }
  const code = (error as { code?: string })?.code;
  if (error instanceof errors.SocketError || (code && CONNECTION_ERROR_CODES.has(code))) return 'connection';
  return undefined;
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
}: UpstreamOptions) {
  const agent = new Agent({
    connect: { timeout: connectTimeoutMs },
    headersTimeout: headersTimeoutMs,
    bodyTimeout: bodyTimeoutMs,
    keepAliveTimeout: 30_000,
    connections,
  });

  // Retry budget: a token bucket that earns `retryBudgetRatio` per call and spends 1 per retry.
  let retryTokens = retryBudgetFloor;
  const maxTokens = Math.max(retryBudgetFloor, 100);

  // Circuit breaker: closed → open after `breakerThreshold` consecutive failures → one probe after
  // `breakerOpenMs` (half-open) → closed on success, open again on failure.
  let consecutiveFailures = 0;
  let openUntil = 0;
  let probing = false;

  const breaker = {
    allow(): boolean {
      if (consecutiveFailures < breakerThreshold) return true;
      if (Date.now() < openUntil || probing) return false;
      probing = true;
      return true;
    },
    success() {
      consecutiveFailures = 0;
      probing = false;
    },
    /** A call ended without telling anything about the upstream (the caller cancelled it). */
    release() {
      probing = false;
    },
    failure() {
      consecutiveFailures += 1;
      probing = false;
      if (consecutiveFailures >= breakerThreshold) openUntil = Date.now() + breakerOpenMs;
    },
    get state(): 'closed' | 'open' | 'half-open' {
      if (consecutiveFailures < breakerThreshold) return 'closed';
      return Date.now() < openUntil ? 'open' : 'half-open';
    },
  };

  async function attempt(call: UpstreamRequest, signal: AbortSignal, deadline: AbortSignal): Promise<UpstreamResponse | Failure> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const response = await request(`${origin}${call.path}`, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        dispatcher: agent,
        signal,
      });
      metrics?.observe(name, call.operation, String(response.statusCode), seconds());
      const result: UpstreamResponse = { status: response.statusCode, headers: response.headers, body: response.body };
      return RETRYABLE_STATUSES.has(response.statusCode) || response.statusCode >= 500 ? { kind: 'status', response: result } : result;
    } catch (error) {
      // The caller going away (client disconnected) says nothing about the upstream's health. (The
      // caller's signal may not report `aborted` itself, so it is told apart from our own deadline.)
      const kind = signal.aborted ? (deadline.aborted ? 'timeout' : 'cancelled') : classifyError(error);
      metrics?.observe(name, call.operation, kind ?? 'error', seconds());
      if (!kind) throw error;
      return { kind };
    }
  }

  const server = new URL(origin);
  const serverPort = Number(server.port) || (server.protocol === 'https:' ? 443 : 80);

  /** Sends one logical call; resolves with any non-failing response (2xx, 3xx, 4xx but 429). */
  function send(call: UpstreamRequest): Promise<UpstreamResponse> {
    if (!tracer) return sendAttempts(call);
    const attributes = {
      'http.request.method': call.method,
      'server.address': server.hostname,
      'server.port': serverPort,
      'url.path': call.path.split('?', 1)[0]!,
      'klarna.api': name,
      'klarna.operation': call.operation,
    };
    return tracer.startActiveSpan(`${call.method} ${call.operation}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      try {
        // Every attempt carries this span as its parent (`traceparent`): Klarna's side joins the caller's trace.
        const headers = { ...call.headers };
        propagation.inject(otelContext.active(), headers);
        const response = await sendAttempts({ ...call, headers }, span);
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 400) {
          span.setAttribute('error.type', String(response.status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        return response;
      } catch (error) {
        const code = errorCodeOf(error);
        span.setAttribute('error.type', code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: code });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  async function sendAttempts(call: UpstreamRequest, span?: Span): Promise<UpstreamResponse> {
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = call.signal ? AbortSignal.any([deadline, call.signal]) : deadline;
    const startedAt = Date.now();
    retryTokens = Math.min(maxTokens, retryTokens + retryBudgetRatio);

    for (let attemptNumber = 1; ; attemptNumber += 1) {
      if (!breaker.allow()) {
        metrics?.observe(name, call.operation, 'circuit_open', 0);
        span?.addEvent('circuit_open');
        throw new UpstreamUnavailableError(name);
      }
      const outcome = await attempt(call, signal, deadline);
      if (attemptNumber > 1) span?.setAttribute('http.request.resend_count', attemptNumber - 1);
      if (!('kind' in outcome)) {
        breaker.success();
        return outcome;
      }
      if (outcome.kind === 'cancelled') {
        breaker.release();
        throw new UpstreamTimeoutError(name);
      }
      const retryAfterSeconds = outcome.kind === 'status' ? parseRetryAfter(outcome.response.headers['retry-after']) : undefined;
      if (outcome.kind === 'status') {
        await outcome.response.body.dump().catch(() => undefined);
        // 429 is the upstream protecting itself, not failing: it does not count against the breaker.
        if (outcome.response.status === 429) breaker.success();
        else breaker.failure();
      } else breaker.failure();

      const remainingMs = deadlineMs - (Date.now() - startedAt);
      const backoffMs = random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attemptNumber - 1));
      const waitMs = Math.max(backoffMs, (retryAfterSeconds ?? 0) * 1000);
      const retryable =
        call.idempotent &&
        !signal.aborted &&
        attemptNumber < maxAttempts &&
        waitMs < remainingMs &&
        retryTokens >= 1 &&
        (outcome.kind !== 'status' || RETRYABLE_STATUSES.has(outcome.response.status));
      if (!retryable) {
        if (outcome.kind === 'status') span?.setAttribute('http.response.status_code', outcome.response.status);
        throw finalError(outcome, retryAfterSeconds);
      }
      retryTokens -= 1;
      span?.addEvent('retry', {
        'http.request.resend_count': attemptNumber,
        'klarna.retry.reason': outcome.kind === 'status' ? String(outcome.response.status) : outcome.kind,
        'klarna.retry.wait_ms': Math.round(waitMs),
      });
      await sleep(waitMs, undefined, { signal }).catch(() => undefined);
    }
  }

  function finalError(failure: Failure, retryAfterSeconds: number | undefined): Error {
    if (failure.kind === 'timeout') return new UpstreamTimeoutError(name);
    if (failure.kind === 'status' && failure.response.status === 429) return new RateLimitedError(retryAfterSeconds ?? 1);
    return new UpstreamUnavailableError(name);
  }

  return {
    name,
    origin,
    send,
    breakerState: () => breaker.state,
    close: () => agent.close(),
  };
}
export type Upstream = ReturnType<typeof createUpstream>;
