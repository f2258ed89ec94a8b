/**
 * Accounts by id, folding expansions: every `load(id, expand)` made in the same tick for the same
 * account becomes ONE `GET /v2/accounts/{id}?expand=<union>`; different accounts go out in parallel.
 * A later load whose expansions the cached answer already covers costs nothing; one that needs more
 * fetches again with the union (so the cache only grows).
 */
import DataLoader from 'dataloader';
import type { AccountExpansion, PartnerAccount, PartnerManagementClient } from '../datasources/partner-management.ts';

interface AccountKey {
  id: string;
  expand: readonly AccountExpansion[];
}

interface CachedAccount {
  expand: Set<AccountExpansion>;
  promise: Promise<PartnerAccount>;
}

export function createAccountLoader(pm: PartnerManagementClient) {
  const cache = new Map<string, CachedAccount>();

  // No DataLoader cache: it would drop a second key with the same id but other expansions. The batch
  // function dedupes by id itself, and `cache` above does the per-request caching.
  const batcher = new DataLoader<AccountKey, PartnerAccount, AccountKey>(
    async (keys) => {
      const union = new Map<string, Set<AccountExpansion>>();
      for (const key of keys) {
        const set = union.get(key.id) ?? new Set<AccountExpansion>();
        key.expand.forEach((expansion) => set.add(expansion));
        union.set(key.id, set);
      }
      const fetched = new Map(
        [...union].map(([id, expand]) => [id, pm.getAccount(id, [...expand]).then((account) => account, (error: Error) => error)]),
      );
      return Promise.all(keys.map((key) => fetched.get(key.id)!));
    },
    { cache: false, maxBatchSize: 100 },
  );

  return {
    load(id: string, expand: readonly AccountExpansion[] = []): Promise<PartnerAccount> {
      const cached = cache.get(id);
      if (cached && expand.every((expansion) => cached.expand.has(expansion))) return cached.promise;
      const wanted = new Set<AccountExpansion>([...(cached?.expand ?? []), ...expand]);
      const promise = batcher.load({ id, expand: [...wanted] });
      // Only successful answers stay cached; a failure may be retried by a later field.
      cache.set(id, { expand: wanted, promise });
      promise.catch(() => {
        if (cache.get(id)?.promise === promise) cache.delete(id);
      });
      return promise;
    },
    /** Forget an account after a write changed it, so the payload reads it fresh. */
    clear(id: string) {
      cache.delete(id);
    },
  };
}
export type AccountLoader = ReturnType<typeof createAccountLoader>;
