/**
 * One structured log line per GraphQL operation (msg `operation`), however it ended:
 *
 *   { operationName, operationType, requestId, principal, durationMs, upstreamCalls, outcome, errorCodes }
 *
 * - `outcome`: `ok`, `error` (executed, with errors), `refused` (did not parse or validate: limits,
 *   introspection, unknown fields; or its context could not be made: a refused token), `subscribed`;
 * - `principal`: the sha256 of the credentials (never the credentials); for an operation refused
 *   before it ran, of those it presented (the gateway's own are not looked at);
 * - `durationMs`: from parsing to the end of execution; `upstreamCalls`: Klarna calls it made.
 *
 * Variables, documents and results are never logged: they may hold secrets (a new API key) or card
 * data. Requests refused before any operation is read (CSRF, size, batch) are answered by Yoga
 * without an operation, and logged by `onResponse` as msg `request refused`.
 *
 * The line is written, after the answer, by an observer of `useOperationOutcome` (`observer`); the
 * plugin (`plugin`, registered before the plugins that refuse requests while parsing them) only times
 * requests and logs those refused before any operation was read.
 */
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { newRequestId, requestIdOf } from '../request-id.ts';
import type { OperationObserver } from '../telemetry/operation-outcome.ts';
import { objectSlot } from '../object-slots.ts';

const elapsedMs = (since: number) => Math.round((performance.now() - since) * 100) / 100;

export function createOperationLog(logger: Logger): { observer: OperationObserver; plugin: Plugin } {
  // Without the root logger's redaction (wildcard paths cost ~20x a plain line, on every operation):
  // these lines carry only the fixed keys below, none of them a secret, and no key a client chooses.
  const log = logger.child({ component: 'graphql' }, { redact: [] });
  /** GraphQL requests by when they started; an operation parsed in one takes it out (it is logged as such). */
  const requests = objectSlot<number>('request started');

  // Lines are written after the answer: their fields are taken when the outcome is told, and the
  // lines of a turn of the event loop are serialized and written together in a `setImmediate`, which
  // runs once the answers of that turn have gone to their sockets. Writing one in line cost ~0.1 ms
  // of every answer's latency (pino's serialization and the file write's queueing).
  let pending: object[] = [];
  const writePending = () => {
    const lines = pending;
    pending = [];
    for (const line of lines) log.info(line, 'operation');
  };

  const observer: OperationObserver = {
    onOutcome(outcome) {
      if (!log.isLevelEnabled('info')) return;
      if (!pending.length) setImmediate(writePending);
      pending.push({
        operationName: outcome.name?.slice(0, 100) ?? null,
        operationType: outcome.type ?? null,
        requestId: outcome.requestId ?? randomUUID(),
        principal: outcome.principalHash ?? outcome.presentedPrincipalHash,
        durationMs: outcome.durationMs,
        upstreamCalls: outcome.upstreamCalls ?? 0,
        ...(outcome.upstreamCallsRefused ? { upstreamCallsRefused: outcome.upstreamCallsRefused } : {}),
        outcome: outcome.outcome,
        ...(outcome.errorCodes.size ? { errorCodes: [...outcome.errorCodes.keys()] } : {}),
      });
    },
  };

  const plugin: Plugin = {
    onRequestParse({ request }) {
      requests.set(request, performance.now());
    },
    onParse({ context }) {
      const { request } = context as { request?: Request };
      if (request) requests.delete(request);
    },
    onResponse({ request, response }) {
      const started = requests.get(request);
      if (started === undefined || response.status < 400) return;
      log.info(
        { requestId: requestIdOf(request) ?? newRequestId(), method: request.method, status: response.status, durationMs: elapsedMs(started) },
        'request refused',
      );
    },
  };

  return { observer, plugin };
}
