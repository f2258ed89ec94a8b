/**
 * The gateway's own Prometheus metrics (beside the upstream ones in `metrics.ts`), in the registry made
 * at boot, and the hooks that feed them:
 *
 * - `graphql_operations_total{operation, type, outcome}`: every operation once, `outcome` `ok`, `error`
 *   (executed, with errors), `refused` (did not validate: limits, unknown fields), `subscribed`;
 *   `operation` is the client's operation name when it is a plain GraphQL name, `anonymous` without
 *   one, and `other` past 200 distinct names (names are client-chosen: unbounded labels would let
 *   any client grow the registry without end);
 * - `graphql_errors_total{code}`: each error in a result by `extensions.code`;
 * - `graphql_ws_connections`: acknowledged graphql-ws connections now open (gauge);
 * - `webhook_events_total{type, verdict}`: webhooks by Klarna event type (`unknown` when the body was
 *   never trusted: too large, bad signature, malformed) and verdict `accepted`, `duplicate`,
 *   `bad_signature`, `malformed`, `too_large`, `unavailable`;
 * - `graphql_response_cache_lookups_total{result}`: one `hit` or `miss` per query the cache could
 *   serve, and an `error` for each lookup the shared store did not answer (that query runs as a miss);
 * - `event_delivery_lag_seconds`: from an event's append to the event log (its id's time) to its
 *   delivery to a subscriber's resolver, per subscriber; replays (`after:`) are not counted, their age
 *   is not lag.
 */
import { getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { eventTypeName, type KlarnaEvent } from '../webhooks/events.ts';
import { errorCodeOf } from '../errors.ts';

export type WebhookVerdict = 'accepted' | 'duplicate' | 'bad_signature' | 'malformed' | 'too_large' | 'unavailable';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_OPERATION_NAMES = 200;

/** The errors of one part of an incremental (@defer/@stream) result: its own, and its increments'. */
export function errorsOfPart(part: unknown): readonly unknown[] {
  const { errors = [], incremental = [] } = part as { errors?: readonly unknown[]; incremental?: readonly { errors?: readonly unknown[] }[] };
  return [...errors, ...incremental.flatMap((increment) => increment.errors ?? [])];
}

export function createGatewayMetrics(registry: Registry) {
  const registers = [registry];
  const operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by operation name, type and outcome (ok, error, refused, subscribed).',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers,
  });
  const errors = new Counter({ name: 'graphql_errors_total', help: 'Errors in GraphQL results by extensions.code.', labelNames: ['code'] as const, registers });
  const webSockets = new Gauge({ name: 'graphql_ws_connections', help: 'Acknowledged graphql-ws connections now open.', registers });
  const webhooks = new Counter({
    name: 'webhook_events_total',
    help: 'Klarna webhooks received, by event type and verdict.',
    labelNames: ['type', 'verdict'] as const,
    registers,
  });
  const cacheLookups = new Counter({
    name: 'graphql_response_cache_lookups_total',
    help: 'Response cache lookups: hit or miss once per cacheable query; error per lookup the store did not answer (then a miss). Hit ratio: hit / (hit + miss).',
    labelNames: ['result'] as const,
    registers,
  });
  const deliveryLag = new Histogram({
    name: 'event_delivery_lag_seconds',
    help: 'From an event\'s append to the event log to its delivery to one subscriber.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });

  const names = new Set<string>();
  function operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!NAME.test(name)) return 'other';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  }

  /** Counts operations and their errors; placed after the error masking so codes are the clients'. */
  function plugin(): Plugin {
    return {
      onValidate({ params, context }) {
        return ({ valid, result }) => {
          if (valid) return;
          const operationName = (context as { params?: { operationName?: string | null } }).params?.operationName;
          const definition = getOperationAST(params.documentAST, operationName ?? undefined);
          operations.inc({ operation: operationLabel(definition?.name?.value ?? operationName), type: definition?.operation ?? 'unknown', outcome: 'refused' });
          for (const error of result) errors.inc({ code: errorCodeOf(error) });
        };
      },
      onExecute({ args }) {
        const definition = getOperationAST(args.document, args.operationName ?? undefined);
        const labels = { operation: operationLabel(definition?.name?.value), type: definition?.operation ?? 'unknown' };
        return {
          onExecuteDone({ result }) {
            if (isAsyncIterable(result)) {
              // @defer/@stream: counted once the last part has gone, with the errors of every part.
              let failed = false;
              return {
                onNext: ({ result: part }) => {
                  for (const error of errorsOfPart(part)) {
                    failed = true;
                    errors.inc({ code: errorCodeOf(error) });
                  }
                },
                onEnd: () => operations.inc({ ...labels, outcome: failed ? 'error' : 'ok' }),
              };
            }
            operations.inc({ ...labels, outcome: result.errors?.length ? 'error' : 'ok' });
            for (const error of result.errors ?? []) errors.inc({ code: errorCodeOf(error) });
            return undefined;
          },
        };
      },
      onSubscribe({ args }) {
        const definition = getOperationAST(args.document, args.operationName ?? undefined);
        operations.inc({ operation: operationLabel(definition?.name?.value), type: 'subscription', outcome: 'subscribed' });
        return {
          onSubscribeResult: () => ({
            onNext: ({ result }) => {
              for (const error of result.errors ?? []) errors.inc({ code: errorCodeOf(error) });
            },
          }),
        };
      },
    };
  }

  return {
    plugin,
    webSocket: { opened: () => webSockets.inc(), closed: () => webSockets.dec() },
    responseCache: (result: 'hit' | 'miss' | 'error') => cacheLookups.inc({ result }),
    /** `type`: Klarna's event type; types this gateway does not know count as `other` (bounded labels). */
    webhook: (verdict: WebhookVerdict, type?: string) =>
      webhooks.inc({ type: type === undefined ? 'unknown' : eventTypeName(type) === 'UNKNOWN' ? 'other' : type, verdict }),
    /** Wraps one subscriber's events: each live event's lag is observed as the resolver takes it. */
    measureDelivery(events: AsyncIterableIterator<KlarnaEvent>): AsyncIterableIterator<KlarnaEvent> {
      const subscribedAt = Date.now();
      const wrapped: AsyncIterableIterator<KlarnaEvent> = {
        async next() {
          const result = await events.next();
          if (!result.done) {
            const appendedAt = Number(result.value.id.split('-')[0]);
            if (appendedAt >= subscribedAt) deliveryLag.observe(Math.max(0, Date.now() - appendedAt) / 1000);
          }
          return result;
        },
        return: () => events.return?.() ?? Promise.resolve({ value: undefined, done: true }),
        throw: (error: unknown) => events.throw?.(error) ?? Promise.reject(error),
        [Symbol.asyncIterator]() {
          return wrapped;
        },
      };
      return wrapped;
    },
  };
}
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
