/**
 * Who waits for which invalidation: a mutation's answer waits for those it started itself, a query for
 * none; and a query that read before an invalidation and ends after it is not stored. The store's
 * invalidations and the reads are held on gates the test opens, so nothing here depends on time.
 */
import { encodeGlobalId as encodeGlobalID } from '../../src/schema/global-ids.ts';
import { createInMemoryCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { createResponseCache } from '../../src/plugins/response-cache.ts';

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** An in-process store whose invalidation of an entity (`Account:<global id>`) waits while that entity is held. */
function createHeldStore() {
  const inner = createInMemoryCache();
  const holds = new Map<string, Gate>();
  const startedGates = new Map<string, Gate>();
  const startedGate = (key: string) => startedGates.get(key) ?? startedGates.set(key, gate()).get(key)!;
  /** What happened, in order: `started <key>`, `done <key>`, and what the test adds. */
  const log: string[] = [];
  const store: Cache = {
    get: (key) => inner.get(key),
    set: (...args) => inner.set(...args),
    invalidate: async (entities) => {
      const list = [...entities];
      const keys = list.map((entity) => `${entity.typename}:${entity.id}`);
      for (const key of keys) {
        log.push(`started ${key}`);
        startedGate(key).open();
      }
      await Promise.all(keys.map((key) => holds.get(key)?.promise));
      await inner.invalidate(list);
      for (const key of keys) log.push(`done ${key}`);
    },
  };
  return {
    store,
    log,
    /** Holds every invalidation of `key` until the returned function is called. */
    hold(key: string): () => void {
      const held = gate();
      holds.set(key, held);
      return held.open;
    },
    /** Settles once an invalidation of `key` has started. */
    started: (key: string) => startedGate(key).promise,
  };
}

const entity = (id: string) => `Account:${encodeGlobalID('Account', id)}`;

/** A gateway of one entity type: `account(id)` reads, `rename(id, name)` writes and returns the account. */
function createTestGateway() {
  const held = createHeldStore();
  const names = new Map([
    ['A', 'Alpha'],
    ['B', 'Beta'],
  ]);
  const reads: string[] = [];
  /** The next read, once it has read its name, waits here (a query that read before a change). */
  let readHold: { reached: Gate; release: Gate } | undefined;
  const schema = createSchema<{ writtenAccounts: Set<string> }>({
    typeDefs: /* GraphQL */ `
      interface Node { id: ID! }
      type Account implements Node { id: ID! name: String! }
      type Query { account(id: ID!): Account }
      type Mutation { rename(id: ID!, name: String!): Account }
    `,
    resolvers: {
      Query: {
        account: async (_root: unknown, { id }: { id: string }) => {
          reads.push(id);
          const name = names.get(id);
          const hold = readHold;
          readHold = undefined;
          hold?.reached.open();
          await hold?.release.promise;
          return { id: encodeGlobalID('Account', id), name };
        },
      },
      Mutation: {
        rename: (_root: unknown, { id, name }: { id: string; name: string }, context: { writtenAccounts: Set<string> }) => {
          names.set(id, name);
          context.writtenAccounts.add(id);
          return { id: encodeGlobalID('Account', id), name };
        },
      },
    },
  });
  const responseCache = createResponseCache({ schema, ttlMs: 60_000, store: held.store });
  const yoga = createYoga({
    schema,
    context: () => ({ writtenAccounts: new Set<string>() }),
    plugins: [responseCache.plugin(async () => true)],
    logging: false,
  });
  const send = async (query: string, variables: Record<string, unknown>) => {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic test' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: { account?: { name: string }; rename?: { name: string } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  };
  return {
    ...held,
    reads,
    responseCache,
    /** Holds the next read after it has read: `reached` settles then, `release` lets it answer. */
    holdNextRead() {
      const hold = { reached: gate(), release: gate() };
      readHold = hold;
      return { reached: hold.reached.promise, release: hold.release.open };
    },
    readName: async (id: string) => (await send('query($id: ID!) { account(id: $id) { id name } }', { id }))?.account?.name,
    rename: async (id: string, name: string) => (await send('mutation($id: ID!, $name: String!) { rename(id: $id, name: $name) { id name } }', { id, name }))?.rename?.name,
  };
}

describe('response cache invalidations', () => {
  it('answers a query, executed or from the cache, while an invalidation it did not start is held', async () => {
    const gateway = createTestGateway();
    expect(await gateway.readName('A')).toBe('Alpha');
    const releaseB = gateway.hold(entity('B'));
    // Another caller's write and an event, both still dropping what they changed.
    const otherWrite = gateway.rename('B', 'Beta 2');
    const event = gateway.responseCache.invalidateAccount('B');
    await gateway.started(entity('B'));

    expect(await gateway.readName('A')).toBe('Alpha'); // from the cache
    expect(await gateway.readName('A')).toBe('Alpha');
    expect(gateway.reads).toEqual(['A']);
    await gateway.responseCache.cache.invalidate([{ typename: 'Account', id: encodeGlobalID('Account', 'A') }]);
    expect(await gateway.readName('A')).toBe('Alpha'); // executed again
    expect(gateway.reads).toEqual(['A', 'A']);
    expect(gateway.log).not.toContain(`done ${entity('B')}`);

    releaseB();
    expect(await otherWrite).toBe('Beta 2');
    await event;
  });

  it('does not store an answer whose execution began before an invalidation of what it holds', async () => {
    const gateway = createTestGateway();
    const hold = gateway.holdNextRead();
    const stale = gateway.readName('A');
    await hold.reached;
    expect(await gateway.rename('A', 'Alpha 2')).toBe('Alpha 2');
    hold.release();
    expect(await stale).toBe('Alpha'); // read before the change
    expect(await gateway.readName('A')).toBe('Alpha 2'); // not served what the first read stored
    expect(gateway.reads).toEqual(['A', 'A']);
    expect(await gateway.readName('A')).toBe('Alpha 2'); // and the fresh answer is cached
    expect(gateway.reads).toEqual(['A', 'A']);
  });

  it("answers a mutation once the invalidations it started are done, and not later than that for another's", async () => {
    const gateway = createTestGateway();
    expect(await gateway.readName('A')).toBe('Alpha');
    const releaseB = gateway.hold(entity('B'));
    const otherWrite = gateway.rename('B', 'Beta 2');
    await gateway.started(entity('B'));

    const releaseA = gateway.hold(entity('A'));
    const ownWrite = gateway.rename('A', 'Alpha 2').then((name) => gateway.log.push(`answered ${name}`));
    await gateway.started(entity('A'));
    // Give an answer that did not wait every chance to arrive first: a turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    gateway.log.push('opened A');
    releaseA();
    await ownWrite;

    // Not answered before the gate opened; then both its own invalidations (the account it wrote to,
    // the entity it returned) were done before it answered, while B's is still held.
    expect(gateway.log.slice(gateway.log.indexOf('opened A'))).toEqual(['opened A', `done ${entity('A')}`, `done ${entity('A')}`, 'answered Alpha 2']);
    expect(gateway.log).not.toContain(`done ${entity('B')}`);
    // Read-your-writes: the next query reads afresh.
    expect(await gateway.readName('A')).toBe('Alpha 2');
    expect(gateway.reads).toEqual(['A', 'A']);

    releaseB();
    expect(await otherWrite).toBe('Beta 2');
  });
});
