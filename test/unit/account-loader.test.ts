/**
 * The account loader folds the expansions asked for in one tick into one read per account, answers a
 * later load its cached read covers without a call, reads again with the union when it does not, and
 * keeps no failed read: a later load tries again, and a failure no field awaited goes unhandled nowhere.
 */
import { describe, expect, it } from 'vitest';
import type { AccountExpansion, PartnerAccount, PartnerManagementClient } from '../../src/datasources/partner-management.ts';
import { createAccountLoader } from '../../src/loaders/account-loader.ts';

function fakeClient(failFirst = 0) {
  const calls: string[] = [];
  let failures = failFirst;
  const pm = {
    getAccount: async (id: string, expand: AccountExpansion[]) => {
      calls.push(`${id} ${[...expand].sort().join(',')}`);
      if (failures > 0) {
        failures -= 1;
        // Fails a little later: loads in the meantime go out as a read of their own.
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error(`read of ${id} failed`);
      }
      return { partner_account_id: id, expanded: expand } as unknown as PartnerAccount;
    },
  } as unknown as PartnerManagementClient;
  return { pm, calls };
}

describe('account loader', () => {
  it('folds one tick’s loads into one read per account with the union of their expansions', async () => {
    const { pm, calls } = fakeClient();
    const loader = createAccountLoader(pm);
    const [a, b, c] = await Promise.all([loader.load('A', ['brands']), loader.load('A', ['products']), loader.load('B')]);
    expect(calls.sort()).toEqual(['A brands,products', 'B ']);
    expect(a).toBe(b);
    expect(c).toMatchObject({ partner_account_id: 'B' });
  });

  it('answers from the cache when the read covers the expansions, and reads the union when it does not', async () => {
    const { pm, calls } = fakeClient();
    const loader = createAccountLoader(pm);
    await loader.load('A', ['brands', 'products']);
    await loader.load('A', ['brands']);
    expect(calls).toEqual(['A brands,products']);
    await loader.load('A', ['store_groups'] as AccountExpansion[]);
    expect(calls).toEqual(['A brands,products', 'A brands,products,store_groups']);
  });

  it('keeps no failed read: the loads of that tick fail, a later one reads again', async () => {
    const { pm, calls } = fakeClient(1);
    const loader = createAccountLoader(pm);
    const first = await Promise.allSettled([loader.load('A', ['brands']), loader.load('A')]);
    expect(first.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    await expect(loader.load('A', ['brands'])).resolves.toMatchObject({ partner_account_id: 'A' });
    expect(calls).toEqual(['A brands', 'A brands']);
  });

  it('keeps a wider read made after a failed one started', async () => {
    const { pm, calls } = fakeClient(1);
    const loader = createAccountLoader(pm);
    const failing = loader.load('A');
    // Once the first read is out, a load that needs more replaces the entry before that read fails.
    await new Promise((resolve) => setImmediate(resolve));
    const wider = loader.load('A', ['brands']);
    await expect(failing).rejects.toThrow('read of A failed');
    await expect(wider).resolves.toMatchObject({ partner_account_id: 'A' });
    await loader.load('A', ['brands']);
    expect(calls).toEqual(['A ', 'A brands']);
  });

  it('leaves no unhandled rejection when no one awaits a failed load', async () => {
    const { pm } = fakeClient(1);
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      void createAccountLoader(pm).load('A');
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', listener);
    }
    expect(unhandled).toEqual([]);
  });
});
