/** The per-principal response cache: hits cost nothing, principals never share, writes and events invalidate. */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CARD_QUERY, DASHBOARD_QUERY } from '../../src/examples.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { ingressUrl, productEvent, sendWebhook, subscribe, WEBHOOK_ENV } from '../utils/events.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';
import { bearer, TOKEN_ENV } from '../utils/tokens.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const NAME = `query($id: ID!) { account(id: $id) { id name } }`;

describe('response cache', () => {
  const context = useGateway({ env: { RESPONSE_CACHE_TTL_MS: '60000', ...WEBHOOK_ENV } });

  it('answers a repeated query for the same principal from the cache, with no upstream call', async () => {
    const first = await countCalls(context.sandbox, () => gql(context.gateway, DASHBOARD_QUERY));
    expect(first.total).toBe(2);
    const second = await countCalls(context.sandbox, () => gql(context.gateway, DASHBOARD_QUERY));
    expect(second.total).toBe(0);
    expect(second.result.body.data).toEqual(first.result.body.data);
    expect(second.result.headers['cache-control']).toBe('private, no-cache');
  });

  it('never serves one principal what was cached for another', async () => {
    await gql(context.gateway, NAME, { id: ACCOUNT });
    const other = await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }, { authorization: `Basic ${DEMO_CREDENTIALS.otherApiKey}` }));
    expect(JSON.stringify(other.result.body)).not.toContain('Merchant ABC');
    expect(other.total).toBe(1);
    expect(other.result.body.data?.account).toBeNull();
    expect(other.result.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('drops cached answers about an account our own mutation changed', async () => {
    await gql(context.gateway, NAME, { id: ACCOUNT });
    const mutation = `mutation($id: ID!) { updateAccount(input: { accountId: $id, name: "Merchant ABC Renamed" }) { __typename ... on UpdateAccountPayload { account { name } } } }`;
    expect((await gql(context.gateway, mutation, { id: ACCOUNT })).body.data.updateAccount.account.name).toBe('Merchant ABC Renamed');
    const after = await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }));
    expect(after.total).toBe(1);
    expect(after.result.body.data.account.name).toBe('Merchant ABC Renamed');
  });

  it('drops cached answers about an account a Klarna webhook names', async () => {
    await gql(context.gateway, NAME, { id: ACCOUNT });
    expect((await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }))).total).toBe(0);
    expect((await sendWebhook(ingressUrl(context.gateway), productEvent())).status).toBe(202);
    // Dropped before the webhook was acknowledged: the very next query reads afresh.
    expect((await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }))).total).toBe(1);
  });

  it('answers queries over WebSocket (never from the cache), and drops what a mutation changed whatever it selected, over WebSocket too', async () => {
    const name = (await gql(context.gateway, NAME, { id: ACCOUNT })).body.data.account.name;
    expect((await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }))).total).toBe(0);
    const overSocket = async (query: string, variables: Record<string, unknown>) => {
      const client = subscribe(context.gateway, query, variables);
      try {
        await client.waitFor(1);
        expect(client.results[0]?.errors).toBeUndefined();
        return client.results[0]?.data;
      } finally {
        await client.dispose();
      }
    };
    const read = await countCalls(context.sandbox, () => overSocket(NAME, { id: ACCOUNT }));
    expect(read.result?.account?.name).toBe(name);
    expect(read.byOperation.getAccount).toBe(1); // (the connection itself checks the credentials once)
    const renamed = await overSocket(`mutation($id: ID!) { updateAccount(input: { accountId: $id, name: "Merchant ABC Socket" }) { __typename } }`, { id: ACCOUNT });
    expect(renamed).toEqual({ updateAccount: { __typename: 'UpdateAccountPayload' } });
    const after = await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }));
    expect(after.total).toBe(1);
    expect(after.result.body.data.account.name).toBe('Merchant ABC Socket');
  });

  it('never caches card data', async () => {
    await gql(context.gateway, CARD_QUERY);
    const again = await countCalls(context.sandbox, () => gql(context.gateway, CARD_QUERY));
    expect(again.byOperation.readSettlementByOrderId).toBe(1);
  });
});

describe('response cache in token mode', () => {
  const context = useGateway({ env: { RESPONSE_CACHE_TTL_MS: '600000', ...TOKEN_ENV } });
  afterEach(() => vi.useRealTimers());

  it('serves a token its cached answer only while the token is valid', async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const headers = await bearer({ role: 'viewer', exp });
    expect((await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }, headers))).total).toBe(1);
    expect((await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }, headers))).total).toBe(0);

    // Ten minutes on (the answer is still in the cache): the token has expired.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 600_000 - 10_000 });
    const expired = await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }, headers));
    expect(expired.result.status).toBe(401);
    expect(expired.result.body.data ?? null).toBeNull();
    expect(expired.result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(expired.total).toBe(0);
  });

  it('never serves a token what was cached for another token of the same subject with other accounts', async () => {
    const everywhere = await bearer({ role: 'viewer', sub: 'same-person', accounts: '*' });
    const elsewhere = await bearer({ role: 'viewer', sub: 'same-person', accounts: ['krn:partner:global:account:live:NOTTHIS1'] });
    expect((await gql(context.gateway, NAME, { id: ACCOUNT }, everywhere)).body.data?.account?.name).toBe('Merchant ABC US');
    const refused = await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }, elsewhere));
    expect(refused.result.body.data?.account ?? null).toBeNull();
    expect(refused.result.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.total).toBe(0);
  });
});

describe('response cache with persisted queries', () => {
  const context = useGateway({ env: { RESPONSE_CACHE_TTL_MS: '600000' } });
  const byHash = (query: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } } });
  const post = async (body: Record<string, unknown>) =>
    (await request(context.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify(body) })).body.json() as Promise<{ data?: any; errors?: unknown[] }>;

  it('keys an operation sent by hash alone by its document, so two documents never share an answer', async () => {
    const name = `{ account(id: "${ACCOUNT}") { name } }`;
    const reference = `{ account(id: "${ACCOUNT}") { reference } }`;
    for (const query of [name, reference]) expect((await post({ query, ...byHash(query) })).errors).toBeUndefined();
    expect(await post(byHash(name))).toEqual({ data: { account: { name: 'Merchant ABC US' } } });
    expect(await post(byHash(reference))).toEqual({ data: { account: { reference: 'M123786123412' } } });
  });
});
