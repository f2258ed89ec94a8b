/**
 * Only what execution resolves is fetched: a sub-resource under `@skip`/`@include` that turns it off is
 * neither in the `expand` the account is read with (as the sandbox received it) nor fetched by a list call.
 */
import { describe, expect, it } from 'vitest';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';
import { requestsSent } from '../utils/sandbox.ts';

const ACCOUNT_ID = 'krn:partner:global:account:live:LWT2XJSE';

describe('lookahead over @skip and @include', () => {
  const context = useGateway({ sandbox: { seed: 7 } });

  /** Runs one operation; returns its answer, its calls by operation and the `expand` of each account read. */
  async function run(query: string, variables: Record<string, unknown> = {}) {
    const { result, byOperation } = await countCalls(context.sandbox, () => gql(context.gateway, query, { id: ACCOUNT_ID, ...variables }));
    expect(result.body.errors).toBeUndefined();
    const expands = (await requestsSent(context.sandbox, 'getAccount')).map((url) => url.searchParams.get('expand')?.split(',') ?? []);
    return { data: result.body.data, byOperation, expands };
  }

  const GROUPS = 'storeGroups(first: 10) { edges { node { reference stores(first: 5) @include(if: $withStores) { edges { node { url } } } } } }';

  it('expands every selected sub-resource when no directive turns one off', async () => {
    const { expands, data } = await run(`query($id: ID!, $withStores: Boolean!) { account(id: $id) { name brands { edges { node { displayName } } } ${GROUPS} } }`, { withStores: true });
    expect(expands).toEqual([['brands', 'store_groups', 'store_groups.stores']]);
    expect(data.account.brands.edges.length).toBeGreaterThan(0);
  });

  it('does not expand a sub-resource under @skip(if: true), nor stores under @include(if: $x) with x false', async () => {
    const { expands, data } = await run(
      `query($id: ID!, $withStores: Boolean!) { account(id: $id) { name brands @skip(if: true) { edges { node { displayName } } } ${GROUPS} } }`,
      { withStores: false },
    );
    expect(expands).toEqual([['store_groups']]);
    expect(data.account.brands).toBeUndefined();
    expect(data.account.storeGroups.edges[0].node.stores).toBeUndefined();
  });

  it('expands the stores of store groups under @include(if: $x) with x true, in the same single read', async () => {
    const { expands, byOperation, data } = await run(`query($id: ID!, $withStores: Boolean!) { account(id: $id) { name ${GROUPS} } }`, { withStores: true });
    expect(expands).toEqual([['store_groups', 'store_groups.stores']]);
    expect(byOperation).toEqual({ getAccount: 1 });
    expect(data.account.storeGroups.edges[0].node.stores.edges.length).toBeGreaterThan(0);
  });

  it('follows directives on fragment spreads and inline fragments', async () => {
    const query = `query($id: ID!, $hide: Boolean!) { account(id: $id) { name ...Lists @skip(if: $hide) ... @include(if: $hide) { paymentProducts { state } } } }
      fragment Lists on Account { businessEntities { edges { node { legalName } } } brands { edges { node { displayName } } } }`;
    expect((await run(query, { hide: true })).expands).toEqual([['products']]);
    expect((await run(query, { hide: false })).expands).toEqual([['brands', 'partner_busines_entities']]);
  });

  it('does not start the list call of a skipped `stores` under account', async () => {
    const query = `query($id: ID!, $skip: Boolean!) { account(id: $id) { name stores(first: 5) @skip(if: $skip) { edges { node { url } } } } }`;
    expect((await run(query, { skip: true })).byOperation).toEqual({ getAccount: 1 });
    expect((await run(query, { skip: false })).byOperation).toEqual({ getAccount: 1, listStores: 1 });
  });
});
