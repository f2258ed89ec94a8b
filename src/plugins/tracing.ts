/**
 * One OpenTelemetry SERVER span per GraphQL operation (`src/telemetry/tracing.ts` registers the
 * provider; this plugin is only installed when tracing is on):
 *
 * - named `<type> <name>` (`query Dashboard`, `mutation anonymous`), or `GraphQL operation` when the
 *   document did not parse;
 * - attributes `graphql.operation.type`, `graphql.operation.name`, `gateway.request_id`,
 *   `gateway.principal_hash` (the sha256 of the credentials, never the credentials),
 *   `gateway.upstream_calls`, and on failure status ERROR with `graphql.error.codes` (each distinct
 *   `extensions.code` in the result). Never the document, variables or result: they may hold secrets
 *   (a new API key) or card data;
 * - the span is the active context while the operation runs, so the upstream calls' CLIENT spans
 *   (`src/datasources/http.ts`) are its children;
 * - it continues the caller's trace when the request carries a W3C `traceparent` (and honours its
 *   sampled flag); the caller's `baggage` is dropped, it would travel on to Klarna.
 *
 * The span's start and its place as the active context are this plugin's; what it records when it ends
 * (name, attributes, status) is the operation's outcome, as `useOperationOutcome` tells it (`observer`).
 * An answer served before parsing has no outcome (a cached answer, a persisted-operation refusal of the
 * params): its span keeps the generic name and records the answer's error codes.
 *
 * HTTP operations are wrapped whole (`operation`: parse, validation, context and execution, one span per
 * operation of a batch). Operations over graphql-ws do not pass there: their span wraps execution only
 * (`execute` / `subscribe`). A subscription's span covers its setup (subscribe); events delivered later
 * are not part of it. An incremental (`@defer` / `@stream`) result's span ends with its last part.
 */
import { context as otelContext, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { YogaContext } from '../context.ts';
import { requestIdOf } from '../request-id.ts';
import { errorCodeOf } from '../errors.ts';
import type { OperationObserver, OperationOutcome } from '../telemetry/operation-outcome.ts';

interface OperationSpan {
  span: Span;
  /** The span in the context it runs in (the caller's trace, if it sent one). */
  active: Context;
  /** Told by `useOperationOutcome`; none for an answer served before parsing. */
  outcome: OperationOutcome | undefined;
  /** Codes of what no outcome tells: an error thrown through the span, an answer served before parsing. */
  codes: Set<string> | undefined;
  /** An incremental result: the span ends with its last part (its outcome), not when the first is ready. */
  streaming: boolean;
  /** The work the span wraps has returned. */
  settled: boolean;
  ended: boolean;
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

export function createOperationTracing(tracer: Tracer): { plugin: Plugin; observer: OperationObserver } {
  const spans = new WeakMap<object, OperationSpan>();

  function begin(context: object, request: Request | undefined): OperationSpan {
    const incoming = request ? propagation.extract(otelContext.active(), request.headers, headerGetter) : otelContext.active();
    const parent = propagation.deleteBaggage(incoming);
    const span = tracer.startSpan('GraphQL operation', { kind: SpanKind.SERVER }, parent);
    const state: OperationSpan = { span, active: trace.setSpan(parent, span), outcome: undefined, codes: undefined, streaming: false, settled: false, ended: false };
    spans.set(context, state);
    return state;
  }

  function record(state: OperationSpan, errors: readonly unknown[] | undefined) {
    if (!errors?.length || state.ended) return;
    state.codes ??= new Set();
    for (const error of errors) state.codes.add(errorCodeOf(error));
  }

  /** Ends the span once its work has returned and, for an incremental result, its outcome has come. */
  function finishWhenDone(context: object, state: OperationSpan) {
    if (state.ended || !state.settled || (state.streaming && !state.outcome)) return;
    state.ended = true;
    const { span, outcome } = state;
    let codes: string[];
    if (outcome) {
      if (outcome.type) {
        span.updateName(`${outcome.type} ${outcome.name ?? 'anonymous'}`);
        span.setAttribute('graphql.operation.type', outcome.type);
        if (outcome.name) span.setAttribute('graphql.operation.name', outcome.name.slice(0, 100));
      }
      if (outcome.requestId) span.setAttribute('gateway.request_id', outcome.requestId);
      if (outcome.principalHash) span.setAttribute('gateway.principal_hash', outcome.principalHash);
      if (outcome.upstreamCalls !== undefined) span.setAttribute('gateway.upstream_calls', outcome.upstreamCalls);
      codes = state.codes ? [...new Set([...outcome.errorCodes.keys(), ...state.codes])] : [...outcome.errorCodes.keys()];
    } else {
      // Served before parsing: no operation, no context of ours (its request id is the one settled as it arrived).
      const requestId = requestIdOf((context as YogaContext).request);
      if (requestId) span.setAttribute('gateway.request_id', requestId);
      codes = state.codes ? [...state.codes] : [];
    }
    if (codes.length) {
      span.setAttribute('graphql.error.codes', codes);
      span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(', ') });
    }
    span.end();
  }

  /** Runs `wrapped` with the span active; ends it after, unless an incremental result is still going. */
  async function within(context: object, state: OperationSpan, wrapped: () => unknown) {
    try {
      await otelContext.with(state.active, wrapped);
    } catch (error) {
      record(state, [error]);
      throw error;
    } finally {
      state.settled = true;
      finishWhenDone(context, state);
    }
  }

  /** graphql-ws operations only: an HTTP operation already has its span (`operation`, outside this). */
  function standalone({ context }: { context: object }, wrapped: () => unknown) {
    if (spans.has(context)) return wrapped() as Promise<void> | void;
    return within(context, begin(context, (context as YogaContext).request), wrapped);
  }

  const streamWatch = {
    onExecuteDone({ args, result }: { args: { contextValue: unknown }; result: unknown }) {
      if (!isAsyncIterable(result)) return;
      const state = spans.get(args.contextValue as object);
      if (state) state.streaming = true;
    },
  };

  const plugin: Plugin = {
    instrumentation: {
      operation: ({ context, request }, wrapped) => within(context, begin(context, request), wrapped),
      execute: standalone,
      subscribe: standalone,
    },
    // Whether the span waits for the outcome of an incremental result's last part.
    onExecute: () => streamWatch,
    onExecutionResult({ result, context }) {
      // An answer no outcome tells of (served before parsing): its errors' codes.
      const state = spans.get(context);
      if (state && !state.outcome && result && !isAsyncIterable(result)) record(state, result.errors);
    },
  };

  const observer: OperationObserver = {
    onOutcome(outcome) {
      const state = spans.get(outcome.context);
      if (!state || state.ended) return;
      state.outcome = outcome;
      finishWhenDone(outcome.context, state);
    },
  };

  return { plugin, observer };
}
