/** The lookahead sees what execution will resolve: directives, fragments, aliases and variables included. */
import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { connectionNodes, lookahead, type SelectedField } from '../../src/schema/plan/lookahead.ts';

const schema = buildSchema(`
  type Query { account: Account }
  type Account { name: String brands(first: Int): BrandConnection stores: [Store] storeGroups: StoreGroupConnection }
  type BrandConnection { edges: [BrandEdge] }
  type BrandEdge { node: Brand }
  type Brand { displayName: String }
  type Store { url: String }
  type StoreGroupConnection { edges: [StoreGroupEdge] }
  type StoreGroupEdge { node: StoreGroup }
  type StoreGroup { reference: String stores(first: Int): [Store] }
`);

/** Runs `document` and returns what the lookahead saw from `account`'s resolver. */
async function seenUnderAccount(document: string, variableValues: Record<string, unknown> = {}): Promise<Map<string, SelectedField>> {
  let seen: Map<string, SelectedField> | undefined;
  const rootValue = {
    account: (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
      seen = lookahead(info);
      return {};
    },
  };
  const result = await graphql({ schema, source: document, rootValue, variableValues });
  expect(result.errors).toBeUndefined();
  if (!seen) throw new Error('account was not resolved');
  return seen;
}

const names = (selected: Map<string, SelectedField>) => [...selected.keys()].sort();

describe('lookahead', () => {
  it('lists the fields selected under the current field, with their arguments resolved from variables', async () => {
    const seen = await seenUnderAccount('query($n: Int) { account { name brands(first: $n) { edges { node { displayName } } } } }', { n: 3 });
    expect(names(seen)).toEqual(['brands', 'name']);
    expect(seen.get('brands')!.args).toEqual([{ first: 3 }]);
    expect(names(connectionNodes(seen.get('brands')))).toEqual(['displayName']);
  });

  it('leaves out fields under @skip(if: true) and @include(if: false), literally given', async () => {
    const seen = await seenUnderAccount('{ account { name brands @skip(if: true) { edges { node { displayName } } } stores @include(if: false) { url } } }');
    expect(names(seen)).toEqual(['name']);
  });

  it('keeps fields under @skip(if: false) and @include(if: true)', async () => {
    const seen = await seenUnderAccount('{ account { brands @skip(if: false) { edges { node { displayName } } } stores @include(if: true) { url } } }');
    expect(names(seen)).toEqual(['brands', 'stores']);
  });

  it('follows variables in @skip and @include, including their defaults', async () => {
    const document = 'query($skip: Boolean!, $include: Boolean = false) { account { name brands @skip(if: $skip) { edges { node { displayName } } } stores @include(if: $include) { url } } }';
    expect(names(await seenUnderAccount(document, { skip: true }))).toEqual(['name']);
    expect(names(await seenUnderAccount(document, { skip: false, include: true }))).toEqual(['brands', 'name', 'stores']);
  });

  it('needs both directives to agree: @skip(if: false) @include(if: false) leaves the field out', async () => {
    const seen = await seenUnderAccount('{ account { name stores @skip(if: false) @include(if: false) { url } } }');
    expect(names(seen)).toEqual(['name']);
  });

  it('applies the directives of fragment spreads and inline fragments to every field inside', async () => {
    const document = `query($x: Boolean!) { account { name ...Lists @include(if: $x) ... @skip(if: $x) { storeGroups { edges { node { reference } } } } } }
      fragment Lists on Account { brands { edges { node { displayName } } } stores { url } }`;
    expect(names(await seenUnderAccount(document, { x: false }))).toEqual(['name', 'storeGroups']);
    expect(names(await seenUnderAccount(document, { x: true }))).toEqual(['brands', 'name', 'stores']);
  });

  it('applies directives inside fragments, and deep under connections', async () => {
    const document = `query($withStores: Boolean!) { account { ...Groups } }
      fragment Groups on Account { storeGroups { edges { node { reference stores(first: 2) @include(if: $withStores) { url } } } } }`;
    expect(names(connectionNodes((await seenUnderAccount(document, { withStores: false })).get('storeGroups')))).toEqual(['reference']);
    const included = connectionNodes((await seenUnderAccount(document, { withStores: true })).get('storeGroups'));
    expect(names(included)).toEqual(['reference', 'stores']);
    expect(included.get('stores')!.args).toEqual([{ first: 2 }]);
  });

  it('merges aliases, counting only the occurrences that are not skipped', async () => {
    const seen = await seenUnderAccount('{ account { a: brands(first: 1) @skip(if: true) { edges { node { displayName } } } b: brands(first: 2) { edges { node { displayName } } } } }');
    expect(seen.get('brands')!.args).toEqual([{ first: 2 }]);
    const none = await seenUnderAccount('{ account { name a: brands(first: 1) @skip(if: true) { edges { node { displayName } } } } }');
    expect(none.has('brands')).toBe(false);
  });
});
