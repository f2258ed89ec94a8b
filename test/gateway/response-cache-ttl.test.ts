/** How long the response cache keeps an answer: per type, with defaults, overrides and checked names. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createResponseCache, ttlPerType } from '../../src/plugins/response-cache.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';

const schema = buildSchema();
const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const NAME = `query($id: ID!) { account(id: $id) { id name } }`;
const SETTLEMENTS = `{ settlement(id: "krn:partner:eu1:settlement:live:113574395") { id currency amount { amount } transactions(first: 5) { edges { node { type createdAt } } pageInfo { hasNextPage } } } }`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TTL per type', () => {
  it('gives every entity type the default, settlements an hour, card data and credentials 0', () => {
    const ttls = ttlPerType(schema, 30_000);
    for (const type of ['Account', 'Store', 'Brand', 'PaymentProduct', 'Payout']) expect(ttls[type], type).toBe(30_000);
    expect(ttls.Settlement).toBe(3_600_000);
    expect(ttls.SettlementTransaction).toBe(3_600_000);
    for (const type of ['CardSettlement', 'VirtualCard', 'EncryptedCardData', 'CreateApiKeyPayload', 'Credential']) expect(ttls[type], type).toBe(0);
    // Values live as long as what holds them: they are not in the table.
    for (const type of ['Money', 'PageInfo', 'Address']) expect(ttls[type], type).toBeUndefined();
  });

  it('applies overrides, but never lets one cache card data or a secret', () => {
    const ttls = ttlPerType(schema, 30_000, { Store: 5_000, Settlement: 60_000, VirtualCard: 60_000, CreateApiKeyPayload: 1 });
    expect(ttls.Store).toBe(5_000);
    expect(ttls.Settlement).toBe(60_000);
    expect(ttls.VirtualCard).toBe(0);
    expect(ttls.CreateApiKeyPayload).toBe(0);
  });

  it('refuses a type the schema does not have, naming the variable', () => {
    expect(() => createResponseCache({ schema, ttlMs: 1_000, ttlOverrides: { Stores: 5_000 } })).toThrow(ConfigError);
    expect(() => ttlPerType(schema, 1_000, { Stores: 5_000 })).toThrow(/RESPONSE_CACHE_TTL_PER_TYPE: Stores is not an object type/);
  });

  it('parses RESPONSE_CACHE_TTL_PER_TYPE, and says what is wrong with a bad one', () => {
    expect(loadConfig({ RESPONSE_CACHE_TTL_PER_TYPE: 'Store=5000, Settlement = 600000' }).RESPONSE_CACHE_TTL_PER_TYPE).toEqual({ Store: 5_000, Settlement: 600_000 });
    expect(loadConfig({}).RESPONSE_CACHE_TTL_PER_TYPE).toEqual({});
    expect(() => loadConfig({ RESPONSE_CACHE_TTL_PER_TYPE: 'Store:5000' })).toThrow(/RESPONSE_CACHE_TTL_PER_TYPE: "Store:5000" is not Type=milliseconds/);
    expect(() => loadConfig({ RESPONSE_CACHE_TTL_PER_TYPE: 'Store=99999999999' })).toThrow(/RESPONSE_CACHE_TTL_PER_TYPE/);
  });
});

describe('TTL per type, served', () => {
  // Default 400 ms; settlements (final once issued) a minute.
  const context = useGateway({ env: { RESPONSE_CACHE_TTL_MS: '400', RESPONSE_CACHE_TTL_PER_TYPE: 'Settlement=60000' } });

  it('expires an account answer after the default, and keeps a settlement answer for its own TTL', { timeout: 30_000 }, async () => {
    expect((await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }))).total).toBe(1);
    const settlements = await countCalls(context.sandbox, () => gql(context.gateway, SETTLEMENTS));
    expect(settlements.result.body.errors).toBeUndefined();
    expect(settlements.total).toBeGreaterThan(0);
    expect((await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }))).total).toBe(0);

    await sleep(700);
    expect((await countCalls(context.sandbox, () => gql(context.gateway, NAME, { id: ACCOUNT }))).total).toBe(1);
    const again = await countCalls(context.sandbox, () => gql(context.gateway, SETTLEMENTS));
    expect(again.total).toBe(0);
    expect(again.result.body.data).toEqual(settlements.result.body.data);
  });

  it('counts hits and misses in /metrics', async () => {
    const text = await (await fetch(`${context.gateway.url}/metrics`)).text();
    const count = (result: string) => Number(new RegExp(`graphql_response_cache_lookups_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(count('hit')).toBeGreaterThanOrEqual(2);
    expect(count('miss')).toBeGreaterThanOrEqual(3);
    expect(count('error')).toBe(0);
  });
});
