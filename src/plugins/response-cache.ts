/**
 * A response cache for queries (`RESPONSE_CACHE_TTL_MS`; off when 0). Entries are keyed by principal
 * (the hash of the caller's credentials or token subject), so two callers never share one. Anything
 * holding card data or a secret is never cached. Our own mutations invalidate the entities they return,
 * and every live event (a Klarna webhook, a resolved cancellation) invalidates the account it names, on
 * every replica, since each replica reads every event.
 *
 * The cache lives in the process: replicas do not share cached answers (each misses once), though they
 * all drop an entry when the event bus says the entity changed.
 */
import { createHash } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createInMemoryCache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { Plugin } from 'graphql-yoga';
import type { EventBus } from '../webhooks/memory-bus.ts';

/** Types never cached: card data (settlements, cards) and a new API key's secret. */
const NEVER_CACHED = ['CardSettlement', 'VirtualCard', 'EncryptedCardData', 'CreateApiKeyPayload'];

/** The cache partition of a request: a hash of its `Authorization` header (never null: null would mean shared by all). */
export function sessionOf(request: Request): string {
  const authorization = request.headers.get('authorization')?.trim();
  return authorization ? createHash('sha256').update(authorization).digest('hex') : 'gateway-credentials';
}

export function createResponseCache({ ttlMs, maxEntries = 5_000 }: { ttlMs: number; maxEntries?: number }) {
  const cache = createInMemoryCache({ max: maxEntries });
  const plugin = useResponseCache({
    cache,
    ttl: ttlMs,
    ttlPerType: Object.fromEntries(NEVER_CACHED.map((type) => [type, 0])),
    // The key is the caller's own credentials (hashed): Yoga asks before our context exists, so it is
    // read from the request itself. Callers without credentials all use the gateway's own, and share.
    session: (request) => sessionOf(request),
    invalidateViaMutation: true,
  }) as Plugin;

  return {
    plugin,
    /** Drops every cached answer that contains this account (whoever it was cached for). */
    invalidateAccount: (accountId: string) => cache.invalidate([{ typename: 'Account', id: encodeGlobalID('Account', accountId) }]),
    /** Invalidates the accounts named by the events on `bus`, until the bus closes. */
    follow(bus: EventBus): void {
      const events = bus.subscribe();
      void (async () => {
        for await (const event of events) if (event.accountId) await this.invalidateAccount(event.accountId);
      })().catch(() => undefined);
    },
  };
}
export type ResponseCache = ReturnType<typeof createResponseCache>;
