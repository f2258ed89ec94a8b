/**
 * Exactly once under faults: hundreds of writes through a sandbox failing 20% of them in transit, half
 * before applying (the gateway retries), half after applying and dropping the connection (the gateway
 * retries with the same idempotency key and Klarna replays). The sandbox's ledger must show every
 * write applied exactly once, and none lost.
 */
import { describe, expect, it } from 'vitest';
import { admin } from '../utils/sandbox.ts';
import { gql, useGateway } from '../utils/gateway.ts';

const WRITES = 200;
const CONCURRENCY = 10;

describe('idempotent writes under injected faults', () => {
  const context = useGateway({ env: { UPSTREAM_MAX_ATTEMPTS: '8', UPSTREAM_RETRY_BUDGET_RATIO: '1' } });

  it(`applies each of ${WRITES} createApiKey mutations exactly once and loses none`, { timeout: 120_000 }, async () => {
    await admin(context.sandbox, 'DELETE', '/ledger');
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'createApiKey', errorRates: { 503: 0.1 }, retryAfterSeconds: 0 });
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'createApiKey', dropRate: 0.1, afterApply: true });
    const mutation = `mutation($input: CreateCredentialInput!) { createApiKey(input: $input) { __typename ... on CreateApiKeyPayload { credential { klarnaId description } } } }`;

    const results: { description: string; klarnaId: string }[] = [];
    for (let start = 0; start < WRITES; start += CONCURRENCY) {
      const batch = Array.from({ length: Math.min(CONCURRENCY, WRITES - start) }, (_, offset) => `bulk key ${start + offset}`);
      const answers = await Promise.all(batch.map((description) => gql(context.gateway, mutation, { input: { description } })));
      answers.forEach((answer, index) => {
        expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
        results.push({ description: batch[index]!, klarnaId: answer.body.data.createApiKey.credential.klarnaId });
      });
    }
    await admin(context.sandbox, 'DELETE', '/faults');

    const counters = await admin<{ byOperation: Record<string, { total: number; byStatus: Record<string, number> }> }>(context.sandbox, 'GET', '/counters');
    const statuses = counters.byOperation.createApiKey!.byStatus;
    expect(statuses['503'], 'faults were injected before applying').toBeGreaterThan(0);
    expect(statuses['0'], 'connections were dropped after applying').toBeGreaterThan(0);

    const ledger = await admin<{ operationId: string; applied: number; idempotencyKey: string | null }[]>(context.sandbox, 'GET', '/ledger');
    const writes = ledger.filter((entry) => entry.operationId === 'createApiKey');
    expect(writes).toHaveLength(WRITES);
    expect(writes.every((entry) => entry.applied === 1 && entry.idempotencyKey)).toBe(true);

    const keys = await gql(context.gateway, `{ apiKeys { klarnaId description } }`);
    const bulk = keys.body.data.apiKeys.filter((key: { description: string }) => key.description?.startsWith('bulk key '));
    expect(bulk).toHaveLength(WRITES);
    expect(new Set(bulk.map((key: { klarnaId: string }) => key.klarnaId))).toEqual(new Set(results.map((r) => r.klarnaId)));
  });
});
