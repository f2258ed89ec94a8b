/** The request pipeline every operation shares: routing, auth, the metadata header, counters, faults. */
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { admin, call, seg, useSandbox, waitingUpstream } from '../utils/sandbox.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const accountPath = `/v2/accounts/${seg(ACCOUNT)}`;

describe('sandbox request pipeline', () => {
  const context = useSandbox();

  it('answers an unknown route with 404 in Klarna format and a wrong method with 405', async () => {
    const missing = await call(context.sandbox, 'GET', '/v2/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error_code: 'NOT_FOUND', error_type: 'RESOURCE_ERROR' });
    const wrongMethod = await call(context.sandbox, 'DELETE', accountPath);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toContain('GET');
  });

  it('refuses a request without credentials, or with unknown ones, with 401', async () => {
    const none = await call(context.sandbox, 'GET', accountPath, { apiKey: null });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error_type: 'ACCESS_ERROR', error_code: 'UNAUTHORIZED' });
    const wrong = await call(context.sandbox, 'GET', accountPath, { apiKey: 'klarna_test_api_not-a-key' });
    expect(wrong.status).toBe(401);
  });

  it('accepts the API key as Basic credentials, raw or as the user of base64 user:password', async () => {
    const raw = await call(context.sandbox, 'GET', accountPath);
    expect(raw.status).toBe(200);
    const encoded = Buffer.from(`${DEMO_CREDENTIALS.apiKey}:`).toString('base64');
    const basic = await call(context.sandbox, 'GET', accountPath, { headers: { authorization: `Basic ${encoded}` } });
    expect(basic.status).toBe(200);
  });

  it('requires Klarna-Integration-Metadata as a JSON object with an integrator', async () => {
    const missing = await call(context.sandbox, 'GET', accountPath, { headers: { 'klarna-integration-metadata': undefined } });
    expect(missing.status).toBe(400);
    expect(missing.body.validation_errors).toEqual([{ parameter: 'header.Klarna-Integration-Metadata', reason: 'is required' }]);
    const notJson = await call(context.sandbox, 'GET', accountPath, { headers: { 'klarna-integration-metadata': '{oops' } });
    expect(notJson.status).toBe(400);
    expect(notJson.body.validation_errors[0].parameter).toBe('header.Klarna-Integration-Metadata');
    const noIntegrator = await call(context.sandbox, 'GET', accountPath, { headers: { 'klarna-integration-metadata': '{}' } });
    expect(noIntegrator.status).toBe(400);
    expect(noIntegrator.body.validation_errors).toContainEqual(
      expect.objectContaining({ parameter: 'header.Klarna-Integration-Metadata.integrator' }),
    );
  });

  it('echoes Partner-Correlation-Id', async () => {
    const response = await call(context.sandbox, 'GET', accountPath, { headers: { 'partner-correlation-id': 'abc123' } });
    expect(response.headers['partner-correlation-id']).toBe('abc123');
  });

  it('counts requests by operation and status, and resets the counters on demand', async () => {
    await admin(context.sandbox, 'DELETE', '/counters');
    await call(context.sandbox, 'GET', accountPath);
    await call(context.sandbox, 'GET', accountPath);
    await call(context.sandbox, 'GET', `/v2/accounts/${seg('krn:partner:global:account:live:NOPE')}`);
    const counters = await admin(context.sandbox, 'GET', '/counters');
    expect(counters.total).toBe(3);
    expect(counters.byOperation.getAccount).toEqual({ total: 3, byStatus: { 200: 2, 404: 1 } });
  });
});

describe('sandbox fault injection', () => {
  const context = useSandbox();

  it('answers the next N calls of an operation with the injected status and Retry-After, then recovers', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 503: 1 }, times: 2, retryAfterSeconds: 3 });
    const first = await call(context.sandbox, 'GET', accountPath);
    const second = await call(context.sandbox, 'GET', accountPath);
    const third = await call(context.sandbox, 'GET', accountPath);
    expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
    expect(first.headers['retry-after']).toBe('3');
    expect(first.body.error_code).toBe('SERVICE_UNAVAILABLE');
  });

  it('injects 429 rate limiting with Retry-After', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 429: 1 }, times: 1, retryAfterSeconds: 7 });
    const limited = await call(context.sandbox, 'GET', accountPath);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    expect(limited.body.error_code).toBe('RATE_LIMITED');
  });

  it('drops the connection without an answer', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', dropRate: 1, times: 1 });
    await expect(call(context.sandbox, 'GET', accountPath)).rejects.toThrow();
    expect((await call(context.sandbox, 'GET', accountPath)).status).toBe(200);
  });

  it('adds latency and sends the body slowly', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', latencyMs: 120, slowBodyMs: 100, times: 1 });
    const started = performance.now();
    const response = await request(`${context.sandbox.url}${accountPath}`, {
      headers: { authorization: `Basic ${DEMO_CREDENTIALS.apiKey}`, 'klarna-integration-metadata': '{"integrator":{"name":"T","session_reference":"1"}}' },
    });
    const headersAfter = performance.now() - started;
    await response.body.json();
    const bodyAfter = performance.now() - started;
    expect(headersAfter).toBeGreaterThanOrEqual(110);
    expect(bodyAfter - headersAfter).toBeGreaterThanOrEqual(60);
  });

  it('holds requests at a barrier until enough have arrived, then lets them all go', async () => {
    await admin(context.sandbox, 'DELETE', '/counters');
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', barrier: 3, times: 3, gateTimeoutMs: 10_000 });
    const answered: number[] = [];
    const first = [1, 2].map((n) => call(context.sandbox, 'GET', accountPath).then((r) => (answered.push(n), r)));
    // Two of three are waiting at the barrier, and neither is answered.
    await expect.poll(() => waitingUpstream(context.sandbox)).toBe(2);
    expect(answered).toEqual([]);
    const third = await call(context.sandbox, 'GET', accountPath);
    const all = [await first[0]!, await first[1]!, third];
    expect(all.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await admin<{ peakInFlight: number }>(context.sandbox, 'GET', '/counters')).peakInFlight).toBe(3);
  });

  it('holds requests until released, and the gate opens by itself after its timeout', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', hold: true, times: 1, gateTimeoutMs: 10_000 });
    let answered = false;
    const held = call(context.sandbox, 'GET', accountPath).then((r) => ((answered = true), r));
    await expect.poll(() => waitingUpstream(context.sandbox)).toBe(1);
    expect(answered).toBe(false);
    expect(await admin(context.sandbox, 'POST', '/faults/release')).toEqual({ released: 1 });
    expect((await held).status).toBe(200);

    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', hold: true, times: 1, gateTimeoutMs: 200 });
    expect((await call(context.sandbox, 'GET', accountPath)).status).toBe(200);
  });

  it('applies a write before failing when told to, so a retry with the same idempotency key sees it applied once', async () => {
    await admin(context.sandbox, 'DELETE', '/ledger');
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'updateAccount', errorRates: { 503: 1 }, times: 1, afterApply: true });
    const headers = { 'klarna-idempotency-key': 'fault-after-apply-1' };
    const body = { partner_account_name: 'Renamed After Fault' };
    const failed = await call(context.sandbox, 'PATCH', accountPath, { body, headers });
    expect(failed.status).toBe(503);
    const retried = await call(context.sandbox, 'PATCH', accountPath, { body, headers });
    expect(retried.status).toBe(200);
    expect(retried.body.partner_account_name).toBe('Renamed After Fault');
    const ledger = await admin(context.sandbox, 'GET', '/ledger');
    expect(ledger).toEqual([expect.objectContaining({ operationId: 'updateAccount', idempotencyKey: 'fault-after-apply-1', applied: 1 })]);
  });

  it('lists and clears its rules', async () => {
    await admin(context.sandbox, 'POST', '/faults', { latencyMs: 1 });
    expect((await admin(context.sandbox, 'GET', '/faults')).length).toBeGreaterThan(0);
    await admin(context.sandbox, 'DELETE', '/faults');
    expect(await admin(context.sandbox, 'GET', '/faults')).toEqual([]);
  });
});

describe('sandbox idempotency', () => {
  const context = useSandbox();

  it('replays the first response to a repeated key for 24 hours, then treats the key as new', async () => {
    await admin(context.sandbox, 'DELETE', '/ledger');
    const headers = { 'klarna-idempotency-key': 'rename-1' };
    const first = await call(context.sandbox, 'PATCH', accountPath, { body: { partner_account_name: 'First' }, headers });
    const repeat = await call(context.sandbox, 'PATCH', accountPath, { body: { partner_account_name: 'Second' }, headers });
    expect(repeat.status).toBe(first.status);
    expect(repeat.body).toEqual(first.body);
    expect((await call(context.sandbox, 'GET', accountPath)).body.partner_account_name).toBe('First');

    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 24 * 60 * 60 * 1000 + 1 });
    const later = await call(context.sandbox, 'PATCH', accountPath, { body: { partner_account_name: 'Second' }, headers });
    expect(later.body.partner_account_name).toBe('Second');
    const ledger = await admin(context.sandbox, 'GET', '/ledger');
    expect(ledger).toEqual([expect.objectContaining({ idempotencyKey: 'rename-1', applied: 2 })]);
  });

  it('applies a key once when its repeat overtakes the first request still under way: the first then replays the answer', async () => {
    await admin(context.sandbox, 'DELETE', '/ledger');
    const headers = { 'klarna-idempotency-key': 'overtaken-1' };
    const body = { description: 'overtaken' };
    const path = '/v2/account/integration/credentials/api-key';
    // The first request waits at a gate (as a slow Klarna would) while its retry goes through.
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'createApiKey', hold: true, times: 1 });
    const first = call(context.sandbox, 'POST', path, { body, headers });
    for (let i = 0; i < 500 && (await waitingUpstream(context.sandbox)) < 1; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    const retry = await call(context.sandbox, 'POST', path, { body, headers });
    expect(retry.status).toBe(201);
    expect(await admin(context.sandbox, 'POST', '/faults/release')).toMatchObject({ released: 1 });
    const original = await first;
    expect(original.status).toBe(201);
    expect(original.body.credential_id).toBe(retry.body.credential_id);
    const ledger = await admin<{ operationId: string; idempotencyKey: string | null; applied: number }[]>(context.sandbox, 'GET', '/ledger');
    expect(ledger.filter((entry) => entry.idempotencyKey === 'overtaken-1').map((entry) => entry.applied)).toEqual([1]);
  });

  it('scopes keys to the caller: another partner reusing a key is not served the first partner\'s answer', async () => {
    const headers = { 'klarna-idempotency-key': 'shared-key' };
    const mine = await call(context.sandbox, 'PATCH', accountPath, { body: { partner_account_name: 'Mine' }, headers });
    expect(mine.status).toBe(200);
    const theirs = await call(context.sandbox, 'PATCH', accountPath, {
      body: { partner_account_name: 'Theirs' },
      headers,
      apiKey: DEMO_CREDENTIALS.otherApiKey,
    });
    expect(theirs.status).toBe(404);
  });
});
