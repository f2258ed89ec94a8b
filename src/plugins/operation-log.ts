/**
 * One structured log line per GraphQL operation (msg `operation`), however it ended:
 *
 *   { operationName, operationType, requestId, principal, durationMs, upstreamCalls, outcome, errorCodes }
 *
 * - `outcome`: `ok`, `error` (executed, with errors), `refused` (did not parse or validate: limits,
 *   introspection, unknown fields), `subscribed`;
 * - `principal`: the sha256 of the credentials (never the credentials); for an operation refused
 *   before it ran, of those it presented (the gateway's own are not looked at);
 * - `durationMs`: from parsing to the end of execution; `upstreamCalls`: Klarna calls it made.
 *
 * Variables, documents and results are never logged: they may hold secrets (a new API key) or card
 * data. Requests refused before any operation is read (CSRF, size, batch) are answered by Yoga
 * without an operation, and logged by `onResponse` as msg `request refused`.
 */
import { randomUUID } from 'node:crypto';
import { getOperationAST, type DocumentNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { clientRequestId, principalFor, type YogaContext } from '../context.ts';
import { errorsOfPart } from './gateway-metrics.ts';
import { errorCodeOf } from '../errors.ts';

interface Operation {
  started: number;
  /** Once logged, nothing more is logged for it. */
  logged: boolean;
  document?: DocumentNode;
}

const elapsedMs = (since: number) => Math.round((performance.now() - since) * 100) / 100;

export function useOperationLog(logger: Logger): Plugin {
  const log = logger.child({ component: 'graphql' });
  const operations = new WeakMap<object, Operation>();
  /** GraphQL requests by when they started; an operation parsed in one takes it out (it is logged as such). */
  const requests = new WeakMap<Request, number>();

  /** `fallback`: the code of an error that has none (a GraphQL syntax or validation error). */
  function write(context: YogaContext, outcome: string, errors: readonly unknown[] = [], fallback = 'GRAPHQL_VALIDATION_FAILED') {
    const operation = operations.get(context);
    if (!operation || operation.logged) return;
    operation.logged = true;
    const definition = operation.document ? getOperationAST(operation.document, context.params?.operationName ?? undefined) : undefined;
    const authorization = context.request?.headers.get('authorization')?.trim();
    const codes = [...new Set(errors.map((error) => errorCodeOf(error, fallback)))];
    log.info(
      {
        operationName: (context.params?.operationName ?? definition?.name?.value)?.slice(0, 100) ?? null,
        operationType: definition?.operation ?? null,
        requestId: context.requestId ?? clientRequestId(context.request?.headers) ?? randomUUID(),
        principal: context.principal?.hash ?? principalFor(authorization && /^Basic\s+\S+$/i.test(authorization) ? authorization : undefined).hash,
        durationMs: elapsedMs(operation.started),
        upstreamCalls: context.budget?.calls ?? 0,
        ...(context.budget?.refused ? { upstreamCallsRefused: context.budget.refused } : {}),
        outcome,
        ...(codes.length ? { errorCodes: codes } : {}),
      },
      'operation',
    );
  }

  return {
    // Registered before the plugins that refuse requests while parsing them (CSRF, size, batch).
    onRequestParse({ request }) {
      requests.set(request, performance.now());
    },
    onParse({ context }) {
      const yoga = context as YogaContext;
      operations.set(context, { started: performance.now(), logged: false });
      if (yoga.request) requests.delete(yoga.request);
      return ({ result }) => {
        if (result instanceof Error) write(yoga, 'refused', [result], 'GRAPHQL_PARSE_FAILED');
        else operations.get(context)!.document = result as DocumentNode;
      };
    },
    onValidate({ context }) {
      return ({ valid, result }) => {
        if (!valid) write(context as YogaContext, 'refused', result);
      };
    },
    onExecute({ args }) {
      const context = args.contextValue as YogaContext;
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) {
            // @defer/@stream: logged once the last part has gone, with the errors of every part.
            const errors: unknown[] = [];
            return {
              onNext: ({ result: part }) => void errors.push(...errorsOfPart(part)),
              onEnd: () => write(context, errors.length ? 'error' : 'ok', errors),
            };
          }
          write(context, result.errors?.length ? 'error' : 'ok', result.errors ?? []);
          return undefined;
        },
      };
    },
    onSubscribe({ args }) {
      const context = args.contextValue as YogaContext;
      return {
        onSubscribeResult({ result }) {
          write(context, isAsyncIterable(result) ? 'subscribed' : 'error', isAsyncIterable(result) ? [] : (result.errors ?? []));
        },
        onSubscribeError({ error }) {
          write(context, 'error', [error]);
        },
      };
    },
    onResponse({ request, response }) {
      const started = requests.get(request);
      if (started === undefined || response.status < 400) return;
      log.info(
        { requestId: clientRequestId(request.headers) ?? randomUUID(), method: request.method, status: response.status, durationMs: elapsedMs(started) },
        'request refused',
      );
    },
  };
}
