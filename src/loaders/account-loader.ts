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
  /** The expansions of the cache entry this load made (its identity): the entry is dropped when this read fails, unless a later load replaced it. */
  entry: ReadonlySet<AccountExpansion>;
}

interface CachedAccount {
  expand: ReadonlySet<AccountExpansion>;
  promise: Promise<PartnerAccount>;
}

const IGNORE = () => undefined;

export function createAccountLoader(pm: PartnerManagementClient) {
  const cache = new Map<string, CachedAccount>();

  // No DataLoader cache: it would drop a second key with the same id but other expansions. The batch
  // function dedupes by id itself, and `cache` above does the per-request caching.
  const batcher = new DataLoader<AccountKey, PartnerAccount, AccountKey>(
    async (keys) => {
      const byId = new Map<string, { expand: Set<AccountExpansion>; keys: AccountKey[] }>();
      for (const key of keys) {
        let read = byId.get(key.id);
        if (!read) byId.set(key.id, (read = { expand: new Set(), keys: [] }));
        for (const expansion of key.expand) read.expand.add(expansion);
        read.keys.push(key);
      }
      const fetched = new Map<string, Promise<PartnerAccount | Error>>();
      for (const [id, read] of byId) {
        const answer = pm.getAccount(id, [...read.expand]).then(
          (account) => account,
          (error: Error) => {
            // A failed read is not kept: a later field may try again. (Here, once per read, rather than
            // a `.catch` per load: no closure and promise more per account.)
            for (const key of read.keys) if (cache.get(id)?.expand === key.entry) cache.delete(id);
            return error;
          },
        );
        fetched.set(id, answer);
      }
      return Promise.all(keys.map((key) => fetched.get(key.id)!));
    },
    { cache: false, maxBatchSize: 100 },
  );

  return {
    load(id: string, expand: readonly AccountExpansion[] = []): Promise<PartnerAccount> {
      const cached = cache.get(id);
      if (cached && expand.every((expansion) => cached.expand.has(expansion))) return cached.promise;
      // A first read asks for `expand` as given (a plan's frozen list); a wider one for the union.
      const wanted = cached ? new Set([...cached.expand, ...expand]) : new Set(expand);
      const promise = batcher.load({ id, expand: cached ? [...wanted] : expand, entry: wanted });
      // Every field that reads it handles a failure; this keeps one no field reached from going unhandled.
      promise.catch(IGNORE);
      cache.set(id, { expand: wanted, promise });
      return promise;
    },
    /** Forget an account after a write changed it, so the payload reads it fresh. */
    clear(id: string) {
      cache.delete(id);
    },
  };
}
export type AccountLoader = ReturnType<typeof createAccountLoader>;
