/**
 * Reads never starve writes of retries: with the read retry budget spent by failing reads, a keyed
 * write that fails once in transit is still retried (from the writes' own budget) and applied once.
 */
import { describe, expect, it } from 'vitest';
import { admin } from '../utils/sandbox.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';

describe('retry budgets', () => {
  // No budget earned by calls or by the clock: only the floor of 10 retries at start. The breaker stays out of it.
  const context = useGateway({
    env: { UPSTREAM_MAX_ATTEMPTS: '3', UPSTREAM_RETRY_BUDGET_RATIO: '0', UPSTREAM_RETRY_BUDGET_PER_SECOND: '0', UPSTREAM_BREAKER: 'false', RATE_LIMIT_PER_MINUTE: '0' },
  });

  it('retries a keyed write after failing reads spent the read budget', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 503: 1 }, retryAfterSeconds: 0 });
    const reads = await countCalls(context.sandbox, async () => {
      for (let i = 0; i < 8; i += 1) await gql(context.gateway, `query($id: ID!) { account(id: $id) { name } }`, { id: ACCOUNT });
    });
    // 8 reads of up to 3 attempts each: the retries of the floor were spent before the last reads.
    expect(reads.byOperation.getAccount).toBeLessThan(8 * 3);
    await admin(context.sandbox, 'DELETE', '/faults');

    await admin(context.sandbox, 'POST', '/faults', { operationId: 'createApiKey', errorRates: { 503: 1 }, times: 1, retryAfterSeconds: 0 });
    const write = await countCalls(context.sandbox, () =>
      gql(context.gateway, `mutation { createApiKey(input: { description: "after the reads" }) { __typename } }`),
    );
    expect(write.result.body.data.createApiKey.__typename).toBe('CreateApiKeyPayload');
    expect(write.byOperation.createApiKey).toBe(2);
  });
});
