/**
 * Global ids as clients see them: short (the Dashboard's ids at most 40 characters but a payment
 * account's), each read again by `node(id:)`, ids of the old form still read (and answered with the new
 * one), and `CardOrder` with an `id` that Apollo Client's cache normalises it by.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql as apolloGql } from '@apollo/client';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';

const ORDER_ID = 'f3392f8b-6116-4073-ab96-e330819e2c07';

const IDS = `query ($id: ID!) {
  account(id: $id) {
    id
    businessEntities(first: 10) { edges { node { id } } }
    brands(first: 10) { edges { node { id } } }
    storeGroups(first: 10) { edges { node { id stores(first: 50) { edges { node { id } } } } } }
    paymentProducts { id paymentAccounts { id } }
    complianceDecisions(first: 5) { edges { node { id } } }
  }
  settlement(id: "krn:partner:eu1:settlement:live:113574395") { id }
}`;

/** Every `{ __typename?, id }` object in an answer, as [typename, id]. */
function idsIn(value: unknown, typename = ''): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((item) => idsIn(item, typename));
  if (!value || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  const own: [string, string][] = typeof object.id === 'string' ? [[typename, object.id]] : [];
  return [...own, ...Object.entries(object).flatMap(([field, child]) => (field === 'id' ? [] : idsIn(child, field)))];
}

describe('global ids', () => {
  const context = useGateway({ sandbox: { accounts: 3 } });

  it('are at most 40 characters for every object of the Dashboard but a payment account (three Klarna ids), and node(id:) reads each again', async () => {
    const answer = await gql(context.gateway, IDS, { id: DOCS_ACCOUNT_ID });
    expect(answer.body.errors).toBeUndefined();
    const ids = idsIn(answer.body.data);
    expect(ids.length).toBeGreaterThan(10);
    const long = ids.filter(([field, id]) => id.length > (field === 'paymentAccounts' ? 60 : 40));
    expect(long).toEqual([]);
    const again = await gql(context.gateway, 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ids.map(([, id]) => id) });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data.nodes.map((node: { id: string }) => node.id)).toEqual(ids.map(([, id]) => id));
  });

  it('still reads ids of the old form (base64 of Type:key), answering with the id of the new form', async () => {
    const brands = (await gql(context.gateway, 'query ($id: ID!) { account(id: $id) { id brands(first: 1) { edges { node { id klarnaId } } } } }', { id: DOCS_ACCOUNT_ID })).body.data.account;
    const brand = brands.brands.edges[0].node;
    const old = [encodeGlobalID('Account', DOCS_ACCOUNT_ID), encodeGlobalID('Brand', `${DOCS_ACCOUNT_ID} ${brand.klarnaId}`), encodeGlobalID('CardOrder', ORDER_ID)];
    expect(Math.min(...old.map((id) => id.length))).toBeGreaterThan(40);
    const answer = await gql(context.gateway, 'query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }', { ids: old });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.nodes).toEqual([
      { __typename: 'Account', id: brands.id },
      { __typename: 'Brand', id: brand.id },
      { __typename: 'CardOrder', id: expect.any(String) },
    ]);
  });
});

describe('CardOrder.id', () => {
  const context = useGateway({ sandbox: { accounts: 3 } });

  it('is the same global id each time the order is read, and node(id:) reads the order by it without a call', async () => {
    const query = 'query ($orderId: ID!) { cardOrder(orderId: $orderId) { id orderId } }';
    const first = await gql(context.gateway, query, { orderId: ORDER_ID });
    const second = await gql(context.gateway, query, { orderId: ORDER_ID });
    const id = first.body.data.cardOrder.id as string;
    expect(id.length).toBeLessThanOrEqual(40);
    expect(second.body.data.cardOrder).toEqual({ id, orderId: ORDER_ID });
    const node = await countCalls(context.sandbox, () => gql(context.gateway, 'query ($id: ID!) { node(id: $id) { __typename id ... on CardOrder { orderId } } }', { id }));
    expect(node.result.body).toEqual({ data: { node: { __typename: 'CardOrder', id, orderId: ORDER_ID } } });
    expect(node.total).toBe(0);
    const cancellation = await gql(context.gateway, 'query ($id: ID!) { node(id: $id) { ... on CardOrder { cancellation { status } } } }', { id });
    expect(cancellation.body.data.node.cancellation.status).toBeTruthy();
  });

  it('lets Apollo Client normalise the order: two queries selecting different fields fill one cache entry', async () => {
    const client = new ApolloClient({ link: new HttpLink({ uri: context.gateway.graphqlUrl }), cache: new InMemoryCache() });
    const one = await client.query({ query: apolloGql`query One($orderId: ID!) { cardOrder(orderId: $orderId) { id orderId } }`, variables: { orderId: ORDER_ID } });
    await client.query({ query: apolloGql`query Two($orderId: ID!) { cardOrder(orderId: $orderId) { id cancellation { status } } }`, variables: { orderId: ORDER_ID } });
    const key = `CardOrder:${(one.data as { cardOrder: { id: string } }).cardOrder.id}`;
    const entry = (client.cache.extract() as Record<string, unknown>)[key] as Record<string, unknown> | undefined;
    expect(entry).toMatchObject({ __typename: 'CardOrder', orderId: ORDER_ID, cancellation: { status: expect.any(String) } });
    client.stop();
  });
});
