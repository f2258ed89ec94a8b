/** Retries, Retry-After, timeouts and the circuit breaker, against a sandbox injecting real faults. */
import { describe, expect, it } from 'vitest';
import { admin, waitingUpstream } from '../utils/sandbox.ts';
import { countCalls, gql, metricSample, scrapeMetrics, useGateway } from '../utils/gateway.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const NAME_QUERY = `query($id: ID!) { account(id: $id) { name } }`;
const ask = (gateway: Parameters<typeof gql>[0]) => gql(gateway, NAME_QUERY, { id: ACCOUNT });

describe('retries', () => {
  const context = useGateway({ env: { UPSTREAM_MAX_ATTEMPTS: '3' } });

  it('retries a read through two 503s and answers with data', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 503: 1 }, times: 2, retryAfterSeconds: 0 });
    const { result, byOperation } = await countCalls(context.sandbox, () => ask(context.gateway));
    expect(result.body.data?.account?.name).toBe('Merchant ABC US');
    expect(byOperation).toEqual({ getAccount: 3 });
  });

  it('retries a dropped connection', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', dropRate: 1, times: 1 });
    const { result, total } = await countCalls(context.sandbox, () => ask(context.gateway));
    expect(result.body.data?.account?.name).toBe('Merchant ABC US');
    expect(total).toBe(2);
  });

  it('honours a short Retry-After on 429 and then succeeds', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 429: 1 }, times: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    const { result, total } = await countCalls(context.sandbox, () => ask(context.gateway));
    expect(result.body.data?.account?.name).toBe('Merchant ABC US');
    expect(total).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('answers RATE_LIMITED with retryAfter when Klarna asks to wait longer than the deadline, without retrying', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 429: 1 }, times: 5, retryAfterSeconds: 30 });
    const { result, total } = await countCalls(context.sandbox, () => ask(context.gateway));
    expect(total).toBe(1);
    expect(result.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 30 });
    await admin(context.sandbox, 'DELETE', '/faults');
  });

  it('gives up after the last attempt with UPSTREAM_UNAVAILABLE', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 503: 1 }, times: 3, retryAfterSeconds: 0 });
    const { result, total } = await countCalls(context.sandbox, () => ask(context.gateway));
    expect(total).toBe(3);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('never retries on 404 or 400', async () => {
    const { total } = await countCalls(context.sandbox, () => gql(context.gateway, NAME_QUERY, { id: 'krn:partner:global:account:live:NOSUCH00' }));
    expect(total).toBe(1);
  });
});

describe('timeouts', () => {
  const context = useGateway({ env: { UPSTREAM_HEADERS_TIMEOUT_MS: '150', UPSTREAM_DEADLINE_MS: '400', UPSTREAM_MAX_ATTEMPTS: '2' } });

  it('answers UPSTREAM_TIMEOUT when Klarna does not answer in time', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', latencyMs: 1_000, times: 2 });
    const result = await ask(context.gateway);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(result.body.data).toEqual({ account: null });
  });
});

describe('circuit breaker', () => {
  // Open for 5 s: long enough that "still open" holds on a slow machine; the test waits for half-open.
  // A 60 s window: every call of a test counts, however slow the machine.
  const context = useGateway({
    env: { UPSTREAM_BREAKER_MIN_CALLS: '3', UPSTREAM_BREAKER_FAILURE_RATE: '0.5', UPSTREAM_BREAKER_WINDOW_MS: '60000', UPSTREAM_BREAKER_OPEN_MS: '5000', UPSTREAM_MAX_ATTEMPTS: '3' },
  });
  const API_KEYS = `{ apiKeys { id } }`;

  it('judges calls, not attempts: calls that succeed on a retry never open it', async () => {
    // Every call's first two attempts fail (6 failed attempts in a row, 3 calls): all three calls succeed.
    const { total } = await countCalls(context.sandbox, async () => {
      for (let i = 0; i < 3; i += 1) {
        await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 503: 1 }, times: 2, retryAfterSeconds: 0 });
        expect((await ask(context.gateway)).body.data?.account?.name).toBe('Merchant ABC US');
      }
    });
    expect(total).toBe(9);
    expect(context.gateway.upstreams.pm.operationBreakerState('getAccount')).toBe('closed');
  });

  it('fails fast while Klarna keeps failing, then lets one probe through and recovers', async () => {
    // Three calls that fail after their three attempts: 3 of 3 calls failed.
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 503: 1 }, times: 9, retryAfterSeconds: 0 });
    const breakerSample = async (name: string, operation: string) =>
      metricSample(await scrapeMetrics(context.gateway), `${name}{api="Partner Management API",operation="${operation}"}`);
    const opensBefore = await breakerSample('klarna_upstream_breaker_opens_total', 'getAccount');
    for (let i = 0; i < 3; i += 1) expect((await ask(context.gateway)).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(context.gateway.upstreams.pm.breakerState()).toBe('open');
    // On /metrics: getAccount's breaker open (2) and opened once; another operation's closed (0).
    expect(await breakerSample('klarna_upstream_breaker_state', 'getAccount')).toBe(2);
    expect((await breakerSample('klarna_upstream_breaker_opens_total', 'getAccount')) - opensBefore).toBe(1);

    // Per operation: another operation of the same API is still sent.
    const other = await countCalls(context.sandbox, () => gql(context.gateway, API_KEYS));
    expect(other.result.body.errors).toBeUndefined();
    expect(other.total).toBe(1);
    expect(context.gateway.upstreams.pm.operationBreakerState('getAccount')).toBe('open');
    expect(await scrapeMetrics(context.gateway)).toContain('klarna_upstream_breaker_state{api="Partner Management API",operation="listApiKeys"} 0');

    const open = await countCalls(context.sandbox, () => ask(context.gateway));
    expect(open.total).toBe(0);
    expect(open.result.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');

    await expect.poll(() => context.gateway.upstreams.pm.operationBreakerState('getAccount'), { timeout: 30_000, interval: 100 }).toBe('half-open');
    const probe = await countCalls(context.sandbox, () => ask(context.gateway));
    expect(probe.total).toBe(1);
    expect(probe.result.body.data?.account?.name).toBe('Merchant ABC US');
    expect(context.gateway.upstreams.pm.operationBreakerState('getAccount')).toBe('closed');
    expect(await breakerSample('klarna_upstream_breaker_state', 'getAccount')).toBe(0);
  });

  it('does not count callers who hang up against Klarna', async () => {
    // Each caller hangs up while its upstream call is certainly under way (held by the sandbox).
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', hold: true, times: 5 });
    const cancelled = async () => metricSample(await scrapeMetrics(context.gateway), 'klarna_upstream_requests_total{api="Partner Management API",operation="getAccount",outcome="cancelled"}');
    const cancelledBefore = await cancelled();
    const { request } = await import('undici');
    try {
      for (let i = 0; i < 5; i += 1) {
        const hangUp = new AbortController();
        const asked = request(context.gateway.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: NAME_QUERY, variables: { id: ACCOUNT } }),
          signal: hangUp.signal,
        });
        await expect.poll(() => waitingUpstream(context.sandbox)).toBe(i + 1);
        hangUp.abort();
        expect(await asked.then(async (r) => `resolved ${r.statusCode} ${await r.body.text()}`, () => 'rejected')).toBe('rejected');
      }
      // The gateway has seen all five hang up (and cancelled their calls): more than the 3 calls it judges on.
      await expect.poll(cancelled).toBe(cancelledBefore + 5);
    } finally {
      await admin(context.sandbox, 'POST', '/faults/release');
    }
    expect(context.gateway.upstreams.pm.operationBreakerState('getAccount')).toBe('closed');
    expect((await ask(context.gateway)).body.data?.account?.name).toBe('Merchant ABC US');
  });
});
