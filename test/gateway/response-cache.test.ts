/** The per-principal response cache: hits cost nothing, principals never share, writes and events invalidate. */
import { describe, expect, it } from 'vitest';
import { CARD_QUERY, DASHBOARD_QUERY } from '../../src/examples.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { ingressUrl, productEvent, sendWebhook, WEBHOOK_ENV } from '../utils/events.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';

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
    expect(second.result.headers['cache-control']).toBe('no-store');
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
    // The event reaches the cache asynchronously: ask until the answer is read afresh (a hit is 0 calls).
    await expect.poll(async () => (await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }))).total, { timeout: 10_000 }).toBe(1);
  });

  it('never caches card data', async () => {
    await gql(context.gateway, CARD_QUERY);
    const again = await countCalls(context.sandbox, () => gql(context.gateway, CARD_QUERY));
    expect(again.byOperation.readSettlementByOrderId).toBe(1);
  });
});
