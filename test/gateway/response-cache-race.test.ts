/**
 * The shared response cache never stores the past. Three replicas on one Redis: a query on the first
 * reads the account from Klarna, then is held (its other field's Klarna call waits at a sandbox gate)
 * while `updateAccount` runs on the second and drops what it changed; released, the query answers the
 * name it read, but must not store it: the third replica then reads the new name. And an event whose
 * invalidation failed is not acknowledged (503), so Klarna delivers it again. Gates and counters only.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { ingressUrl, productEvent, sendWebhook, WEBHOOK_ENV } from '../utils/events.ts';
import { countCalls, gql } from '../utils/gateway.ts';
import { connectRedis, deleteKeys, redisAvailable, redisKeyPrefix, REDIS_URL } from '../utils/redis.ts';
import { admin, useSandbox } from '../utils/sandbox.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const SETTLEMENT = 'krn:partner:eu1:settlement:live:113574395';
const RACE = `query($id: ID!, $settlement: ID!) { account(id: $id) { id name } settlement(id: $settlement) { id } }`;
const NAME = `query($id: ID!) { account(id: $id) { id name reference } }`;
const RENAME = `mutation($id: ID!, $name: String!) { updateAccount(input: { accountId: $id, name: $name }) { __typename ... on UpdateAccountPayload { account { id name } } } }`;

const available = await redisAvailable();

/** Polls the sandbox (a count, not a time) until `done` holds; fails after `tries`. */
async function until(done: () => Promise<boolean>, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i += 1) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

describe.skipIf(!available)('the shared response cache never stores an answer from before an invalidation', () => {
  const context = useSandbox({ accounts: 1 });
  const prefix = redisKeyPrefix(fileURLToPath(import.meta.url));
  const replicas: RunningGateway[] = [];
  const redis = connectRedis();

  beforeAll(async () => {
    for (let i = 0; i < 3; i += 1) {
      const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', REDIS_URL, REDIS_KEY_PREFIX: prefix, RESPONSE_CACHE_TTL_MS: '60000', RATE_LIMIT_PER_MINUTE: '0', ...WEBHOOK_ENV });
      replicas.push(
        await startGateway(config, { managementUrl: context.sandbox.url, cardServiceUrl: context.sandbox.url, serverAuthorization: `Basic ${DEMO_CREDENTIALS.apiKey}` }, { logger: createLogger({ level: 'silent' }) }),
      );
    }
  });
  afterAll(async () => {
    await admin(context.sandbox, 'DELETE', '/faults');
    await Promise.all(replicas.map((replica) => replica.close()));
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('a query that read Klarna before updateAccount and finished after its invalidation is not stored: a third replica reads the new name', async () => {
    const [a, b, c] = replicas as [RunningGateway, RunningGateway, RunningGateway];
    const variables = { id: ACCOUNT, settlement: SETTLEMENT };
    expect((await gql(b, RENAME, { id: ACCOUNT, name: 'Race Before' })).body.data.updateAccount.account.name).toBe('Race Before');

    // The query reads the account, while its settlement read waits at the gate.
    await admin(context.sandbox, 'DELETE', '/counters');
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getSettlement', hold: true });
    const held = gql(a, RACE, variables);
    await until(async () => (await admin<{ waiting: number }>(context.sandbox, 'GET', '/faults/waiting')).waiting === 1, 'the settlement read waits at the gate');
    await until(async () => {
      const counters = await admin<{ byOperation: Record<string, { total: number }> }>(context.sandbox, 'GET', '/counters');
      return (counters.byOperation.getAccount?.total ?? 0) >= 1;
    }, 'Klarna answered the account read');

    // The change, and its invalidation, on another replica while the query is still under way.
    expect((await gql(b, RENAME, { id: ACCOUNT, name: 'Race After' })).body.data.updateAccount.account.name).toBe('Race After');
    await admin(context.sandbox, 'POST', '/faults/release');
    const old = await held;
    expect(old.body.errors).toBeUndefined();
    expect(old.body.data.account.name, 'the query read Klarna before the change').toBe('Race Before');
    await admin(context.sandbox, 'DELETE', '/faults');
    // The first replica's next Redis command follows the query's store on the same connection: once
    // this answers, whatever the query stored is in Redis.
    await gql(a, NAME, { id: ACCOUNT });

    const third = await gql(c, RACE, variables);
    expect(third.body.data.account.name, 'the third replica serves the name as Klarna has it now').toBe('Race After');
    // And the fresh answer is cached as usual: the first replica serves it with no Klarna call.
    const again = await countCalls(context.sandbox, () => gql(a, RACE, variables));
    expect(again.total).toBe(0);
    expect(again.result.body.data.account.name).toBe('Race After');
  });

  it('does not acknowledge an event whose invalidation failed (503, no event), and accepts its redelivery once the cache can drop', async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    await gql(a, NAME, { id: ACCOUNT });
    expect((await countCalls(context.sandbox, () => gql(b, NAME, { id: ACCOUNT }))).total).toBe(0);
    // Break the account's index in Redis (a string where a set belongs): its invalidation fails.
    const indexes: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}response-cache:entity:Account:*`, 'COUNT', 500);
      cursor = next;
      indexes.push(...keys);
    } while (cursor !== '0');
    expect(indexes.length).toBeGreaterThan(0);
    const members = new Map(await Promise.all(indexes.map(async (key) => [key, await redis.smembers(key)] as const)));
    for (const key of indexes) await redis.set(key, 'broken', 'PX', 60_000);

    const event = productEvent();
    const refused = await sendWebhook(ingressUrl(b), event);
    expect(refused.status, 'not acknowledged: Klarna delivers it again').toBe(503);

    // Repaired, Klarna's redelivery is accepted (it was not remembered), and drops the answer.
    for (const [key, keys] of members) {
      await redis.del(key);
      if (keys.length) await redis.sadd(key, ...keys);
    }
    expect((await sendWebhook(ingressUrl(b), event)).status).toBe(202);
    expect((await countCalls(context.sandbox, () => gql(a, NAME, { id: ACCOUNT }))).total).toBe(1);
  });
});
