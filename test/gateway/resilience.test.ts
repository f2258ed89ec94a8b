/** Retries, Retry-After, timeouts and the circuit breaker, against a sandbox injecting real faults. */
import { describe, expect, it } from 'vitest';
import { admin } from '../utils/sandbox.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';

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
  const context = useGateway({ env: { UPSTREAM_BREAKER_THRESHOLD: '3', UPSTREAM_BREAKER_OPEN_MS: '300', UPSTREAM_MAX_ATTEMPTS: '1' } });

  it('fails fast while Klarna keeps failing, then lets one probe through and recovers', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 503: 1 }, times: 3, retryAfterSeconds: 0 });
    for (let i = 0; i < 3; i += 1) expect((await ask(context.gateway)).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(context.gateway.upstreams.pm.breakerState()).toBe('open');

    const open = await countCalls(context.sandbox, () => ask(context.gateway));
    expect(open.total).toBe(0);
    expect(open.result.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');

    await new Promise((resolve) => setTimeout(resolve, 350));
    const probe = await countCalls(context.sandbox, () => ask(context.gateway));
    expect(probe.total).toBe(1);
    expect(probe.result.body.data?.account?.name).toBe('Merchant ABC US');
    expect(context.gateway.upstreams.pm.breakerState()).toBe('closed');
  });

  it('does not count callers who hang up against Klarna', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', latencyMs: 300, times: 5 });
    const { request } = await import('undici');
    for (let i = 0; i < 5; i += 1) {
      const hangUp = request(context.gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: NAME_QUERY, variables: { id: ACCOUNT } }),
        signal: AbortSignal.timeout(50),
      });
      const outcome = await hangUp.then(async (r) => `resolved ${r.statusCode} ${await r.body.text()}`, () => 'rejected');
      expect(outcome).toBe('rejected');
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(context.gateway.upstreams.pm.breakerState()).toBe('closed');
    expect((await ask(context.gateway)).body.data?.account?.name).toBe('Merchant ABC US');
  });
});
