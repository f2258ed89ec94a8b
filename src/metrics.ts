/**
 * Prometheus metrics, in a registry made at boot (never prom-client's global one, so two gateways in
 * one process, as in tests, keep their own numbers).
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamMetrics } from './datasources/http.ts';
import { createGatewayMetrics } from './plugins/gateway-metrics.ts';

export function createMetrics({ defaultMetrics = true }: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  const upstreamCalls = new Counter({
    name: 'klarna_upstream_requests_total',
    help: 'Calls to Klarna by API, operation and outcome (HTTP status, timeout, cancelled, error, circuit_open).',
    labelNames: ['api', 'operation', 'outcome'] as const,
    registers: [registry],
  });
  const upstreamLatency = new Histogram({
    name: 'klarna_upstream_request_duration_seconds',
    help: 'Latency of calls to Klarna by API and operation.',
    labelNames: ['api', 'operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const upstream: UpstreamMetrics = {
    observe(api, operation, outcome, seconds) {
      upstreamCalls.inc({ api, operation, outcome });
      if (outcome !== 'circuit_open') upstreamLatency.observe({ api, operation }, seconds);
    },
  };
  // Operations, errors, WebSocket connections, webhooks and event delivery lag.
  return { registry, upstream, gateway: createGatewayMetrics(registry) };
}
export type Metrics = ReturnType<typeof createMetrics>;
