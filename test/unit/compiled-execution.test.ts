/**
 * Compiled execution (graphql-jit) answers exactly as the standard executor does: the same data, the
 * same errors where they occur, the same refusals of bad variables. Each case is asked of two Yogas on
 * one schema, with and without the plugin, and their HTTP answers compared.
 */
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useCompiledExecution } from '../../src/plugins/compiled-execution.ts';

const typeDefs = /* GraphQL */ `
  interface Named { name: String! }
  type Brand implements Named { id: ID! name: String! stores(first: Int = 2): [Store!]! }
  type Store implements Named { id: ID! name: String! url: String }
  union Thing = Brand | Store
  type Query {
    brand(id: ID!): Brand
    brands: [Brand!]!
    things: [Thing!]!
    broken: Brand
    brokenName: Brand
    slow(ms: Int!): Int!
  }
  type Mutation { push(value: String!): [String!]! }
  type Subscription { ticks: Int! }
`;

function createTestSchema() {
  const pushed: string[] = [];
  const stores = [1, 2, 3].map((n) => ({ id: `s${n}`, name: `Store ${n}`, url: n === 2 ? null : `https://s${n}.example` }));
  const brand = (id: string) => ({ id, name: `Brand ${id}` });
  return createSchema({
    typeDefs,
    resolvers: {
      Named: { __resolveType: (value: { url?: unknown }) => ('url' in value ? 'Store' : 'Brand') },
      Thing: { __resolveType: (value: { url?: unknown }) => ('url' in value ? 'Store' : 'Brand') },
      Brand: { stores: (_: unknown, { first }: { first: number }) => Promise.resolve(stores.slice(0, first)) },
      Query: {
        brand: (_: unknown, { id }: { id: string }) => (id === 'none' ? null : brand(id)),
        brands: () => [brand('a'), brand('b')],
        things: () => [brand('a'), stores[0]],
        broken: () => {
          throw new Error('Klarna is away.');
        },
        brokenName: () => ({ id: 'x', name: null }),
        slow: (_: unknown, { ms }: { ms: number }) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
      },
      Mutation: {
        push: async (_: unknown, { value }: { value: string }) => {
          await new Promise((resolve) => setTimeout(resolve, value === 'first' ? 20 : 0));
          pushed.push(value);
          return [...pushed];
        },
      },
      Subscription: {
        ticks: {
          async *subscribe() {
            for (let tick = 1; tick <= 2; tick += 1) yield { ticks: tick };
          },
        },
      },
    },
  });
}

function yogaWith(plugins: Plugin[]) {
  return createYoga({ schema: createTestSchema(), plugins: [useDeferStream(), ...plugins], maskedErrors: false, logging: false });
}

async function ask(yoga: ReturnType<typeof yogaWith>, query: string, variables?: Record<string, unknown>) {
  const response = await yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const CASES: [string, string, Record<string, unknown>?][] = [
  ['fields, aliases, arguments and their defaults', '{ brand(id: "a") { id name first: stores(first: 1) { id } all: stores { id url } } }'],
  ['fragments on an interface and a union', '{ things { __typename ... on Named { name } ... on Store { url } ...B } } fragment B on Brand { id }'],
  ['skip and include with variables, in fragment spreads too', 'query ($yes: Boolean!, $no: Boolean!) { brands { id name @include(if: $yes) ...S @skip(if: $no) } } fragment S on Brand { stores { id } }', { yes: true, no: false }],
  ['a non-null variable with a default, omitted', 'query ($id: ID! = "b") { brand(id: $id) { name } }', {}],
  ['a null root field', '{ brand(id: "none") { name } }'],
  ['a resolver that throws, beside a field that does not', '{ broken { id } brands { id } }'],
  ['null in a non-null field, propagated to its nullable parent', '{ brokenName { id name } brands { name } }'],
  ['promises at several levels', '{ slow(ms: 5) brands { stores { name } } }'],
];

describe('compiled execution', () => {
  const compiled: (string | undefined)[] = [];
  const jit = yogaWith([useCompiledExecution({ onCompiled: (name) => compiled.push(name) })]);
  const standard = yogaWith([]);

  for (const [name, query, variables] of CASES) {
    it(`answers as the standard executor: ${name}`, async () => {
      const before = compiled.length;
      const usual = await ask(standard, query, variables);
      // The first time by the standard executor, then compiled.
      expect(await ask(jit, query, variables)).toEqual(usual);
      expect(compiled.length).toBe(before);
      expect(await ask(jit, query, variables)).toEqual(usual);
      expect(compiled.length).toBe(before + 1);
    });
  }

  it('compiles a document on its second execution, once, however often it is asked', async () => {
    const query = 'query Often { brands { id } }';
    const before = compiled.length;
    for (let i = 0; i < 4; i += 1) expect((await ask(jit, query)).body).toEqual({ data: { brands: [{ id: 'a' }, { id: 'b' }] } });
    expect(compiled.slice(before)).toEqual(['Often']);
  });

  it('runs mutations one after another, in the order written', async () => {
    const mutation = 'mutation { one: push(value: "first") two: push(value: "second") }';
    const before = compiled.length;
    for (let i = 0; i < 2; i += 1) expect(await ask(jit, mutation)).toEqual(await ask(standard, mutation));
    expect(compiled.length).toBe(before + 1);
    expect((await ask(jit, 'mutation { push(value: "third") }')).body).toEqual({ data: { push: ['first', 'second', 'first', 'second', 'third'] } });
  });

  it('refuses variables that do not fit their types as the standard executor does (400, the same errors)', async () => {
    const query = 'query ($id: ID!, $first: Int) { brand(id: $id) { stores(first: $first) { id } } }';
    await ask(jit, query, { id: 'a' }); // now compiled
    for (const variables of [{}, { id: 'a', first: 'many' }, { id: { nested: true } }]) {
      const [fast, usual] = [await ask(jit, query, variables), await ask(standard, query, variables)];
      expect(fast.status).toBe(400);
      expect(fast).toEqual(usual);
    }
  });

  it('leaves subscriptions and answers in parts (@defer) to the standard executor', async () => {
    const before = compiled.length;
    for (let i = 0; i < 2; i += 1) {
      const streamed = await jit.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
        body: JSON.stringify({ query: '{ brands { id ... @defer { name } } }' }),
      });
      expect(streamed.headers.get('content-type')).toContain('multipart/mixed');
      expect(await streamed.text()).toContain('"incremental"');
      const events = await jit.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription { ticks }' }),
      });
      const sent = await events.text();
      expect(sent).toContain('{"data":{"ticks":1}}');
      expect(sent).toContain('{"data":{"ticks":2}}');
    }
    expect(compiled.length).toBe(before);
  });
});
