/**
 * One attempt of a logical call: one request on the upstream's pooled Agent, observed by the metrics
 * hook, its result sorted into a response the caller may use or a failure the retry loop decides on.
 */
import { errors, type Dispatcher } from 'undici';
import type { CallSignal } from './call-signal.ts';
import type { AttemptFailure, UpstreamMetrics, UpstreamRequest, UpstreamResponse } from './types.ts';

/** Statuses worth another attempt (when the call is idempotent): the upstream asks to wait, or a proxy or the upstream is briefly down. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const CONNECTION_ERROR_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_CLOSED', 'ENOTFOUND', 'EAI_AGAIN']);

export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUSES.has(status);

/** A thrown error that says something about the upstream; `undefined` for anything else (a bug: rethrown). */
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

export interface AttemptOptions {
  /** The upstream's name, the `api` label of its metrics. */
  name: string;
  origin: string;
  agent: Dispatcher;
  metrics?: UpstreamMetrics | undefined;
}

/**
 * One attempt, in two halves so that the retry loop awaits undici's promise itself (one suspended
 * async frame per call in flight, not two: at concurrency 20 a scavenge finds hundreds of calls in
 * flight, and each frame is copied). `send` starts the request; its answer goes to `answered`, its
 * error to `failed`, each with the `performance.now()` taken before `send`.
 *
 * `deadline` aborts the attempt (the call's deadline or the caller going away); `deadline.deadlinePassed`
 * (the call's own deadline aborted it) tells a timeout apart from a cancellation.
 */
export interface Attempt {
  send(call: UpstreamRequest, deadline: CallSignal): Promise<Dispatcher.ResponseData>;
  /** The answer as a response the caller may use, or as a failing status the retry loop decides on. */
  answered(call: UpstreamRequest, response: Dispatcher.ResponseData, started: number): UpstreamResponse | AttemptFailure;
  /** The failure `send` ended with, sorted; an error that says nothing about the upstream (a bug) is rethrown. */
  failed(call: UpstreamRequest, error: unknown, deadline: CallSignal, started: number): AttemptFailure;
}

export function createAttempt({ name, origin, agent, metrics }: AttemptOptions): Attempt {
  // Parsed once: each attempt hands undici the origin and the path apart (`Dispatcher.request`), so no
  // URL is parsed per call. A base path in the configured origin (`https://host/prefix`) prefixes every path.
  const base = new URL(origin);
  const pathPrefix = base.pathname.replace(/\/+$/, '');
  return {
    send: (call, deadline) =>
      agent.request({
        origin: base.origin,
        path: pathPrefix + call.path,
        method: call.method,
        headers: call.headers,
        body: call.body ?? null,
        signal: deadline,
      }),
    answered(call, response, started) {
      metrics?.observe(name, call.operation, String(response.statusCode), (performance.now() - started) / 1000);
      const result: UpstreamResponse = { status: response.statusCode, headers: response.headers, body: response.body };
      return isRetryableStatus(response.statusCode) || response.statusCode >= 500 ? { kind: 'status', response: result } : result;
    },
    failed(call, error, deadline, started) {
      // The caller going away (client disconnected) says nothing about the upstream's health. (The
      // caller's signal may not report `aborted` itself, so it is told apart from our own deadline.)
      const kind = deadline.aborted ? (deadline.deadlinePassed ? 'timeout' : 'cancelled') : classifyError(error);
      metrics?.observe(name, call.operation, kind ?? 'error', (performance.now() - started) / 1000);
      if (!kind) throw error;
      return { kind };
    },
  };
}
