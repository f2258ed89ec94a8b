/**
 * Limits that count real cost: before an operation runs, the gateway plans the upstream calls it will
 * make (the same planning that folds `expand` and dedupes ids) and the rows it may answer. The plan must
 * equal the calls the sandbox counts; an operation over a limit is refused with no call made; and in
 * development every answer says what it planned and what it spent (`extensions.cost`).
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { CARD_QUERY, DASHBOARD_QUERY, DISABLE_PRODUCT_MUTATION, ONBOARD_MUTATION, ONBOARD_VARIABLES, PORTFOLIO_QUERY, SETTLEMENT_QUERY } from '../../src/examples.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { portfolioAccountIds } from '../../src/sandbox/seed/portfolio.ts';
import { unknownCostEntries } from '../../src/schema/field-costs.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { ingressUrl, productEvent, sendWebhook, subscribe, subscribed, WEBHOOK_ENV } from '../utils/events.ts';
import { countCalls, gql, useGateway, type GraphQLResult } from '../utils/gateway.ts';

const PORTFOLIO_IDS = portfolioAccountIds(20_250_101, 20);
/** Klarna identifiers of no account: a refused operation never asks Klarna about them. */
const fakeAccountIds = (count: number) => Array.from({ length: count }, (_, index) => `krn:partner:global:account:live:FANOUT${index}`);
/** The Dashboard with every connection at its largest page. */
const DASHBOARD_100 = DASHBOARD_QUERY.replace(/first: \d+/g, 'first: 100');

/** The JSON parts of a multipart/mixed answer (`@defer`, `@stream`). */
async function multipartParts(url: string, query: string, variables: Record<string, unknown>): Promise<any[]> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.body.text();
  return text
    .split(/\r\n---/)
    .map((block) => block.slice(block.indexOf('\r\n\r\n') + 4).trim())
    .filter((json) => json.startsWith('{'))
    .map((json) => JSON.parse(json));
}

const codes = (result: GraphQLResult) => (result.body.errors ?? []).map((error) => error.extensions?.code);
const costOf = (result: GraphQLResult) => (result.body as { extensions?: { cost?: { plannedCalls: number; calls: number } } }).extensions?.cost;

describe('planned upstream calls', () => {
  // No background indexing of reports: its download is no call of the query's (and races the count).
  const context = useGateway({ env: { NODE_ENV: 'development', REPORT_INDEXING_CONCURRENCY: '0' } });

  /** Runs `query` and checks that its plan is exactly what the sandbox counted, and what its budget counted. */
  async function plannedExactly(query: string, variables: Record<string, unknown> = {}, expectedCalls?: number) {
    const { result, total, byOperation } = await countCalls(context.sandbox, () => gql(context.gateway, query, variables));
    expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
    expect(costOf(result), JSON.stringify(byOperation)).toEqual({ plannedCalls: total, calls: total });
    if (expectedCalls !== undefined) expect(total).toBe(expectedCalls);
    return { result, byOperation };
  }

  it('plans the Dashboard at its two calls', async () => {
    await plannedExactly(DASHBOARD_QUERY, {}, 2);
  });

  it('plans the Settlement at its four calls (settlement, payout, transactions, report)', async () => {
    await plannedExactly(SETTLEMENT_QUERY, {}, 4);
  });

  it('plans the Card order at its two calls', async () => {
    await plannedExactly(CARD_QUERY, {}, 2);
  });

  it('plans the Portfolio at one call per distinct account', async () => {
    await plannedExactly(PORTFOLIO_QUERY, { ids: [...PORTFOLIO_IDS, ...PORTFOLIO_IDS.slice(0, 5)] }, 20);
  });

  it('plans store groups with their stores, and the flat store list, as the account and one list call', async () => {
    const query = `query($id: ID!) { account(id: $id) {
      storeGroups(first: 100) { edges { node { reference stores(first: 100) { edges { node { url } } } } } }
      stores(first: 5) { edges { node { url } } }
      other: stores(first: 5) { edges { node { type } } }
    } }`;
    const { byOperation } = await plannedExactly(query, { id: DOCS_ACCOUNT_ID }, 2);
    expect(byOperation).toEqual({ getAccount: 1, listStores: 1 });
  });

  it('plans a settlement with two transaction pages and its report summary and rows, and skips what @skip leaves out', async () => {
    const query = `query($id: ID!, $noPayout: Boolean!) { settlement(id: $id) {
      payout @skip(if: $noPayout) { status }
      transactions(first: 10) { edges { node { type } } }
      more: transactions(first: 3) { edges { node { type } } }
      report { summary { amount { amount } } rows(first: 3) { edges { node { type } } } }
      reportAgain: report { summary { paidOutAt } }
    } }`;
    const { byOperation } = await plannedExactly(query, { id: 'krn:partner:eu1:settlement:live:113574395', noPayout: true }, 5);
    expect(byOperation).toEqual({ getSettlement: 1, listSettlementTransactions: 2, getSettlementCsv: 2 });
  });

  it('plans node(id:) and nodes(ids:) by each type’s own read, and an account read by id with its lists', async () => {
    const { result } = await countCalls(context.sandbox, () => gql(context.gateway, DASHBOARD_QUERY));
    const account = result.body.data.account;
    const ids = [account.brands.edges[0].node.id, account.storeGroups.edges[0].node.id, account.paymentProducts[0].id, account.complianceDecisions.edges[0].node.id];
    const query = `query($account: ID!, $ids: [ID!]!) {
      node(id: $account) { ... on Account { name brands(first: 5) { edges { node { displayName } } } storeGroups { edges { node { stores { edges { node { url } } } } } } paymentProducts { state } } }
      nodes(ids: $ids) { id ... on StoreGroup { stores(first: 2) { edges { node { url } } } } }
    }`;
    const { byOperation } = await plannedExactly(query, { account: account.id, ids }, 7);
    expect(byOperation).toEqual({
      getAccount: 1, listBrands: 1, listStoreGroups: 1, getBrand: 1, getStoreGroup: 1, listPaymentProducts: 1, getComplianceDecision: 1,
    });
  });

  it('plans mutations: each write, and what its payload reads afresh', async () => {
    await plannedExactly(DISABLE_PRODUCT_MUTATION, {}, 2);
    const update = `mutation($id: ID!) { updateAccount(input: { accountId: $id, name: "Merchant ABC US" }) {
      ... on UpdateAccountPayload { account { name contact { email } brands(first: 2) { edges { node { displayName } } } paymentProducts { state } } }
    } }`;
    await plannedExactly(update, { id: DOCS_ACCOUNT_ID }, 3);
    const onboard = ONBOARD_MUTATION.replace('account { id klarnaId name state stateReason }', 'account { name contact { email } paymentProducts { state } }');
    await plannedExactly(onboard, ONBOARD_VARIABLES, 3);
  });

  it('puts extensions.cost on the last part of a @defer answer, when every call is made', async () => {
    const query = `query($id: ID!) { account(id: $id) { name ... @defer { complianceDecisions(first: 5) { edges { node { type } } } } } }`;
    const parts = await multipartParts(context.gateway.graphqlUrl, query, { id: DOCS_ACCOUNT_ID });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.slice(0, -1).map((part) => part.extensions?.cost)).toEqual(parts.slice(0, -1).map(() => undefined));
    expect(parts.at(-1)).toMatchObject({ hasNext: false, extensions: { cost: { plannedCalls: 2, calls: 2 } } });
  });

  it('runs the Dashboard with first: 100 on every connection, at two calls', async () => {
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, DASHBOARD_100));
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.account.storeGroups.edges.length).toBeGreaterThan(0);
    expect(costOf(result)).toEqual({ plannedCalls: 2, calls: 2 });
    expect(total).toBe(2);
  });
});

describe('refusals by plan', () => {
  const context = useGateway({ env: { NODE_ENV: 'development', ...WEBHOOK_ENV } });
  /** Every account with its compliance decisions and stores: three calls an account. */
  const FANOUT = `query($ids: [ID!]!) { accounts(ids: $ids) { name complianceDecisions(first: 5) { edges { node { type } } } stores(first: 5) { edges { node { url } } } } }`;

  it('refuses a fan-out over MAX_UPSTREAM_CALLS_PER_OPERATION with QUERY_TOO_COSTLY and its planned calls, before any call', async () => {
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, FANOUT, { ids: fakeAccountIds(100) }));
    expect(total).toBe(0);
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', plannedCalls: 300, maxCalls: 200 });
    expect(costOf(result)).toEqual({ plannedCalls: 300, calls: 0 });
  });

  it('runs the same fan-out within the limit', async () => {
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, FANOUT, { ids: PORTFOLIO_IDS.slice(0, 3) }));
    expect(result.body.errors).toBeUndefined();
    expect(total).toBe(9);
    expect(costOf(result)).toEqual({ plannedCalls: 9, calls: 9 });
  });

  it('refuses an answer of more than MAX_RESULT_ROWS rows with RESULT_TOO_LARGE, though it costs few calls', async () => {
    const query = `query($ids: [ID!]!) { accounts(ids: $ids) { storeGroups(first: 100) { edges { node { stores(first: 100) { edges { node { url } } } } } } } }`;
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, query, { ids: fakeAccountIds(3) }));
    expect(total).toBe(0);
    expect(codes(result)).toEqual(['RESULT_TOO_LARGE']);
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ plannedRows: 3 + 300 + 30_000, maxRows: 20_000 });
  });

  it('plans each operation of a batched request on its own', async () => {
    const response = await request(context.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify([
        { query: FANOUT, variables: { ids: fakeAccountIds(100) } },
        { query: `{ account(id: "${DOCS_ACCOUNT_ID}") { name } }` },
      ]),
    });
    const [costly, cheap] = (await response.body.json()) as GraphQLResult['body'][];
    expect(costly?.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    expect(cheap).toMatchObject({ data: { account: { name: 'Merchant ABC US' } }, extensions: { cost: { plannedCalls: 1, calls: 1 } } });
  });

  it('refuses over graphql-ws too, with no call made for the operation', async () => {
    const { result: subscriber, byOperation } = await countCalls(context.sandbox, async () => {
      const client = subscribe(context.gateway, FANOUT, { ids: fakeAccountIds(100) });
      await client.waitFor(1);
      await client.dispose();
      return client;
    });
    expect(subscriber.results[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', plannedCalls: 300 });
    // The connection's own credential check (a reference-data read) is all Klarna saw.
    expect(Object.keys(byOperation).filter((operation) => operation !== 'listPaymentProfiles')).toEqual([]);
  });

  it('leaves subscriptions alone: their events are neither planned nor given extensions.cost', async () => {
    const subscriber = subscribe(context.gateway, `subscription($id: ID!) { accountEvents(accountId: $id) { klarnaEventId account { name } } }`, { id: DOCS_ACCOUNT_ID });
    try {
      await subscribed(context.gateway, 1);
      const event = productEvent();
      expect((await sendWebhook(ingressUrl(context.gateway), event)).status).toBe(202);
      await subscriber.waitFor(1);
      expect(subscriber.results[0]).toEqual({ data: { accountEvents: { klarnaEventId: event.metadata.event_id, account: { name: 'Merchant ABC US' } } } });
    } finally {
      await subscriber.dispose();
    }
  });
});

describe('extensions.cost', () => {
  describe('in production', () => {
    const context = useGateway({ env: { NODE_ENV: 'production' } });

    it('is absent', async () => {
      const result = await gql(context.gateway, DASHBOARD_QUERY);
      expect(result.body.errors).toBeUndefined();
      expect(costOf(result)).toBeUndefined();
    });

    it('still refuses by plan', async () => {
      const result = await gql(context.gateway, `query($ids: [ID!]!) { accounts(ids: $ids) { stores { edges { node { url } } } complianceDecisions { edges { node { type } } } } }`, {
        ids: fakeAccountIds(100),
      });
      expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', plannedCalls: 300, maxCalls: 200 });
    });
  });

  describe('in production with COST_EXTENSION=true', () => {
    const context = useGateway({ env: { NODE_ENV: 'production', COST_EXTENSION: 'true' } });

    it('is present', async () => {
      const result = await gql(context.gateway, DASHBOARD_QUERY);
      expect(costOf(result)).toEqual({ plannedCalls: 2, calls: 2 });
    });
  });
});

describe('the cost table', () => {
  it('names only fields the schema has', () => {
    expect(unknownCostEntries(buildSchema())).toEqual([]);
  });

  it('MAX_QUERY_COST is retired: ignored with a warning, never a failed start', () => {
    const config = loadConfig({ NODE_ENV: 'test', MAX_QUERY_COST: '100000' });
    expect(config.retiredSettings.map((setting) => setting.name)).toEqual(['MAX_QUERY_COST']);
    expect(loadConfig({ NODE_ENV: 'test' }).retiredSettings).toEqual([]);
  });

  it('turns extensions.cost on in development only, unless COST_EXTENSION says', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).costExtension).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).costExtension).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', COST_EXTENSION: 'true' }).costExtension).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', COST_EXTENSION: 'false' }).costExtension).toBe(false);
  });
});
