/**
 * Prometheus metrics, in a registry made at boot (never prom-client's global one, so two gateways in
 * one process, as in tests, keep their own numbers). Every metric the gateway exports is defined here;
 * the rooms that feed them know only the small interfaces they declare (`UpstreamMetrics` in
 * `src/datasources/http.ts`, `EventMetrics` in `src/webhooks/event-service.ts`, `OperationObserver`):
 *
 * - `klarna_upstream_requests_total{api, operation, outcome}` and
 *   `klarna_upstream_request_duration_seconds{api, operation}`: calls to Klarna (`upstream`);
 * - `klarna_upstream_breaker_state{api, operation}` (gauge, read at scrape: 0 closed, 1 half-open,
 *   2 open) and `klarna_upstream_breaker_opens_total{api, operation}`: the circuit breakers;
 * - `redis_circuit_open` (gauge, 0/1) and `redis_circuit_opens_total`: the hot path's Redis circuit;
 * - `graphql_operations_total{operation, type, outcome}`: every operation once, `outcome` `ok`, `error`
 *   (executed, with errors), `refused` (did not parse or validate: limits, unknown fields), `subscribed`;
 *   `type` `unknown` when the document did not parse; `operation` is the operation's name once that
 *   name has earned a label (below), `anonymous` without a name, and `other` otherwise;
 * - `graphql_errors_total{code}`: each error in a result by `extensions.code` (a subscription's: in
 *   each of its events);
 * - `graphql_ws_connections`: acknowledged graphql-ws connections now open (gauge);
 * - `webhook_events_total{type, verdict}`: webhooks by Klarna event type (`unknown` when the body was
 *   never trusted: too large, bad signature, malformed; `other` for a type the gateway does not know,
 *   as the webhooks label it) and verdict `accepted`, `duplicate`, `bad_signature`, `malformed`,
 *   `stale` (outside the replay window), `too_large`, `unavailable`;
 * - `graphql_response_cache_lookups_total{result}`: one `hit` or `miss` per query the cache could
 *   serve, and an `error` for each lookup the shared store did not answer (that query runs as a miss);
 * - `event_delivery_lag_seconds`: from an event's append to the event log to its delivery to a
 *   subscriber's resolver, per subscriber; replays (`after:`) are not counted, their age is not lag.
 *
 * Operation names are client-chosen, so which of them become labels is decided so that no client can
 * use the labels up cheaply (a refused or failing operation, junk credentials, `{ __typename }` under
 * 200 names): with a persisted-operations manifest, the names of its operations and no others (`known`);
 * without one, a name is admitted when an operation of that name ran without errors *and* made at
 * least one Klarna call (so Klarna took the caller's credentials), up to 200 names, at most 50 of
 * them admitted by any one principal (an API key, a token subject, or the callers using the gateway's
 * own key). Once admitted, a name labels every outcome of its operations (refused, error, ...).
 *
 * The metrics recorded per call, operation, event or webhook are the cheap ones of `metric-series.ts`
 * (no label hashing per call; prom-client is filled at scrape, printing the same text).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createCheapCounter, createCheapHistogram } from './metric-series.ts';
import type { OperationObserver, OperationOutcome } from './operation-outcome.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export interface OperationLabelLimits {
  /** The only names that label operations (a manifest's operation names); unset: names are admitted as they earn it. */
  known?: Iterable<string>;
  /** Names admitted at most (not counting `known`). */
  maxNames?: number;
  /** Names one principal may get admitted at most. */
  maxNamesPerPrincipal?: number;
}

function createUpstreamMetrics(registers: Registry[]) {
  const calls = createCheapCounter({
    name: 'klarna_upstream_requests_total',
    help: 'Calls to Klarna by API, operation and outcome (HTTP status, timeout, cancelled, error, circuit_open).',
    labelNames: ['api', 'operation', 'outcome'] as const,
    registers,
  });
  const latency = createCheapHistogram({
    name: 'klarna_upstream_request_duration_seconds',
    help: 'Latency of calls to Klarna by API and operation.',
    labelNames: ['api', 'operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const opens = new Counter({
    name: 'klarna_upstream_breaker_opens_total',
    help: 'Times an operation\'s circuit breaker opened (from closed, or again after a failed half-open trial), by API and operation.',
    labelNames: ['api', 'operation'] as const,
    registers,
  });
  /** Each API's breakers, read at scrape time (a breaker turns half-open by the clock, with no event). */
  const watched = new Map<string, () => Iterable<[string, 'closed' | 'open' | 'half-open']>>();
  const STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;
  new Gauge({
    name: 'klarna_upstream_breaker_state',
    help: 'Circuit breaker state by API and operation (every operation called so far): 0 closed, 1 half-open (one trial call let through), 2 open (calls refused).',
    labelNames: ['api', 'operation'] as const,
    registers,
    collect() {
      this.reset();
      for (const [api, states] of watched) for (const [operation, state] of states()) this.set({ api, operation }, STATE_VALUE[state]);
    },
  });
  return {
    /** One attempt: its outcome is the HTTP status, or `timeout`, `cancelled`, `error`, `circuit_open` (no latency). */
    observe(api: string, operation: string, outcome: string, seconds: number): void {
      calls.inc(api, operation, outcome);
      if (outcome !== 'circuit_open') latency.observe(seconds, api, operation);
    },
    breakerOpened(api: string, operation: string): void {
      opens.inc({ api, operation });
    },
    watchBreakers(api: string, states: () => Iterable<[string, 'closed' | 'open' | 'half-open']>): void {
      watched.set(api, states);
    },
  };
}

/** Whether an outcome may admit its operation's name: it ran clean, and Klarna answered it at least once. */
const earnsLabel = (outcome: OperationOutcome) => (outcome.outcome === 'ok' || outcome.outcome === 'subscribed') && (outcome.upstreamCalls ?? 0) > 0;

/** The `operation` label of each outcome: see the module's comment for the rule. */
function createOperationLabels({ known, maxNames = 200, maxNamesPerPrincipal = 50 }: OperationLabelLimits): (outcome: OperationOutcome) => string {
  const fixed = known !== undefined;
  const names = new Set(known ? [...known].filter((name) => NAME.test(name)) : []);
  /** How many names each principal has had admitted (only principals that have: at most `maxNames` entries). */
  const admittedBy = new Map<string, number>();
  return (outcome) => {
    const { name, principalHash } = outcome;
    if (!name) return 'anonymous';
    if (names.has(name)) return name;
    if (fixed || !NAME.test(name) || names.size >= maxNames || principalHash === undefined || !earnsLabel(outcome)) return 'other';
    const admitted = admittedBy.get(principalHash) ?? 0;
    if (admitted >= maxNamesPerPrincipal) return 'other';
    admittedBy.set(principalHash, admitted + 1);
    names.add(name);
    return name;
  };
}

/** Operations and their errors, as an observer of every operation's outcome. */
function createOperationMetrics(registers: Registry[], labels: OperationLabelLimits): OperationObserver {
  const operations = createCheapCounter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by operation name, type and outcome (ok, error, refused, subscribed).',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers,
  });
  const errors = createCheapCounter({ name: 'graphql_errors_total', help: 'Errors in GraphQL results by extensions.code.', labelNames: ['code'] as const, registers });

  const operationLabel = createOperationLabels(labels);

  return {
    onOutcome(outcome: OperationOutcome) {
      operations.inc(operationLabel(outcome), outcome.type ?? 'unknown', outcome.outcome);
      for (const [code, count] of outcome.errorCodes) errors.add(count, code);
    },
    onEventErrors(codes) {
      for (const code of codes) errors.inc(code);
    },
  };
}

/** `operationLabels`: which operation names label `graphql_operations_total` (a manifest's, or limits). */
export function createMetrics({ defaultMetrics = true, operationLabels = {} }: { defaultMetrics?: boolean; operationLabels?: OperationLabelLimits } = {}) {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const webSockets = new Gauge({ name: 'graphql_ws_connections', help: 'Acknowledged graphql-ws connections now open.', registers });
  const webhooks = createCheapCounter({
    name: 'webhook_events_total',
    help: 'Klarna webhooks received, by event type and verdict.',
    labelNames: ['type', 'verdict'] as const,
    registers,
  });
  const cacheLookups = createCheapCounter({
    name: 'graphql_response_cache_lookups_total',
    help: 'Response cache lookups: hit or miss once per cacheable query; error per lookup the store did not answer (then a miss). Hit ratio: hit / (hit + miss).',
    labelNames: ['result'] as const,
    registers,
  });
  const deliveryLag = createCheapHistogram({
    name: 'event_delivery_lag_seconds',
    help: 'From an event\'s append to the event log to its delivery to one subscriber.',
    labelNames: [],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });

  /** The hot path's Redis circuit (`src/plugins/redis-circuit.ts`), read at scrape time; none without Redis. */
  let redisCircuit: { readonly open: boolean; readonly stats: { readonly opened: number } } | undefined;
  new Gauge({
    name: 'redis_circuit_open',
    help: 'The hot path\'s Redis circuit: 1 while Redis is known down and its commands are skipped (rate limit fails open, cache bypassed), else 0.',
    registers,
    collect() {
      if (redisCircuit) this.set(redisCircuit.open ? 1 : 0);
    },
  });
  new Counter({
    name: 'redis_circuit_opens_total',
    help: 'Times the hot path\'s Redis circuit opened (connection lost, or a command failed without a reply).',
    registers,
    collect() {
      if (!redisCircuit) return;
      this.reset();
      this.inc(redisCircuit.stats.opened);
    },
  });

  return {
    registry,
    /** Watch the hot path's Redis circuit (its state and opens are read at each scrape). */
    watchRedisCircuit(circuit: NonNullable<typeof redisCircuit>) {
      redisCircuit = circuit;
    },
    /** Calls to Klarna (`UpstreamOptions.metrics`). */
    upstream: createUpstreamMetrics(registers),
    gateway: {
      /** Operations and errors: an observer of `useOperationOutcome`. */
      operations: createOperationMetrics(registers, operationLabels),
      webSocket: { opened: () => webSockets.inc(), closed: () => webSockets.dec() },
      responseCache: (result: 'hit' | 'miss' | 'error') => cacheLookups.inc(result),
      /**
       * One webhook: its verdict, and its event type label once the body was trusted (Klarna's type,
       * or `other` for one the gateway does not know: bounded labels); `unknown` before.
       */
      webhook: (verdict: string, type = 'unknown') => webhooks.inc(type, verdict),
      /** Seconds from a live event's append to its delivery to one subscriber. */
      deliveryLag: (seconds: number) => deliveryLag.observe(seconds),
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
