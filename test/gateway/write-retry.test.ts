/**
 * A write the gateway gives up on can be retried safely: 200 `createApiKey` with the default retry
 * settings (3 attempts, a retry budget of 0.2 a call) while Klarna drops 20% of its answers after
 * applying and answers 503 to 10%. Whatever the gateway cannot finish answers `OutcomeUnknownError`
 * naming the idempotency key it used (the caller's, or the one it made); the test sends every such
 * write again with that key until it is answered. Klarna's own list must then hold each key exactly
 * once. Counted, never timed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { admin } from '../utils/sandbox.ts';
import { gql, useGateway } from '../utils/gateway.ts';

const WRITES = 200;
const CONCURRENCY = 10;
const MAX_SENDS = 25;

const MUTATION = `mutation($input: CreateCredentialInput!) {
  createApiKey(input: $input) {
    __typename
    ... on CreateApiKeyPayload { credential { klarnaId description } }
    ... on OutcomeUnknownError { code idempotencyKey retryAfter message }
    ... on UserError { code message }
  }
}`;

describe('a write whose outcome is unknown names its idempotency key', () => {
  // Three attempts per call (the default), pinned: the first write below is dropped exactly three times.
  const context = useGateway({ env: { RATE_LIMIT_PER_MINUTE: '0', UPSTREAM_MAX_ATTEMPTS: '3' } });

  it(`${WRITES} createApiKey under drops after applying and 503s, each failure retried with the key it names: each applied once`, { timeout: 180_000 }, async () => {
    await admin(context.sandbox, 'DELETE', '/ledger');

    let outcomeUnknown = 0;
    const otherFailures: unknown[] = [];
    /** Sends one write until it is answered, each retry with the key its failure named. */
    async function write(index: number): Promise<string | undefined> {
      const description = `retry key ${index}`;
      // Half bring their own key, half let the gateway make one.
      let input: Record<string, string> = index % 2 ? { description, idempotencyKey: `client-key-${index}` } : { description };
      for (let send = 0; send < MAX_SENDS; send += 1) {
        const answer = await gql(context.gateway, MUTATION, { input });
        const result = answer.body.data?.createApiKey;
        if (result?.__typename === 'CreateApiKeyPayload') return result.credential.klarnaId as string;
        if (result?.__typename !== 'OutcomeUnknownError') {
          otherFailures.push(answer.body);
          return undefined;
        }
        outcomeUnknown += 1;
        expect(result.code).toBe('OUTCOME_UNKNOWN');
        expect(result.retryAfter).toBeGreaterThanOrEqual(0);
        expect(result.message).toContain(result.idempotencyKey);
        if (input.idempotencyKey) expect(result.idempotencyKey, 'the caller’s own key is the one named').toBe(input.idempotencyKey);
        input = { description, idempotencyKey: result.idempotencyKey };
        // As a client should: wait `retryAfter` (the circuit may be open a while); pacing, not an assertion.
        await sleep(result.retryAfter * 1000);
      }
      otherFailures.push(`write ${index} still unanswered after ${MAX_SENDS} sends`);
      return undefined;
    }

    // The first write alone: each of its attempts is dropped after applying, so the gateway surely
    // gives up on it (applied, answer lost) and its caller retries with the key it is told.
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'createApiKey', dropRate: 1, afterApply: true, times: 3 });
    const created: (string | undefined)[] = [await write(0)];
    expect(outcomeUnknown).toBe(1);
    // Then the mix, on every other write.
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'createApiKey', dropRate: 0.2, afterApply: true });
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'createApiKey', errorRates: { 503: 0.1 }, retryAfterSeconds: 0 });
    for (let start = 1; start < WRITES; start += CONCURRENCY) {
      const batch = Array.from({ length: Math.min(CONCURRENCY, WRITES - start) }, (_, offset) => start + offset);
      created.push(...(await Promise.all(batch.map(write))));
    }
    await admin(context.sandbox, 'DELETE', '/faults');

    expect(otherFailures, 'every failure was OutcomeUnknownError, and every write was answered in the end').toEqual([]);
    const counters = await admin<{ byOperation: Record<string, { byStatus: Record<string, number> }> }>(context.sandbox, 'GET', '/counters');
    expect(counters.byOperation.createApiKey!.byStatus['0'], 'answers were dropped after applying').toBeGreaterThan(0);

    // Klarna's own list: every write once, none twice.
    const list = await gql(context.gateway, `{ apiKeys { klarnaId description } }`);
    const keys = (list.body.data.apiKeys as { klarnaId: string; description: string }[]).filter((key) => key.description?.startsWith('retry key '));
    const perDescription = new Map<string, number>();
    for (const key of keys) perDescription.set(key.description, (perDescription.get(key.description) ?? 0) + 1);
    expect([...perDescription.values()].filter((count) => count > 1), 'no write applied twice').toEqual([]);
    expect(perDescription.size, 'every write applied').toBe(WRITES);
    expect(new Set(keys.map((key) => key.klarnaId))).toEqual(new Set(created));
    const ledger = await admin<{ operationId: string; applied: number }[]>(context.sandbox, 'GET', '/ledger');
    expect(ledger.filter((entry) => entry.operationId === 'createApiKey' && entry.applied !== 1)).toEqual([]);
  });
});
