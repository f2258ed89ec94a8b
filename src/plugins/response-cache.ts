/**
 * A response cache for queries (`RESPONSE_CACHE_TTL_MS`; off when 0). Entries are keyed by principal
 * (the hash of the caller's credentials or token), so two callers never share one. Our own mutations
 * invalidate the entities they return before they answer, and every live event (a Klarna webhook, a
 * resolved cancellation) invalidates the account it names before it is appended to the event log, by
 * the replica that appends it (`beforePublish` in `src/webhooks/event-service.ts`): whoever hears of a
 * change and asks again reads afresh.
 *
 * Read-your-writes, and no more waiting than that: a mutation answers once the invalidations it started
 * itself are done (the accounts it wrote to, the entities it returned), not those of other callers or
 * of events; a query waits for none (see `plugin`).
 *
 * Never the past: an answer whose execution began before the latest invalidation of any entity in it
 * is not stored (`invalidation-stamps.ts`): a query that read Klarna before a mutation or an event and
 * finished after its invalidation would otherwise be served, by every replica, until its TTL ran out.
 * An event whose invalidation failed is not acknowledged: `invalidateAccount` rejects, and the webhook
 * is answered 503 (Klarna delivers it again).
 *
 * Where: in Redis when `REDIS_URL` is set (`redis-response-store.ts`: replicas share hits and
 * invalidations, as they share the event log), else in the process (as the event log is).
 *
 * How long: an answer lives as long as the shortest TTL of the entities in it. Every entity type has
 * one: `RESPONSE_CACHE_TTL_MS` unless `DEFAULT_TTL_PER_TYPE` or `RESPONSE_CACHE_TTL_PER_TYPE` says
 * otherwise. Value types (Money, PageInfo, Address, ...) have none: they live as long as what holds them.
 *
 * Revocation: every answer is also filed under its principal and under the Klarna credentials it was
 * read with (`PRINCIPAL_TAG`, `CREDENTIALS_TAG`, beside its entities), and dropped with them, before
 * the operation that learnt of the revocation answers:
 * - Klarna answers 401 to an operation: every answer read with those credentials (passthrough: the
 *   caller's; token mode: the gateway's key, so every token caller's);
 * - Klarna answers 403: the caller's own answers;
 * - an operation disables an API key or revokes a client certificate (`disableApiKey`,
 *   `revokeClientCertificate`): every answer read with the caller's credentials, as the key disabled
 *   may be the caller's own (token mode: the gateway's key, so every token caller's). Another key's
 *   answers cannot be found from its id (the gateway never sees which key an id names): they are
 *   served until their TTL runs out, or until that key is next refused by Klarna. In passthrough mode
 *   the TTL is the revocation window.
 */
import { hash } from 'node:crypto';
import { createInMemoryCache, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import { getOperationAST, isObjectType, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { canonicalAuthorization, credentialsHash } from '../auth/principal.ts';
import { ConfigError } from '../config.ts';
import { encodeGlobalId } from '../schema/global-ids.ts';
import { createEntityTags } from './entity-tags.ts';
import { withMemoryStamps, type StampedStore } from './invalidation-stamps.ts';
import { createRedisResponseStore } from './redis-response-store.ts';

const HOUR = 3_600_000;

/**
 * TTLs that differ from `RESPONSE_CACHE_TTL_MS`, and why. 0: never cached.
 * - Card data (settlements, cards, their encrypted blobs) and a new API key's secret: never stored.
 * - Credentials and order cancellations: what someone checks right after changing it elsewhere (a key
 *   revoked in Klarna's portal, a cancellation Klarna is processing); a stale answer misleads.
 * - A settlement, its transactions and its report are final once Klarna issues them: an hour. Its
 *   payout is not (PENDING, then PROCESSED), so an answer with the payout lives as long as the default.
 */
export const DEFAULT_TTL_PER_TYPE: Readonly<Record<string, number>> = {
  CardSettlement: 0,
  VirtualCard: 0,
  EncryptedCardData: 0,
  CreateApiKeyPayload: 0,
  Credential: 0,
  OrderCancellation: 0,
  Settlement: HOUR,
  SettlementTransaction: HOUR,
  SettlementReport: HOUR,
  SettlementReportSummary: HOUR,
};

/** Types that are values, not entities: they never shorten an answer's life. */
function isEntityType(schema: GraphQLSchema, name: string): boolean {
  const type = schema.getType(name);
  if (!isObjectType(type) || name.startsWith('__') || type === schema.getQueryType() || type === schema.getMutationType()) return false;
  return type.getInterfaces().some((face) => face.name === 'Node') || Boolean(type.getFields().klarnaId);
}

/**
 * The TTL of every type that has one: entity types get `ttlMs`; the defaults and the configured
 * overrides (`RESPONSE_CACHE_TTL_PER_TYPE`) apply to the types they name, which must exist.
 */
export function ttlPerType(schema: GraphQLSchema, ttlMs: number, overrides: Readonly<Record<string, number>> = {}): Record<string, number> {
  const unknown = Object.keys(overrides).filter((name) => !isObjectType(schema.getType(name)));
  if (unknown.length) {
    throw new ConfigError(`Invalid configuration:\n  RESPONSE_CACHE_TTL_PER_TYPE: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not an object type' : 'are not object types'} of the schema`);
  }
  const entities = Object.keys(schema.getTypeMap()).filter((name) => isEntityType(schema, name));
  // Never-cached types stay never-cached: an override cannot store card data or a secret.
  const neverCached = Object.entries(DEFAULT_TTL_PER_TYPE).filter(([, ttl]) => ttl === 0).map(([name]) => name);
  return {
    ...Object.fromEntries(entities.map((name) => [name, ttlMs])),
    ...DEFAULT_TTL_PER_TYPE,
    ...overrides,
    ...Object.fromEntries(neverCached.map((name) => [name, 0])),
  };
}

/** Tags filed with every answer (never a schema type: those start with a capital letter), dropped on revocation. */
export const PRINCIPAL_TAG = 'principal';
export const CREDENTIALS_TAG = 'credentials';

type Entity = Parameters<Cache['invalidate']>[0] extends Iterable<infer E> ? E : never;

/** What the response cache needs of an operation's context (`GatewayContext`), to file and drop answers by who read them. */
interface OperationContext {
  principal?: { hash: string; authorization?: string };
  writtenAccounts?: Set<string>;
  revokedCredentials?: Set<string>;
  budget?: { credentialsRefused: 401 | 403 | undefined };
}

/** The principal's tag and its credentials' tag. */
function readerTags(context: OperationContext): Entity[] {
  const { principal } = context;
  if (!principal) return [];
  return [
    { typename: PRINCIPAL_TAG, id: principal.hash },
    ...(principal.authorization ? [{ typename: CREDENTIALS_TAG, id: credentialsHash(principal.authorization) }] : []),
  ];
}

/** The answers to drop once this operation is done because Klarna refused, or the caller revoked, credentials. */
function revokedTags(context: OperationContext): Entity[] {
  const { principal } = context;
  if (!principal) return [];
  const credentials = principal.authorization ? [{ typename: CREDENTIALS_TAG, id: credentialsHash(principal.authorization) }] : [];
  const refused = context.budget?.credentialsRefused;
  if (refused === 401 || context.revokedCredentials?.size) return credentials;
  return refused === 403 ? [{ typename: PRINCIPAL_TAG, id: principal.hash }] : [];
}

/**
 * The cache partition of a request: a hash of its `Authorization` header, in its one spelling
 * (`canonicalAuthorization`; never null: null would mean shared by all).
 */
export function sessionOf(request: Request): string {
  const presented = request.headers.get('authorization')?.trim();
  const authorization = canonicalAuthorization(presented) ?? presented;
  return authorization ? hash('sha256', authorization, 'hex') : 'gateway-credentials';
}

export interface ResponseCacheOptions {
  schema: GraphQLSchema;
  ttlMs: number;
  /** `RESPONSE_CACHE_TTL_PER_TYPE`: type name → TTL in ms, over `DEFAULT_TTL_PER_TYPE`. */
  ttlOverrides?: Readonly<Record<string, number>>;
  /** Shared store; unset: in process. */
  redis?: { client: Redis; prefix: string };
  /** Where answers are kept, instead of the above (tests: a store whose timing they control). */
  store?: Cache;
  /** In process only: how many answers are kept. */
  maxEntries?: number;
  /**
   * Once per query the cache could serve: `hit` (served from the store) or `miss` (executed); and
   * `error` for each lookup the store did not answer (the query then runs as a miss).
   */
  onLookup?: (result: 'hit' | 'miss' | 'error') => void;
  /** An invalidation the store could not do (logged by the caller). */
  onInvalidationFailed?: (error: unknown) => void;
}

export function createResponseCache(options: ResponseCacheOptions) {
  const { schema, ttlMs, ttlOverrides, redis, maxEntries = 5_000, onLookup = () => undefined, onInvalidationFailed = () => undefined } = options;
  const ttls = ttlPerType(schema, ttlMs, ttlOverrides);
  const store: StampedStore =
    redis && !options.store
      ? createRedisResponseStore(redis.client, { prefix: `${redis.prefix}response-cache:`, indexTtlMs: Math.max(ttlMs, ...Object.values(ttls)) })
      : withMemoryStamps(options.store ?? createInMemoryCache({ max: maxEntries }));
  /** Rejects when the store could not drop the entries (and reports it). */
  const invalidateOrThrow = (entities: Parameters<Cache['invalidate']>[0]): Promise<void> =>
    Promise.resolve(store.invalidate(entities)).catch((error: unknown) => {
      onInvalidationFailed(error);
      throw error;
    });
  const invalidate = (entities: Parameters<Cache['invalidate']>[0]): Promise<void> => invalidateOrThrow(entities).catch(() => undefined);
  // A cache never fails an operation: a lookup the store cannot answer is a miss, a write it cannot
  // take is dropped, and an invalidation it cannot do is reported (its entries then live out their TTL).
  // A miss is counted where the plugin decides whether to store what it executed, not at `get`: Yoga
  // looks a key up before parsing and again before executing, so a miss is looked up twice.
  const cache: Cache = {
    async get(key) {
      try {
        const result = await store.get(key);
        if (result) onLookup('hit');
        return result;
      } catch {
        onLookup('error');
        return undefined;
      }
    },
    set: async (...args) => {
      await Promise.resolve(store.set(...args)).catch(() => undefined);
    },
    invalidate,
  };
  const accountEntity = (accountId: string) => [{ typename: 'Account', id: encodeGlobalId('Account', accountId) }];
  const invalidateAccount = (accountId: string) => invalidate(accountEntity(accountId));

  /**
   * Each operation's mark, taken as it looks its answer up (the plugin executes only once that lookup
   * is done, so before any Klarna read); `undefined` when the store could not give one (not stored).
   */
  const marks = new WeakMap<object, Promise<number | undefined>>();

  /** The invalidations each operation started, by its context (its answer waits for these alone). */
  const startedBy = new WeakMap<object, Promise<void>[]>();
  const started = (context: object) => {
    let list = startedBy.get(context);
    if (!list) startedBy.set(context, (list = []));
    return list;
  };
  /**
   * The store as the plugin is given it. Envelop's plugin asks for the store once per operation,
   * `cache(context)`, when `cache` is a function (its documented `Cache | ((context) => Cache)`), and
   * Yoga's wrapper hands it on as given (itself only calling `get`). That per-operation view records
   * the entities a mutation returned as that operation's invalidations, which it starts without
   * waiting for them.
   */
  const cacheByOperation: Cache = Object.assign(
    (context: object): Cache => ({
      get: async (key) => {
        // The first mark of a context is kept: were it to run twice, the earlier mark refuses more, never less.
        const mark = marks.get(context) ?? store.mark().catch(() => undefined);
        marks.set(context, mark);
        const [hit] = await Promise.all([cache.get(key), mark]);
        return hit;
      },
      // Filed also under who read it, to be dropped when Klarna refuses or the caller revokes those
      // credentials; refused when something in it was invalidated after the operation began.
      set: async (key, result, entities, ttl) => {
        const since = await marks.get(context);
        if (since === undefined) return;
        await store.setIfFresh(since, key, result, [...entities, ...readerTags(context as OperationContext)], ttl).catch(() => undefined);
      },
      invalidate: (entities) => {
        const done = invalidate(entities);
        started(context).push(done);
        return done;
      },
    }),
    cache,
  );

  /**
   * The plugin, for a gateway whose callers `authenticated` settles (resolves true once the request's
   * caller is who it claims, memoized per request). Yoga looks an answer up before our context, and
   * so before authentication, exists: without this check an expired or revoked token would still be
   * served what was cached for it until the TTL ran out. A request whose caller is not authenticated
   * is neither served from nor stored in the cache; our context then refuses it as it would anyway.
   */
  function plugin(authenticated: (request: Request) => Promise<boolean>): Plugin {
    const trusted = new WeakSet<Request>();
    // ETag and 304 for the answers the cache keeps (`entity-tags.ts`): an answer stored marks its request.
    const entityTags = createEntityTags(sessionOf);
    const taggingStores: Cache = Object.assign((context: object): Cache => {
      const view = (cacheByOperation as unknown as (context: object) => Cache)(context);
      const { request } = context as { request?: Request };
      return { ...view, set: (...args) => (request && entityTags.mark(request), view.set(...args)) };
    }, cache);
    const responseCache = useResponseCache({
      cache: taggingStores,
      ttl: ttlMs,
      ttlPerSchemaCoordinate: ttls,
      // The key is the caller's own credentials (hashed): two tokens of one subject with different
      // account scopes never share an answer. Asked before `enabled`, so the check happens here.
      session: async (request) => {
        if (await authenticated(request)) trusted.add(request);
        return sessionOf(request);
      },
      // Served and stored only for a request whose caller is authenticated (HTTP: `session` above; a
      // mutation over graphql-ws, which skips Yoga's lookup, is trusted as it executes, below).
      enabled: (request) => trusted.has(request),
      invalidateViaMutation: true,
      // Called once for each query that ran because it was not in the cache (what Yoga's default does,
      // plus the count): answers with errors are not stored.
      shouldCacheResult: ({ result }) => {
        onLookup('miss');
        return !result.errors?.length;
      },
      // Whether an answer came from the cache is ours to know (metrics), not the client's.
      includeExtensionMetadata: false,
    }) as Plugin;
    /**
     * Read-your-writes: a mutation's answer leaves only once the invalidations it started are done
     * (the answers about every account it sent a write for, whatever it selected, and those holding
     * the entities it returned), over HTTP or WebSocket, so the caller's next query, on any replica,
     * reads afresh. (A shared store answers in milliseconds.) It waits for nobody else's.
     *
     * The same for an operation that learnt of a revocation (Klarna refused its credentials, or it
     * disabled a key): it answers once the answers read with those credentials are dropped.
     *
     * Any other query starts none, so it waits for none. Correctness does not need it to: an invalidation
     * under way belongs to a change that is under way too (a mutation not yet answered, an event not
     * yet appended or acknowledged), and a read concurrent with a change may see either side of it.
     * Whoever has learnt of the change (from the mutation's answer, the webhook's acknowledgement, the
     * event) learnt of it after its invalidation was done.
     *
     * Runs after the plugin's `onExecuteDone` (it is added after the plugin), so the plugin's
     * invalidations have started by then.
     */
    const awaitOwnInvalidations: Plugin = {
      onExecute: ({ args }) => ({
        onExecuteDone: () => {
          const context = args.contextValue as OperationContext;
          const own = startedBy.get(context) ?? [];
          startedBy.delete(context);
          for (const accountId of context.writtenAccounts ?? []) own.push(invalidateAccount(accountId));
          const revoked = revokedTags(context);
          if (revoked.length) own.push(invalidate(revoked));
          if (own.length) return Promise.all(own).then(() => undefined);
        },
      }),
    };
    return {
      onPluginInit: ({ addPlugin }) => {
        addPlugin(responseCache);
        addPlugin(awaitOwnInvalidations);
        addPlugin(entityTags.plugin);
      },
      // Runs before the plugin's own `onExecute` (it was added after this one). An operation that
      // executes has had its caller authenticated by our context: a mutation is let in whatever
      // carried it, so that the plugin drops what it returns. (A graphql-ws query stays out: Yoga
      // never looked it up, and the plugin cannot key it.)
      onExecute: ({ args }) => {
        const { request } = args.contextValue as { request?: Request };
        if (request && getOperationAST(args.document, args.operationName ?? undefined)?.operation === 'mutation') trusted.add(request);
      },
    };
  }

  return {
    plugin,
    /** The store as the plugin sees it (failures turned into misses). */
    cache,
    /**
     * Drops every cached answer that contains this account (whoever it was cached for); rejects when
     * the store could not (an event must then not be acknowledged: its answers would outlive it).
     */
    invalidateAccount: (accountId: string): Promise<void> => invalidateOrThrow(accountEntity(accountId)),
  };
}
export type ResponseCache = ReturnType<typeof createResponseCache>;
