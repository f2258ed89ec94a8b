/** Upstream errors become stable codes; bad input is refused before any call; failures stay local. */
import { describe, expect, it } from 'vitest';
import { ACCOUNT_EXPANSIONS } from '../../src/datasources/partner-management.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { admin, requestsSent } from '../utils/sandbox.ts';
import { countCalls, gql, useGateway, type GraphQLResult } from '../utils/gateway.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const NAME_QUERY = `query($id: ID!) { account(id: $id) { name } }`;

/** No client-visible error may carry an upstream URL, body or stack. */
function expectNoLeaks(result: GraphQLResult, sandboxUrl: string) {
  const text = JSON.stringify(result.body.errors ?? []);
  expect(text).not.toContain(sandboxUrl);
  expect(text).not.toMatch(/https?:\/\//);
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  expect(text).not.toContain('error_id');
}

describe('error mapping', () => {
  const context = useGateway();

  it('answers an unknown account with null and NOT_FOUND', async () => {
    const result = await gql(context.gateway, NAME_QUERY, { id: 'krn:partner:global:account:live:NOSUCH00' });
    expect(result.body.data).toEqual({ account: null });
    expect(result.body.errors?.[0]).toMatchObject({ path: ['account'], extensions: { code: 'NOT_FOUND' } });
    expectNoLeaks(result, context.sandbox.url);
  });

  it("hides another partner's account as NOT_FOUND", async () => {
    const result = await gql(context.gateway, NAME_QUERY, { id: ACCOUNT }, { authorization: `Basic ${DEMO_CREDENTIALS.otherApiKey}` });
    expect(result.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses what is not a Klarna id, too many ids and bad paging of a root field without any upstream call', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [NAME_QUERY, { id: 'LWT2XJSE' }, 'id'],
      [`query($ids: [ID!]!) { accounts(ids: $ids) { name } }`, { ids: Array.from({ length: 101 }, () => ACCOUNT) }, 'ids'],
      [`{ cardOrder(orderId: "bad id with spaces") { orderId } }`, {}, 'orderId'],
      [`{ pricePlan(id: "krn:partner:global:payment:price-plan:171080e7-2637-4675-a224-ec032723ebdf", merchantCategoryCode: "0000") { id } }`, {}, 'merchantCategoryCode'],
      [`{ pricePlan(id: "..", merchantCategoryCode: "5499") { id } }`, {}, 'id'],
      [`{ credential(id: "krn:nope") { klarnaId } }`, {}, 'id'],
    ];
    for (const [query, variables, path] of cases) {
      const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, query, variables));
      expect(total, query).toBe(0);
      const error = result.body.errors?.[0];
      expect(error?.extensions?.code, query).toBe('BAD_USER_INPUT');
      expect(error?.extensions?.problems?.[0]?.path, query).toBe(path);
      expect(error?.message.length).toBeGreaterThan(10);
    }
  });

  it('answers bad paging under an account on the connection alone: the account is read for the rest, the connection makes no call', async () => {
    const connection = (field: string) => `${field} { edges { node { id } } }`;
    const cases: [string, (string | number)[], string][] = [
      [`name ${connection('brands(first: 500)')}`, ['account', 'brands'], 'first'],
      [`name ${connection('businessEntities(first: 0)')}`, ['account', 'businessEntities'], 'first'],
      [`name ${connection('storeGroups(first: 1, last: 1)')}`, ['account', 'storeGroups'], 'last'],
      [`name ${connection('stores(first: 500)')}`, ['account', 'stores'], 'first'],
      [`name ${connection('stores(last: 5)')}`, ['account', 'stores'], 'last'],
      [`name ${connection('stores(first: 5, after: "%%%")')}`, ['account', 'stores'], 'after'],
      [`name ${connection('complianceDecisions(first: 101)')}`, ['account', 'complianceDecisions'], 'first'],
      [`name storeGroups(first: 1) { edges { node { reference ${connection('stores(first: 500)')} } } }`, ['account', 'storeGroups', 'edges', 0, 'node', 'stores'], 'first'],
    ];
    for (const [selection, path, argument] of cases) {
      const query = `query($id: ID!) { account(id: $id) { ${selection} } }`;
      const { result, byOperation } = await countCalls(context.sandbox, () => gql(context.gateway, query, { id: ACCOUNT }));
      // The account itself: its name is answered, and only the failing connection is null.
      expect(result.body.data?.account?.name, query).toBe('Merchant ABC US');
      let value: any = result.body.data;
      for (const key of path) value = value?.[key];
      expect(value, query).toBeNull();
      expect(result.body.errors, query).toHaveLength(1);
      expect(result.body.errors?.[0], query).toMatchObject({ path, extensions: { code: 'BAD_USER_INPUT', problems: [expect.objectContaining({ path: argument })] } });
      // One read of the account, and nothing for the refused connection: no list call, no expansion.
      expect(byOperation, query).toEqual({ getAccount: 1 });
      const [read] = await requestsSent(context.sandbox, 'getAccount');
      const expand = (read?.searchParams.get('expand') ?? '').split(',');
      const refused = path.length > 2 ? ACCOUNT_EXPANSIONS.storeGroupsWithStores : ACCOUNT_EXPANSIONS[path[1] as keyof typeof ACCOUNT_EXPANSIONS];
      if (refused) expect(expand, query).not.toContain(refused);
      if (path.length > 2) expect(expand, query).toContain(ACCOUNT_EXPANSIONS.storeGroups);
    }
  });

  it('answers bad paging under a settlement on the connection alone, with one read of the settlement', async () => {
    const SETTLEMENT = 'krn:partner:eu1:settlement:live:113574395';
    const cases: [string, (string | number)[], string][] = [
      ['transactions(first: 0) { edges { cursor } }', ['settlement', 'transactions'], 'first'],
      ['transactions(first: 2, after: "%%%") { edges { cursor } }', ['settlement', 'transactions'], 'after'],
      ['report { rows(first: 101) { edges { cursor } } }', ['settlement', 'report', 'rows'], 'first'],
      ['report { rows(first: 2, after: "%%%") { edges { cursor } } }', ['settlement', 'report', 'rows'], 'after'],
    ];
    for (const [selection, path, argument] of cases) {
      const query = `{ settlement(id: "${SETTLEMENT}") { klarnaId ${selection} } }`;
      const { result, byOperation } = await countCalls(context.sandbox, () => gql(context.gateway, query));
      expect(result.body.data?.settlement?.klarnaId, query).toBe(SETTLEMENT);
      let value: any = result.body.data;
      for (const key of path) value = value?.[key];
      expect(value, query).toBeNull();
      expect(result.body.errors, query).toHaveLength(1);
      expect(result.body.errors?.[0], query).toMatchObject({ path, extensions: { code: 'BAD_USER_INPUT', problems: [expect.objectContaining({ path: argument })] } });
      // No transaction page and no report download: only the settlement.
      expect(byOperation, query).toEqual({ getSettlement: 1 });
    }
  });

  it('keeps a valid occurrence of the same connection beside a refused one (aliases)', async () => {
    const query = `query($id: ID!) { account(id: $id) { good: brands(first: 1) { edges { node { id } } } bad: brands(first: 500) { edges { node { id } } } } }`;
    const { result, byOperation } = await countCalls(context.sandbox, () => gql(context.gateway, query, { id: ACCOUNT }));
    expect(result.body.data?.account?.good?.edges).toHaveLength(1);
    expect(result.body.data?.account?.bad).toBeNull();
    expect(result.body.errors).toEqual([expect.objectContaining({ path: ['account', 'bad'], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
    expect(byOperation).toEqual({ getAccount: 1 });
  });

  it('refuses a malformed global id, or one whose parts are not ids, with BAD_USER_INPUT, and one of a type node cannot read with NOT_FOUND, without any call', async () => {
    const globalId = (typename: string, key: string) => Buffer.from(`${typename}:${key}`).toString('base64');
    const cases: [string, string][] = [
      ['not a global id', 'BAD_USER_INPUT'],
      [globalId('Account', '..'), 'BAD_USER_INPUT'],
      [globalId('Store', `${ACCOUNT} ..`), 'BAD_USER_INPUT'],
      [globalId('CardPromise', '..'), 'BAD_USER_INPUT'],
      [globalId('CardSettlement', 'b0ec0bbd-534c-4b1c-b28a-628bf33c3324 bad\r\nkey'), 'BAD_USER_INPUT'],
      [globalId('Nope', 'x'), 'NOT_FOUND'],
      [globalId('VirtualCard', 'f3392f8b-6116-4073-ab96-e330819e2c07'), 'NOT_FOUND'],
    ];
    for (const [id, code] of cases) {
      const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, `query($id: ID!) { node(id: $id) { id } }`, { id }));
      expect(total, id).toBe(0);
      expect(result.body.data, id).toEqual({ node: null });
      expect(result.body.errors?.[0], id).toMatchObject({ path: ['node'], extensions: { code } });
      expect(result.body.errors?.[0]?.message, id).toMatch(/`id` (is not|names no object)/);
    }
  });

  it('maps a Klarna 403 to FORBIDDEN on the one field that failed', async () => {
    const result = await gql(context.gateway, `{ cardOrder(orderId: "f3392f8b-6116-4073-ab96-e330819e2c07") { orderId settlement(keyId: "not-enrolled") { klarnaId } } }`);
    expect(result.body.data?.cardOrder).toEqual({ orderId: 'f3392f8b-6116-4073-ab96-e330819e2c07', settlement: null });
    expect(result.body.errors?.[0]).toMatchObject({ path: ['cardOrder', 'settlement'], extensions: { code: 'FORBIDDEN' } });
  });

  it("maps Klarna's validation errors to BAD_USER_INPUT with their fields", async () => {
    const forged = Buffer.from(JSON.stringify({ a: 'not-a-klarna-cursor', s: 0 })).toString('base64url');
    const result = await gql(context.gateway, `query($after: String) { settlement(id: "krn:partner:eu1:settlement:live:113574395") { transactions(first: 2, after: $after) { edges { cursor } } } }`, { after: forged });
    const error = result.body.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.extensions?.problems?.[0]?.path).toBe('starting_after');
    expectNoLeaks(result, context.sandbox.url);
  });

  it('keeps the data that could be read when one sub-resource fails (partial data)', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'listComplianceDecisions', errorRates: { 500: 1 }, times: 1 });
    const result = await gql(context.gateway, `query($id: ID!) { account(id: $id) { name complianceDecisions(first: 2) { edges { node { type } } } } }`, { id: ACCOUNT });
    expect(result.body.data?.account).toEqual({ name: 'Merchant ABC US', complianceDecisions: null });
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors?.[0]).toMatchObject({ path: ['account', 'complianceDecisions'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    expectNoLeaks(result, context.sandbox.url);
  });
});

describe('credentials', () => {
  const context = useGateway({ passthroughOnly: true });

  it('answers UNAUTHENTICATED without an upstream call when the caller brings no credentials', async () => {
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, NAME_QUERY, { id: ACCOUNT }));
    expect(total).toBe(0);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('never falls back to other credentials when the Authorization header is not Basic', async () => {
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, NAME_QUERY, { id: ACCOUNT }, { authorization: 'Bearer abc' }));
    expect(total).toBe(0);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("passes the caller's own Basic credentials through, and maps Klarna's 401", async () => {
    const ok = await gql(context.gateway, NAME_QUERY, { id: ACCOUNT }, { authorization: `Basic ${DEMO_CREDENTIALS.apiKey}` });
    expect(ok.body.data?.account?.name).toBe('Merchant ABC US');
    const refused = await gql(context.gateway, NAME_QUERY, { id: ACCOUNT }, { authorization: 'Basic klarna_test_api_wrong' });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
