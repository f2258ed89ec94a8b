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
 * HTTP operations are wrapped whole (`operation`: parse, validation, context and execution, one span per
 * operation of a batch). Operations over graphql-ws do not pass there: their span wraps execution only
 * (`execute` / `subscribe`). A subscription's span covers its setup (subscribe); events delivered later
 * are not part of it. An incremental (`@defer` / `@stream`) result's span ends with its last part.
 */
import { context as otelContext, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { getOperationAST, type DocumentNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { clientRequestId, type YogaContext } from '../context.ts';
import { errorsOfPart } from './gateway-metrics.ts';
import { errorCodeOf } from '../errors.ts';

interface OperationSpan {
  span: Span;
  /** The span in the context it runs in (the caller's trace, if it sent one). */
  active: Context;
  codes: Set<string>;
  /** An incremental result: the span ends with its last part, not when the first is ready. */
  streaming: boolean;
  ended: boolean;
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

export function useTracing(tracer: Tracer): Plugin {
  const spans = new WeakMap<object, OperationSpan>();
  const documents = new WeakMap<object, DocumentNode>();

  function begin(context: object, request: Request | undefined): OperationSpan {
    const incoming = request ? propagation.extract(otelContext.active(), request.headers, headerGetter) : otelContext.active();
    const parent = propagation.deleteBaggage(incoming);
    const span = tracer.startSpan('GraphQL operation', { kind: SpanKind.SERVER }, parent);
    const state: OperationSpan = { span, active: trace.setSpan(parent, span), codes: new Set(), streaming: false, ended: false };
    spans.set(context, state);
    return state;
  }

  /** `fallback`: the code of an error that has none (a GraphQL syntax or validation error). */
  function record(context: object, errors: readonly unknown[] | undefined, fallback = 'GRAPHQL_VALIDATION_FAILED') {
    const state = spans.get(context);
    if (state && !state.ended) for (const error of errors ?? []) state.codes.add(errorCodeOf(error, fallback));
  }

  function finish(context: YogaContext, state: OperationSpan) {
    if (state.ended) return;
    state.ended = true;
    const { span } = state;
    const document = documents.get(context);
    const operationName = context.params?.operationName ?? undefined;
    const definition = document ? getOperationAST(document, operationName) : undefined;
    if (definition) {
      const name = definition.name?.value ?? operationName;
      span.updateName(`${definition.operation} ${name ?? 'anonymous'}`);
      span.setAttribute('graphql.operation.type', definition.operation);
      if (name) span.setAttribute('graphql.operation.name', name.slice(0, 100));
    }
    const requestId = context.requestId ?? clientRequestId(context.request?.headers);
    if (requestId) span.setAttribute('gateway.request_id', requestId);
    if (context.principal) span.setAttribute('gateway.principal_hash', context.principal.hash);
    if (context.budget) span.setAttribute('gateway.upstream_calls', context.budget.calls);
    if (state.codes.size) {
      const codes = [...state.codes];
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
      record(context, [error]);
      throw error;
    } finally {
      if (!state.streaming) finish(context, state);
    }
  }

  /** graphql-ws operations only: an HTTP operation already has its span (`operation`, outside this). */
  function standalone({ context }: { context: object }, wrapped: () => unknown) {
    if (spans.has(context)) return wrapped() as Promise<void> | void;
    return within(context, begin(context, (context as YogaContext).request), wrapped);
  }

  return {
    instrumentation: {
      operation: ({ context, request }, wrapped) => within(context, begin(context, request), wrapped),
      execute: standalone,
      subscribe: standalone,
    },
    onParse({ context }) {
      return ({ result }) => {
        if (result instanceof Error) record(context, [result], 'GRAPHQL_PARSE_FAILED');
        else documents.set(context, result as DocumentNode);
      };
    },
    onExecute({ args }) {
      const context = args.contextValue as object;
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) return void record(context, result.errors);
          const state = spans.get(context);
          if (state) state.streaming = true;
          return {
            onNext: ({ result: part }) => record(context, errorsOfPart(part)),
            onEnd: () => {
              if (state) finish(context as YogaContext, state);
            },
          };
        },
      };
    },
    onSubscribe({ args }) {
      const context = args.contextValue as object;
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) record(context, result.errors);
        },
        onSubscribeError({ error }) {
          record(context, [error]);
        },
      };
    },
    onExecutionResult({ result, context }) {
      // Also answers no execution gave: refusals (validation, limits, persisted operations) and cache hits.
      if (result && !isAsyncIterable(result)) record(context, result.errors);
    },
  };
}
