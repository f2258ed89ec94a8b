/**
 * The cheaply recorded metrics (src/telemetry/metric-series.ts) print at /metrics exactly what
 * prom-client prints when told the same things the plain way: the reference below is the metrics as
 * they were written before (prom-client's `inc(labels)` / `observe(labels, value)` on every call),
 * with the same names, help, labels and buckets, registered in the same order.
 */
import { OperationTypeNode } from 'graphql';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCheapCounter, createCheapHistogram } from '../../src/telemetry/metric-series.ts';
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.ts';
import type { OperationOutcome } from '../../src/telemetry/operation-outcome.ts';
import { outcomeOf } from '../utils/outcomes.ts';

const KNOWN = ['Portfolio', 'Dashboard'];

/** The gateway's metrics with plain prom-client calls, as `createMetrics({ defaultMetrics: false })` had them. */
function referenceMetrics() {
  const registry = new Registry();
  const registers = [registry];
  new Gauge({ name: 'graphql_ws_connections', help: 'Acknowledged graphql-ws connections now open.', registers });
  const webhooks = new Counter({ name: 'webhook_events_total', help: 'Klarna webhooks received, by event type and verdict.', labelNames: ['type', 'verdict'], registers });
  const cacheLookups = new Counter({
    name: 'graphql_response_cache_lookups_total',
    help: 'Response cache lookups: hit or miss once per cacheable query; error per lookup the store did not answer (then a miss). Hit ratio: hit / (hit + miss).',
    labelNames: ['result'],
    registers,
  });
  const deliveryLag = new Histogram({
    name: 'event_delivery_lag_seconds',
    help: 'From an event\'s append to the event log to its delivery to one subscriber.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  new Gauge({
    name: 'redis_circuit_open',
    help: 'The hot path\'s Redis circuit: 1 while Redis is known down and its commands are skipped (rate limit fails open, cache bypassed), else 0.',
    registers,
  });
  new Counter({ name: 'redis_circuit_opens_total', help: 'Times the hot path\'s Redis circuit opened (connection lost, or a command failed without a reply).', registers });
  const calls = new Counter({
    name: 'klarna_upstream_requests_total',
    help: 'Calls to Klarna by API, operation and outcome (HTTP status, timeout, cancelled, error, circuit_open).',
    labelNames: ['api', 'operation', 'outcome'],
    registers,
  });
  const latency = new Histogram({
    name: 'klarna_upstream_request_duration_seconds',
    help: 'Latency of calls to Klarna by API and operation.',
    labelNames: ['api', 'operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const opens = new Counter({
    name: 'klarna_upstream_breaker_opens_total',
    help: 'Times an operation\'s circuit breaker opened (from closed, or again after a failed half-open trial), by API and operation.',
    labelNames: ['api', 'operation'],
    registers,
  });
  new Gauge({
    name: 'klarna_upstream_breaker_state',
    help: 'Circuit breaker state by API and operation (every operation called so far): 0 closed, 1 half-open (one trial call let through), 2 open (calls refused).',
    labelNames: ['api', 'operation'],
    registers,
    collect() {
      this.reset();
    },
  });
  const operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by operation name, type and outcome (ok, error, refused, subscribed).',
    labelNames: ['operation', 'type', 'outcome'],
    registers,
  });
  const errors = new Counter({ name: 'graphql_errors_total', help: 'Errors in GraphQL results by extensions.code.', labelNames: ['code'], registers });
  return {
    registry,
    upstream: {
      observe(api: string, operation: string, outcome: string, seconds: number) {
        calls.inc({ api, operation, outcome });
        if (outcome !== 'circuit_open') latency.observe({ api, operation }, seconds);
      },
      breakerOpened: (api: string, operation: string) => opens.inc({ api, operation }),
    },
    gateway: {
      operations: {
        onOutcome(outcome: OperationOutcome) {
          // With a manifest (`known`) the label rule is: a known name, `anonymous`, or `other`.
          const label = !outcome.name ? 'anonymous' : KNOWN.includes(outcome.name) ? outcome.name : 'other';
          operations.inc({ operation: label, type: outcome.type ?? 'unknown', outcome: outcome.outcome });
          for (const [code, count] of outcome.errorCodes) errors.inc({ code }, count);
        },
        onEventErrors(codes: readonly string[]) {
          for (const code of codes) errors.inc({ code });
        },
      },
      responseCache: (result: 'hit' | 'miss' | 'error') => cacheLookups.inc({ result }),
      webhook: (verdict: string, type = 'unknown') => webhooks.inc({ type, verdict }),
      deliveryLag: (seconds: number) => deliveryLag.observe(seconds),
    },
  };
}

/** What both the gateway's metrics and the reference are told. */
interface Recorder {
  upstream: Pick<Metrics['upstream'], 'observe' | 'breakerOpened'>;
  gateway: Pick<Metrics['gateway'], 'operations' | 'responseCache' | 'webhook' | 'deliveryLag'>;
}

/** A seeded generator (mulberry32): the same sequence for both recorders, and in every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function outcome(name: string | undefined, kind: OperationOutcome['outcome'], errorCodes: [string, number][] = []): OperationOutcome {
  return outcomeOf(name, { type: name === undefined ? undefined : OperationTypeNode.QUERY, outcome: kind, errorCodes: new Map(errorCodes) });
}

/** Edge cases first (values on a bucket's bound, above the last, zero; series first seen interleaved), then a random mix. */
function feed(recorder: Recorder, seed: number, steps: number): void {
  const { upstream, gateway } = recorder;
  upstream.observe('partner', 'getAccount', '200', 0.005); // exactly on the first bound
  upstream.observe('cards', 'getCard', 'circuit_open', 0); // a call series before its latency series
  upstream.observe('partner', 'getAccount', '500', 10); // exactly on the last bound
  upstream.observe('partner', 'listStores', '200', 11); // above every bound: +Inf only
  upstream.observe('cards', 'getCard', '200', 0);
  upstream.breakerOpened('cards', 'getCard');
  gateway.deliveryLag(0.0004);
  gateway.deliveryLag(31);
  gateway.operations.onOutcome(outcome('Portfolio', 'error', [['NOT_FOUND', 3], ['INTERNAL_SERVER_ERROR', 1]]));
  gateway.operations.onEventErrors!(['NOT_FOUND', 'FORBIDDEN']);

  const next = random(seed);
  const pick = <T>(choices: readonly T[]) => choices[Math.floor(next() * choices.length)]!;
  for (let step = 0; step < steps; step += 1) {
    const which = next();
    if (which < 0.6) {
      const seconds = next() < 0.1 ? pick([0.005, 0.01, 0.25, 1, 2.5]) : next() ** 3 * 12;
      upstream.observe(pick(['partner', 'cards']), pick(['getAccount', 'listStores', 'getSettlement', 'getCard']), pick(['200', '200', '200', '404', '429', 'timeout', 'circuit_open']), seconds);
    } else if (which < 0.8) {
      const codes = next() < 0.5 ? [] : [[pick(['NOT_FOUND', 'RATE_LIMITED', 'BAD_USER_INPUT']), 1 + Math.floor(next() * 3)] as [string, number]];
      gateway.operations.onOutcome(outcome(pick(['Portfolio', 'Dashboard', 'Junk', undefined]), pick(['ok', 'ok', 'error', 'refused', 'subscribed'] as const), codes));
    } else if (which < 0.9) {
      gateway.deliveryLag(next() ** 4 * 40);
    } else if (which < 0.95) {
      gateway.responseCache(pick(['hit', 'miss', 'error'] as const));
    } else {
      const verdict = pick(['accepted', 'duplicate', 'bad_signature']);
      gateway.webhook(verdict, verdict === 'bad_signature' ? undefined : pick(['product.created', 'other']));
    }
  }
}

describe('cheap metric series', () => {
  it('print at /metrics what plain prom-client prints for the same observations, at every scrape', async () => {
    const reference = referenceMetrics();
    const metrics = createMetrics({ defaultMetrics: false, operationLabels: { known: KNOWN } });
    expect(await metrics.registry.metrics()).toBe(await reference.registry.metrics());

    for (const [seed, steps] of [[1, 2_000], [2, 500]] as const) {
      feed(reference, seed, steps);
      feed(metrics, seed, steps);
      const text = await metrics.registry.metrics();
      expect(text).toBe(await reference.registry.metrics());
      // Several label sets of each kind, and histogram lines of every kind, were compared.
      expect(text.match(/^klarna_upstream_requests_total\{/gm)!.length).toBeGreaterThan(20);
      expect(text).toMatch(/^klarna_upstream_request_duration_seconds_bucket\{le="\+Inf",api="partner",operation="listStores"\} \d+$/m);
      expect(text).toMatch(/^event_delivery_lag_seconds_sum \d+\.\d+$/m);
      expect(text).toMatch(/^graphql_errors_total\{code="RATE_LIMITED"\} \d+$/m);
    }
  });

  it('print a histogram without observations, and a counter with none yet, as prom-client does', async () => {
    const plain = new Registry();
    const cheap = new Registry();
    const histogram = { name: 'h_seconds', help: 'h', buckets: [0.1, 1] };
    new Histogram({ ...histogram, registers: [plain] });
    new Histogram({ ...histogram, labelNames: ['a'], name: 'hl_seconds', registers: [plain] });
    new Counter({ name: 'c_total', help: 'c', labelNames: ['a'], registers: [plain] });
    createCheapHistogram({ ...histogram, labelNames: [], registers: [cheap] });
    createCheapHistogram({ ...histogram, labelNames: ['a'], name: 'hl_seconds', registers: [cheap] });
    createCheapCounter({ name: 'c_total', help: 'c', labelNames: ['a'], registers: [cheap] });
    expect(await cheap.metrics()).toBe(await plain.metrics());
  });

  it('refuse what prom-client refuses: a value that is not a finite number, a negative increment', () => {
    const registers = [new Registry()];
    const histogram = createCheapHistogram({ name: 'h_seconds', help: 'h', labelNames: ['a'], buckets: [1], registers });
    const counter = createCheapCounter({ name: 'c_total', help: 'c', labelNames: ['a'], registers });
    expect(() => histogram.observe(Number.NaN, 'x')).toThrow(TypeError);
    expect(() => histogram.observe(Infinity, 'x')).toThrow(TypeError);
    expect(() => counter.add(-1, 'x')).toThrow(TypeError);
    expect(() => counter.add(Infinity, 'x')).toThrow(TypeError);
  });
});
