/** How long the response cache keeps an answer: per type, with defaults, overrides and checked names. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createResponseCache, ttlPerType } from '../../src/plugins/response-cache.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { countCalls, gql, metricSample, scrapeMetrics, useGateway } from '../utils/gateway.ts';

const schema = buildSchema();
const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const NAME = `query($id: ID!) { account(id: $id) { id name } }`;
const SETTLEMENTS = `{ settlement(id: "krn:partner:eu1:settlement:live:113574395") { id currency amount { amount } transactions(first: 5) { edges { node { type createdAt } } pageInfo { hasNextPage } } } }`;

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
  // Default one minute, settlements (final once issued) an hour. Time is moved forward by shifting
  // `performance.now`, the clock the in-memory store's LRU reads, so no test waits and none races it.
  const context = useGateway({ env: { RESPONSE_CACHE_TTL_MS: '60000' } });
  let shiftMs = 0;
  beforeAll(() => {
    const realNow = performance.now.bind(performance);
    vi.spyOn(performance, 'now').mockImplementation(() => realNow() + shiftMs);
  });
  afterAll(() => vi.restoreAllMocks());
  const callsFor = async (query: string, variables: Record<string, unknown> = {}) => {
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, query, variables));
    expect(result.body.errors).toBeUndefined();
    return total;
  };

  it('expires an account answer after the default, and keeps a settlement answer for its own TTL', async () => {
    expect(await callsFor(NAME, { id: ACCOUNT })).toBe(1);
    expect(await callsFor(SETTLEMENTS)).toBeGreaterThan(0);
    expect(await callsFor(NAME, { id: ACCOUNT })).toBe(0);
    expect(await callsFor(SETTLEMENTS)).toBe(0);

    shiftMs += 2 * 60_000;
    expect(await callsFor(NAME, { id: ACCOUNT })).toBe(1);
    expect(await callsFor(SETTLEMENTS)).toBe(0);

    shiftMs += 60 * 60_000;
    expect(await callsFor(SETTLEMENTS)).toBeGreaterThan(0);
  });

  it('counts hits and misses in /metrics', async () => {
    const text = await scrapeMetrics(context.gateway);
    const count = (result: string) => metricSample(text, `graphql_response_cache_lookups_total{result="${result}"}`);
    expect(count('hit')).toBe(3);
    expect(count('miss')).toBe(4);
    expect(count('error')).toBe(0);
  });
});
