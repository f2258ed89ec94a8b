/** The per-request loaders are made on first use: a request pays only for the loaders it uses. */
import { describe, expect, it } from 'vitest';
import type { MerchantCardServiceClient } from '../../src/datasources/merchant-card-service.ts';
import type { PartnerManagementClient } from '../../src/datasources/partner-management.ts';
import { createLoaders } from '../../src/loaders/index.ts';
import { createReferenceCache } from '../../src/loaders/reference-cache.ts';

function loadersCountingCalls() {
  const calls: string[] = [];
  const pm = new Proxy({}, { get: (_target, name) => async (...args: unknown[]) => (calls.push(`${String(name)} ${JSON.stringify(args)}`), { name }) });
  const loaders = createLoaders({
    pm: pm as PartnerManagementClient,
    mcs: pm as MerchantCardServiceClient,
    referenceCache: createReferenceCache({ ttlMs: 1_000 }),
    principalHash: 'principal',
  });
  return { loaders, calls };
}

describe('createLoaders', () => {
  it('makes no loader until one is used, then keeps that one for the request', () => {
    const { loaders } = loadersCountingCalls();
    const made = (loaders as unknown as { made: object }).made;
    expect(Object.keys(made)).toEqual([]);
    const settlement = loaders.settlement;
    expect(loaders.settlement).toBe(settlement);
    expect(Object.keys(made)).toEqual(['settlement']);
  });

  it('gives each request its own loaders, bound to its own datasources', async () => {
    const first = loadersCountingCalls();
    const second = loadersCountingCalls();
    expect(first.loaders.settlement).not.toBe(second.loaders.settlement);
    await first.loaders.settlement.load('krn:partner:eu1:settlement:live:1');
    await first.loaders.settlement.load('krn:partner:eu1:settlement:live:1');
    expect(first.calls).toEqual(['getSettlement ["krn:partner:eu1:settlement:live:1"]']);
    expect(second.calls).toEqual([]);
  });
});
