/**
 * Klarna's verdicts on what a principal may read (an account, a settlement, an order's cancellation),
 * as subscriptions ask them (`src/schema/subscription-access.ts`): when one opens, and for each event
 * it meets. Made once at boot by the context factory; shared by every subscription of a principal, so
 * the 10,000th subscriber of the same principal to the same account costs no Klarna call.
 *
 * Keyed by the principal (never shared across principals), each verdict kept `ttlMs`. Forgotten early:
 * - all of a principal's, when Klarna refuses its credentials (401) or forbids it something (403): the
 *   context factory calls `dropPrincipal`, as it drops its cached reference data;
 * - all about one account, for every principal, when an event says the account's state changed
 *   (`forgetAccount`, called for every such event each replica reads, subscribers or not: a terminated
 *   or transferred account may no longer be readable, a new one may).
 *
 * Only "readable" (true) and "not found / forbidden" (false) are verdicts; any other failure (Klarna
 * unavailable) is not kept, and the next asker reads again.
 */
import { LRUCache } from 'lru-cache';
import { ForbiddenError, NotFoundError } from '../errors.ts';

interface Verdict {
  value: Promise<boolean>;
  expiresAt: number;
  /** The verdict once the read has given one (what `known` answers without a promise). */
  settled?: boolean;
}

export interface AccessVerdictOptions {
  ttlMs?: number;
  /** Principals remembered (least recently asked dropped first). */
  maxPrincipals?: number;
  /** Verdicts remembered per principal (oldest dropped first). */
  maxPerPrincipal?: number;
  now?: () => number;
}

export function createAccessVerdicts({ ttlMs = 30_000, maxPrincipals = 10_000, maxPerPrincipal = 10_000, now = Date.now }: AccessVerdictOptions = {}) {
  const principals = new LRUCache<string, Map<string, Verdict>>({ max: maxPrincipals });

  /**
   * The principal's verdict on `key` (`account <id>`, `settlement <id>`, `order <id>`), reading it with
   * `read()` when none is kept. A caller that joined another's read which failed (not a verdict: that
   * reader's socket closed, Klarna was unavailable) reads once itself rather than fail with it.
   */
  async function verdict(principal: string, key: string, read: () => Promise<unknown>): Promise<boolean> {
    const kept = current(principal, key);
    if (kept) {
      try {
        return await kept;
      } catch {
        return current(principal, key) ?? start(principal, key, read);
      }
    }
    return start(principal, key, read);
  }

  function current(principal: string, key: string): Promise<boolean> | undefined {
    return entryOf(principal, key)?.value;
  }

  /** The principal's unexpired entry for `key` (an expired one is dropped). */
  function entryOf(principal: string, key: string): Verdict | undefined {
    const verdicts = principals.get(principal);
    const kept = verdicts?.get(key);
    if (!kept) return undefined;
    if (kept.expiresAt > now()) return kept;
    verdicts!.delete(key);
    return undefined;
  }

  function start(principal: string, key: string, read: () => Promise<unknown>): Promise<boolean> {
    let verdicts = principals.get(principal);
    if (!verdicts) principals.set(principal, (verdicts = new Map()));
    const entry: Verdict = { value: Promise.resolve(false), expiresAt: now() + ttlMs };
    entry.value = read().then(
      () => (entry.settled = true),
      (error: unknown) => {
        if (error instanceof NotFoundError || error instanceof ForbiddenError) return (entry.settled = false);
        if (principals.get(principal)?.get(key) === entry) principals.get(principal)!.delete(key);
        throw error;
      },
    );
    verdicts.delete(key); // re-inserted last: the Map's order is the order of expiry
    verdicts.set(key, entry);
    if (verdicts.size > maxPerPrincipal) verdicts.delete(verdicts.keys().next().value!);
    return entry.value;
  }

  return {
    verdict,
    /**
     * The kept verdict on `key` if Klarna has given it (unexpired), without waiting: `undefined` when
     * none is kept or its read is still running (then ask `verdict`). Each event a subscriber meets
     * asks this first: a delivery to 10,000 subscribers then costs no promise per subscriber here.
     */
    known(principal: string, key: string): boolean | undefined {
      return entryOf(principal, key)?.settled;
    },
    /** Records a verdict learnt otherwise (a subscription read the order already). */
    grant(principal: string, key: string): void {
      start(principal, key, () => Promise.resolve());
    },
    dropPrincipal(principal: string): void {
      principals.delete(principal);
    },
    /** Forgets every principal's verdict on one account (its state changed: `forgetChangedAccess`, once per event and replica). */
    forgetAccount(accountId: string): void {
      for (const verdicts of principals.values()) verdicts.delete(`account ${accountId}`);
    },
  };
}
export type AccessVerdicts = ReturnType<typeof createAccessVerdicts>;
