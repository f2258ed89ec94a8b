/** Relay paging over Klarna's cursor paging, through an account with 300 stores and a 40,000-line settlement. */
import { describe, expect, it } from 'vitest';
import { LARGE_STORE_ACCOUNT_ID } from '../../src/sandbox/seed/portfolio.ts';
import { LARGE_SETTLEMENT_ID } from '../../src/sandbox/seed/portfolio-settlements.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';

const STORES = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  account(id: $id) { stores(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { klarnaId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
}`;

describe('paging', () => {
  const context = useGateway();

  it('walks a 300-store account forward in pages of 50, one call per page, and back again', async () => {
    const forward: string[] = [];
    const pageStarts: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const { result, byOperation } = await countCalls(context.sandbox, () =>
        gql(context.gateway, STORES, { id: LARGE_STORE_ACCOUNT_ID, first: 50, ...(after ? { after } : {}) }),
      );
      expect(byOperation).toEqual({ getAccount: 1, listStores: 1 });
      const connection = result.body.data.account.stores;
      forward.push(...connection.edges.map((edge: any) => edge.node.klarnaId));
      pageStarts.push(connection.pageInfo.startCursor);
      expect(connection.pageInfo.hasPreviousPage).toBe(page > 0);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(forward).toHaveLength(300);
    expect(new Set(forward).size).toBe(300);

    const backward: string[] = [];
    let before = pageStarts[pageStarts.length - 1];
    backward.unshift(...forward.slice(250));
    while (before) {
      const { body } = await gql(context.gateway, STORES, { id: LARGE_STORE_ACCOUNT_ID, last: 50, before });
      const connection = body.data.account.stores;
      backward.unshift(...connection.edges.map((edge: any) => edge.node.klarnaId));
      before = connection.pageInfo.hasPreviousPage ? connection.pageInfo.startCursor : undefined;
    }
    expect(backward).toEqual(forward);
  });

  it('pages store groups and their stores from one expanded account read, with the same cursors as list calls', async () => {
    const query = `query($id: ID!, $after: String) { account(id: $id) { storeGroups(first: 10) { edges { node { stores(first: 40, after: $after) {
      edges { cursor node { klarnaId } } pageInfo { hasNextPage endCursor } } } } } } }`;
    const first = await countCalls(context.sandbox, () => gql(context.gateway, query, { id: LARGE_STORE_ACCOUNT_ID }));
    expect(first.byOperation).toEqual({ getAccount: 1 });
    const groups = first.result.body.data.account.storeGroups.edges;
    const total = groups.reduce((sum: number, group: any) => sum + group.node.stores.edges.length, 0);
    expect(total).toBeGreaterThan(0);
    const firstGroup = groups[0].node.stores;
    expect(firstGroup.pageInfo.hasNextPage).toBe(true);
    const next = await gql(context.gateway, query, { id: LARGE_STORE_ACCOUNT_ID, after: firstGroup.pageInfo.endCursor });
    const nextIds = next.body.data.account.storeGroups.edges[0].node.stores.edges.map((e: any) => e.node.klarnaId);
    expect(nextIds.length).toBeGreaterThan(0);
    expect(nextIds).not.toContain(firstGroup.edges[0].node.klarnaId);
  });

  it('pages settlement transactions forward from any edge cursor and backward from a page start', async () => {
    const query = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { settlement(id: $id) {
      transactions(first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { createdAt amount { amount } paymentTransactionId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
    const run = async (variables: Record<string, unknown>) => (await gql(context.gateway, query, { id: LARGE_SETTLEMENT_ID, ...variables })).body;
    const key = (edge: any) => JSON.stringify(edge.node);

    const page1 = (await run({ first: 30 })).data.settlement.transactions;
    const page2 = (await run({ first: 30, after: page1.pageInfo.endCursor })).data.settlement.transactions;
    const both = (await run({ first: 60 })).data.settlement.transactions;
    expect([...page1.edges, ...page2.edges].map(key)).toEqual(both.edges.map(key));

    const fromMiddle = (await run({ first: 5, after: page1.edges[9].cursor })).data.settlement.transactions;
    expect(fromMiddle.edges.map(key)).toEqual(both.edges.slice(10, 15).map(key));

    const back = (await run({ last: 30, before: page2.pageInfo.startCursor })).data.settlement.transactions;
    expect(back.edges.map(key)).toEqual(page1.edges.map(key));
    expect(back.pageInfo.hasPreviousPage).toBe(false);
  });

  it('reads the CSV report rows window by window, forward and backward', async () => {
    const query = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { settlement(id: $id) { report {
      summary { settlementId amount { amount currency } }
      rows(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { createdAt amount { amount } } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } } } }`;
    const run = async (variables: Record<string, unknown>) => (await gql(context.gateway, query, { id: LARGE_SETTLEMENT_ID, ...variables })).body.data.settlement.report;
    const first = await run({ first: 10 });
    expect(first.summary.settlementId).toBe(LARGE_SETTLEMENT_ID);
    expect(first.rows.edges).toHaveLength(10);
    expect(first.rows.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = await run({ first: 10, after: first.rows.pageInfo.endCursor });
    const back = await run({ last: 10, before: next.rows.pageInfo.startCursor });
    expect(back.rows.edges).toEqual(first.rows.edges);
  });
});
