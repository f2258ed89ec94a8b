/**
 * Follows every GraphQL operation to its outcome (`OperationOutcome`, `src/telemetry/operation-outcome.ts`)
 * and tells it, once, to each observer (the metrics, the operation log, the span):
 *
 * - a document that does not parse, or does not validate: `refused`, with its errors' codes (no code:
 *   GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED);
 * - an execution: `ok` or `error` once it is done; an incremental (@defer/@stream) one once its last
 *   part has gone, with the errors of every part;
 * - a subscription: `subscribed` once it has started (`error` if it could not); its events are not
 *   part of it, but the errors each event carries go to observers that ask (`onEventErrors`);
 * - an HTTP operation answered without any of those (its context could not be made: a refused token;
 *   a plugin refused it while parsing; its execution threw): from its answer, `refused` (`error` once
 *   it ran).
 *
 * Registered before every plugin that may refuse or answer an operation (limits, rate limit,
 * persisted operations, response cache), so each is seen. Each operation costs one state object, one
 * `getOperationAST` and one outcome object; the hooks themselves are made once. Answers served before
 * parsing (a cached answer, a persisted-operation refusal of the params) are not operations here.
 */
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { canonicalAuthorization, principalFor } from '../auth/principal.ts';
import type { YogaContext } from '../context.ts';
import { requestIdOf } from '../request-id.ts';
import { errorCodeOf } from '../errors.ts';
import { eventErrorsTeller, type OperationObserver, type OperationOutcome, type OutcomeKind } from '../telemetry/operation-outcome.ts';
import { objectSlot } from '../object-slots.ts';

interface OperationState {
  /** `performance.now()` when parsing began. */
  started: number;
  document: DocumentNode | undefined;
  /** Execution or subscription began: an answer without an outcome is then an error, not a refusal. */
  running: boolean;
  /** Its outcome was told: nothing more is. */
  told: boolean;
}

const PARSE_FAILED = 'GRAPHQL_PARSE_FAILED';
const VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED';
const NO_ERRORS: ReadonlyMap<string, number> = new Map();

/** Each distinct code of `errors`, in the order first met, with how many errors had it. */
function countCodes(errors: readonly unknown[] | undefined, fallback: string): ReadonlyMap<string, number> {
  if (!errors?.length) return NO_ERRORS;
  const codes = new Map<string, number>();
  for (const error of errors) {
    const code = errorCodeOf(error, fallback);
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  return codes;
}

/** Adds the errors of one part of an incremental result to `into`: its own, and its increments'. */
function collectPartErrors(part: unknown, into: unknown[]): void {
  const { errors, incremental } = part as { errors?: readonly unknown[]; incremental?: readonly { errors?: readonly unknown[] }[] };
  if (errors) into.push(...errors);
  if (incremental) for (const increment of incremental) if (increment.errors) into.push(...increment.errors);
}

/** The hash of the Basic credentials a request presented (of none, for none or a token); never the credentials. */
function presentedPrincipalHash(request: Request | undefined): string {
  const authorization = canonicalAuthorization(request?.headers.get('authorization'));
  return principalFor(authorization?.startsWith('Basic ') ? authorization : undefined).hash;
}

export function useOperationOutcome(observers: readonly OperationObserver[]): Plugin {
  if (!observers.length) return {};
  const tellEventErrors = eventErrorsTeller(observers);
  const states = objectSlot<OperationState>('operation outcome state');

  /** `fallback`: the code of an error that has none. */
  function tell(context: object, outcome: OutcomeKind, errors: readonly unknown[] | undefined, fallback = VALIDATION_FAILED): void {
    const state = states.get(context);
    if (!state || state.told) return;
    state.told = true;
    const yoga = context as YogaContext;
    const operationName = yoga.params?.operationName ?? undefined;
    const definition = state.document ? getOperationAST(state.document, operationName) : undefined;
    const principalHash = yoga.principal?.hash;
    const report: OperationOutcome = {
      context,
      name: definition?.name?.value ?? operationName,
      type: definition?.operation,
      outcome,
      errorCodes: countCodes(errors, fallback),
      durationMs: Math.round((performance.now() - state.started) * 100) / 100,
      requestId: yoga.requestId ?? requestIdOf(yoga.request),
      principalHash,
      presentedPrincipalHash: principalHash === undefined ? presentedPrincipalHash(yoga.request) : undefined,
      upstreamCalls: yoga.budget?.calls,
      upstreamCallsRefused: yoga.budget?.refused ?? 0,
    };
    for (const observer of observers) observer.onOutcome(report);
    // Nothing reads it after this: an open subscription's context does not keep it for hours.
    states.delete(context);
  }

  // The hooks, made once: each finds its operation by its context.
  const afterParse = ({ context, result }: { context: object; result: unknown }) => {
    if (result instanceof Error) tell(context, 'refused', [result], PARSE_FAILED);
    else if (result) states.get(context)!.document = result as DocumentNode;
  };
  const afterValidate = ({ context, valid, result }: { context: object; valid: boolean; result: readonly unknown[] }) => {
    if (!valid) tell(context, 'refused', result);
  };
  const afterExecute = {
    onExecuteDone({ args, result }: { args: { contextValue: unknown }; result: ExecutionResult | AsyncIterable<unknown> }) {
      const context = args.contextValue as object;
      if (!isAsyncIterable(result)) return void tell(context, result.errors?.length ? 'error' : 'ok', result.errors);
      // @defer/@stream: told once the last part has gone, with the errors of every part.
      const errors: unknown[] = [];
      return {
        onNext: ({ result: part }: { result: unknown }) => collectPartErrors(part, errors),
        onEnd: () => tell(context, errors.length ? 'error' : 'ok', errors),
      };
    },
  };
  const eventHooks = tellEventErrors
    ? {
        onNext({ result }: { result: ExecutionResult }) {
          if (result.errors?.length) tellEventErrors(result.errors.map((error) => errorCodeOf(error)));
        },
      }
    : undefined;

  // Made once, as the others: envelop keeps what `onSubscribe` returns for as long as the subscription
  // runs. No `onSubscribeError`: it is told of errors the stream throws later, once the outcome
  // (`subscribed`) has been told already.
  const afterSubscribe = {
    onSubscribeResult({ args, result }: { args: { contextValue: unknown }; result: ExecutionResult | AsyncIterable<ExecutionResult> }) {
      const context = args.contextValue as object;
      if (!isAsyncIterable(result)) return void tell(context, 'error', result.errors);
      tell(context, 'subscribed', undefined);
      return eventHooks;
    },
  };

  return {
    onParse({ context }) {
      states.set(context, { started: performance.now(), document: undefined, running: false, told: false });
      return afterParse;
    },
    onValidate: () => afterValidate,
    onExecute({ args }) {
      const state = states.get(args.contextValue as object);
      if (!state) return undefined;
      state.running = true;
      return afterExecute;
    },
    onSubscribe({ args }) {
      const state = states.get(args.contextValue as object);
      if (!state) return undefined;
      state.running = true;
      return afterSubscribe;
    },
    onExecutionResult({ result, context }) {
      const state = states.get(context);
      if (!state || state.told || !result || isAsyncIterable(result)) return;
      tell(context, state.running ? 'error' : 'refused', result.errors);
    },
  };
}
