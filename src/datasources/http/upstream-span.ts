/**
 * One OpenTelemetry CLIENT span per logical upstream call (tracing on), child of whatever span is
 * active (the GraphQL operation's): `GET getAccount`, with `http.request.method`, `server.address`,
 * `server.port`, `url.path` (no query), `klarna.api`, `klarna.operation`, `http.response.status_code`,
 * `http.request.resend_count`, an event per retry, and status ERROR (`error.type`) on a failure or a
 * status >= 400. Its context goes out as `traceparent`. Never headers (credentials) or bodies. The span
 * ends when the response headers arrive; the body is read by the caller.
 */
import { context as otelContext, propagation, SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { errorCodeOf } from '../../errors.ts';
import type { UpstreamRequest, UpstreamResponse } from './types.ts';

/** What the retry loop tells the call's span between its start and its end. */
export interface CallTrace {
  /** The breaker refused an attempt (the call fails fast). */
  circuitOpen(): void;
  /** An attempt after the first came back: the request has been sent `count` times again. */
  resent(count: number): void;
  /** Another attempt follows after `waitMs`; `reason` is the failing status, or `timeout` / `connection`. */
  retrying(resendCount: number, reason: string, waitMs: number): void;
  /** The call fails on this status (told before its error is thrown). */
  failedWithStatus(status: number): void;
}

function callTraceOf(span: Span): CallTrace {
  return {
    circuitOpen: () => span.addEvent('circuit_open'),
    resent: (count) => span.setAttribute('http.request.resend_count', count),
    retrying: (resendCount, reason, waitMs) =>
      span.addEvent('retry', {
        'http.request.resend_count': resendCount,
        'klarna.retry.reason': reason,
        'klarna.retry.wait_ms': Math.round(waitMs),
      }),
    failedWithStatus: (status) => span.setAttribute('http.response.status_code', status),
  };
}

export interface UpstreamSpansOptions {
  tracer: Tracer;
  /** The upstream's name (`klarna.api`). */
  name: string;
  origin: string;
}

/** Sends `call` (its attempts and retries) under a span; `send` gets the headers with `traceparent`. */
export type TracedSend = (
  call: UpstreamRequest,
  send: (call: UpstreamRequest, trace: CallTrace) => Promise<UpstreamResponse>,
) => Promise<UpstreamResponse>;

export function createUpstreamSpans({ tracer, name, origin }: UpstreamSpansOptions): TracedSend {
  const server = new URL(origin);
  const serverPort = Number(server.port) || (server.protocol === 'https:' ? 443 : 80);

  return function traced(call, send) {
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
        const response = await send({ ...call, headers }, callTraceOf(span));
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
  };
}
