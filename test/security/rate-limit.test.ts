/** Per-principal rate limits: in process, one bucket per credential however it is spelt, and shared by two replicas through Redis. */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';
import { connectRedis, deleteKeys, redisAvailable, redisKeyPrefix, REDIS_URL } from '../utils/redis.ts';
import { useSandbox } from '../utils/sandbox.ts';

const QUERY = '{ account(id: "krn:partner:global:account:live:LWT2XJSE") { name } }';

/** Fixed one-minute windows: start a test well inside one, so its requests share a window. */
async function insideOneWindow(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
}

describe('rate limit (in process)', () => {
  const context = useGateway({ env: { RATE_LIMIT_PER_MINUTE: '3' } });

  it('refuses the fourth operation of a minute with RATE_LIMITED and retryAfter, without an upstream call', async () => {
    await insideOneWindow();
    for (let i = 0; i < 3; i += 1) expect((await gql(context.gateway, QUERY)).body.data?.account?.name).toBe('Merchant ABC US');
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, QUERY));
    expect(total).toBe(0);
    const error = result.body.errors?.[0];
    expect(error?.extensions?.code).toBe('RATE_LIMITED');
    expect(error?.extensions?.retryAfter).toBeGreaterThan(0);
    expect(error?.extensions?.retryAfter).toBeLessThanOrEqual(60);

    // Another principal has its own budget.
    const other = await gql(context.gateway, '{ paymentProfiles { id } }', {}, { authorization: `Basic ${DEMO_CREDENTIALS.otherApiKey}` });
    expect(other.body.errors).toBeUndefined();
  });
});

describe('rate limit buckets', () => {
  const context = useGateway({ env: { RATE_LIMIT_PER_MINUTE: '3' }, passthroughOnly: true });

  it('puts one credential in one bucket however its Authorization is spelt (scheme case, spaces, tabs)', async () => {
    await insideOneWindow();
    const key = DEMO_CREDENTIALS.apiKey;
    const spellings = [`Basic ${key}`, `basic ${key}`, `BASIC ${key}`, `Basic  ${key}`, `Basic\t${key}`, ` bAsIc ${key} `];
    const answers = [];
    for (const authorization of spellings) answers.push(await countCalls(context.sandbox, () => gql(context.gateway, QUERY, {}, { authorization })));
    expect(answers.slice(0, 3).map(({ result }) => result.body.data?.account?.name)).toEqual(['Merchant ABC US', 'Merchant ABC US', 'Merchant ABC US']);
    for (const { result, total } of answers.slice(3)) {
      expect(result.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(total).toBe(0);
    }
  });
});

const available = await redisAvailable();

describe.skipIf(!available)('rate limit (two replicas sharing Redis)', () => {
  const context = useSandbox({ accounts: 1 });
  const prefix = redisKeyPrefix(fileURLToPath(import.meta.url));
  const replicas: RunningGateway[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i += 1) {
      const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', REDIS_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: '3' });
      replicas.push(
        await startGateway(config, { managementUrl: context.sandbox.url, cardServiceUrl: context.sandbox.url, serverAuthorization: `Basic ${DEMO_CREDENTIALS.apiKey}` }, { logger: createLogger({ level: 'silent' }) }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    const redis = connectRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('holds one principal to one limit across replicas', async () => {
    await insideOneWindow();
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    expect((await gql(a, QUERY)).body.errors).toBeUndefined();
    expect((await gql(a, QUERY)).body.errors).toBeUndefined();
    expect((await gql(b, QUERY)).body.errors).toBeUndefined();
    expect((await gql(b, QUERY)).body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await gql(a, QUERY)).body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});
