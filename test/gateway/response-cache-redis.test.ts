/**
 * The response cache in Redis: two replicas share hits and invalidations, principals never share,
 * nothing is kept without an expiry, and a Redis that does not answer is a miss, not an error.
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { DASHBOARD_QUERY } from '../../src/examples.ts';
import { createLogger } from '../../src/logger.ts';
import { createResponseCache } from '../../src/plugins/response-cache.ts';
import { createRedisResponseStore } from '../../src/plugins/redis-response-store.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { ingressUrl, productEvent, sendWebhook, WEBHOOK_ENV } from '../utils/events.ts';
import { countCalls, gql } from '../utils/gateway.ts';
import { connectRedis, deleteKeys, redisAvailable, redisKeyPrefix, REDIS_URL } from '../utils/redis.ts';
import { useSandbox } from '../utils/sandbox.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const NAME = `query($id: ID!) { account(id: $id) { id name } }`;
const RENAME = `mutation($id: ID!, $name: String!) { updateAccount(input: { accountId: $id, name: $name }) { __typename ... on UpdateAccountPayload { account { id name } } } }`;

const available = await redisAvailable();

describe.skipIf(!available)('response cache shared by two replicas through Redis', () => {
  const context = useSandbox({ accounts: 1 });
  const prefix = redisKeyPrefix(fileURLToPath(import.meta.url));
  const replicas: RunningGateway[] = [];
  const redis = connectRedis();

  beforeAll(async () => {
    for (let i = 0; i < 2; i += 1) {
      const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', REDIS_URL, REDIS_KEY_PREFIX: prefix, RESPONSE_CACHE_TTL_MS: '60000', ...WEBHOOK_ENV });
      replicas.push(
        await startGateway(config, { managementUrl: context.sandbox.url, cardServiceUrl: context.sandbox.url, serverAuthorization: `Basic ${DEMO_CREDENTIALS.apiKey}` }, { logger: createLogger({ level: 'silent' }) }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('answers on one replica what the other cached, with no upstream call', async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    const first = await countCalls(context.sandbox, () => gql(a, DASHBOARD_QUERY));
    expect(first.total).toBe(2);
    const second = await countCalls(context.sandbox, () => gql(b, DASHBOARD_QUERY));
    expect(second.total).toBe(0);
    expect(second.result.body.data).toEqual(first.result.body.data);
  });

  it('never serves another principal what one cached, on either replica', async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    await gql(a, NAME, { id: ACCOUNT });
    const other = await countCalls(context.sandbox, () => gql(b, NAME, { id: ACCOUNT }, { authorization: `Basic ${DEMO_CREDENTIALS.otherApiKey}` }));
    expect(other.total).toBe(1);
    expect(other.result.body.data?.account).toBeNull();
    expect(other.result.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('drops, on every replica, what a mutation on one replica changed', async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    await gql(a, NAME, { id: ACCOUNT });
    expect((await countCalls(context.sandbox, () => gql(b, NAME, { id: ACCOUNT }))).total).toBe(0);
    const renamed = await gql(b, RENAME, { id: ACCOUNT, name: 'Merchant ABC Shared' });
    expect(renamed.body.data.updateAccount.account.name).toBe('Merchant ABC Shared');
    const after = await countCalls(context.sandbox, () => gql(a, NAME, { id: ACCOUNT }));
    expect(after.total).toBe(1);
    expect(after.result.body.data.account.name).toBe('Merchant ABC Shared');
  });

  it('drops what a Klarna webhook received by one replica names', async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    await gql(a, NAME, { id: ACCOUNT });
    expect((await countCalls(context.sandbox, () => gql(b, NAME, { id: ACCOUNT }))).total).toBe(0);
    expect((await sendWebhook(ingressUrl(b), productEvent())).status).toBe(202);
    // Dropped before the webhook was acknowledged: the very next query reads afresh.
    expect((await countCalls(context.sandbox, () => gql(a, NAME, { id: ACCOUNT }))).total).toBe(1);
  });

  it('keeps nothing in Redis without an expiry, and no credentials in keys or values', async () => {
    await gql(replicas[0]!, DASHBOARD_QUERY);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}response-cache:*`, 'COUNT', 500);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    expect(keys.some((key) => key.includes(':response:'))).toBe(true);
    expect(keys.some((key) => key.includes(':entity:Account:'))).toBe(true);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(3_600_000);
      expect(key).not.toContain(DEMO_CREDENTIALS.apiKey);
      const value = (await redis.type(key)) === 'string' ? await redis.get(key) : (await redis.smembers(key)).join(',');
      expect(value).not.toContain(DEMO_CREDENTIALS.apiKey);
    }
  });
});

describe.skipIf(!available)('response cache when Redis does not answer', () => {
  it('serves a miss, counts it as an error, and never fails the operation', async () => {
    // A port nobody listens on: every command fails (no offline queue, so at once).
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const lookups: string[] = [];
    const cache = createResponseCache({ schema: buildSchema(), ttlMs: 60_000, redis: { client: dead, prefix: 'dead:' }, onLookup: (result) => lookups.push(result) });
    await expect(Promise.resolve(cache.cache.get('some-key'))).resolves.toBeUndefined();
    await expect(Promise.resolve(cache.cache.set('some-key', { data: { a: 1 } }, [{ typename: 'Account', id: 'x' }], 1_000))).resolves.toBeUndefined();
    // An event's invalidation that failed is said so (its webhook is then not acknowledged).
    await expect(cache.invalidateAccount(ACCOUNT)).rejects.toThrow();
    expect(lookups).toEqual(['error']);

    // The store itself reports the failure; it is the cache around it that turns it into a miss.
    const store = createRedisResponseStore(dead, { prefix: 'dead:', indexTtlMs: 1_000 });
    await expect(Promise.resolve(store.get('some-key'))).rejects.toThrow();
    dead.disconnect();
  });
});
