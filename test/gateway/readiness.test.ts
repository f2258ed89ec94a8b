/** `/ready` (can this replica serve now?) against `/health` (is the process alive?). */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { gql } from '../utils/gateway.ts';
import { connectRedis, deleteKeys, REDIS_URL, redisAvailable, redisKeyPrefix } from '../utils/redis.ts';
import { admin } from '../utils/sandbox.ts';

async function get(url: string) {
  const response = await request(url);
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

/** A sandbox and a gateway of this file's own: the tests stop the sandbox, which `useGateway` would not expect. */
async function start(env: Record<string, string> = {}) {
  const sandbox = await startSandbox({ accounts: 5 });
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', READINESS_CACHE_MS: '0', ...env });
  const gateway = await startGateway(
    config,
    { managementUrl: sandbox.url, cardServiceUrl: sandbox.url, serverAuthorization: `Basic ${sandbox.credentials.apiKey}` },
    { logger: createLogger({ level: 'silent' }) },
  );
  return { sandbox, gateway };
}

describe('readiness', () => {
  let sandbox: Sandbox;
  let gateway: RunningGateway;
  beforeAll(async () => {
    // Unready as soon as every breaker of an API is open (READINESS_BREAKER_OPEN_MS=0); the default's grace is tested below.
    ({ sandbox, gateway } = await start({ UPSTREAM_BREAKER_MIN_CALLS: '2', UPSTREAM_MAX_ATTEMPTS: '1', UPSTREAM_BREAKER_OPEN_MS: '60000', READINESS_BREAKER_OPEN_MS: '0' }));
  });
  let sandboxStopped = false;
  afterAll(async () => {
    await gateway.close();
    if (!sandboxStopped) await sandbox.close();
  });

  it('answers 200 with every check passing while Klarna is reachable', async () => {
    const response = await get(`${gateway.url}/ready`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ready',
      checks: { 'Partner Management API': { ok: true }, 'Merchant Card Service': { ok: true } },
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers 503 naming the upstream whose every circuit breaker is open, though its origin answers', async () => {
    await admin(sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 503: 1 }, times: 2 });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await gql(gateway, '{ account(id: "krn:partner:global:account:live:LWT2XJSE") { name } }');
    }
    expect(gateway.upstreams.pm.breakerState()).toBe('open');
    const response = await get(`${gateway.url}/ready`);
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      status: 'not_ready',
      notReady: ['Partner Management API'],
      checks: { 'Partner Management API': { ok: false, detail: 'circuit breaker open for 0 s' }, 'Merchant Card Service': { ok: true } },
    });
  });

  it('answers 503 naming both upstreams once the sandbox is stopped, while /health still answers 200', async () => {
    await sandbox.close();
    sandboxStopped = true;
    const response = await get(`${gateway.url}/ready`);
    expect(response.status).toBe(503);
    expect(response.body?.status).toBe('not_ready');
    expect(response.body?.notReady).toEqual(['Partner Management API', 'Merchant Card Service']);
    expect(response.body?.checks['Merchant Card Service']).toEqual({ ok: false, detail: expect.stringMatching(/^unreachable \(/) });
    const health = await request(`${gateway.url}/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  });
});

describe('readiness and short breaker openings', () => {
  it('stays ready while the breakers have been open for less than READINESS_BREAKER_OPEN_MS (default 30 s): replicas facing one Klarna do not all leave together', async () => {
    const { sandbox, gateway } = await start({ UPSTREAM_BREAKER_MIN_CALLS: '2', UPSTREAM_MAX_ATTEMPTS: '1', UPSTREAM_BREAKER_OPEN_MS: '60000' });
    try {
      await admin(sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 503: 1 }, times: 2 });
      for (let attempt = 0; attempt < 2; attempt += 1) await gql(gateway, '{ account(id: "krn:partner:global:account:live:LWT2XJSE") { name } }');
      expect(gateway.upstreams.pm.breakerState()).toBe('open');
      const response = await get(`${gateway.url}/ready`);
      expect(response.status).toBe(200);
      expect(response.body?.checks['Partner Management API']).toEqual({ ok: true });
    } finally {
      await gateway.close();
      await sandbox.close();
    }
  });
});

describe('readiness probe cache', () => {
  it('reuses one round of probes for READINESS_CACHE_MS, so a stopped sandbox shows only once it expires', async () => {
    const { sandbox, gateway } = await start({ READINESS_CACHE_MS: '5000' });
    try {
      expect((await get(`${gateway.url}/ready`)).status).toBe(200);
      await sandbox.close();
      expect((await get(`${gateway.url}/ready`)).status).toBe(200);
      await expect.poll(async () => (await get(`${gateway.url}/ready`)).status, { timeout: 30_000, interval: 250 }).toBe(503);
    } finally {
      await gateway.close();
    }
  });
});

const withRedis = await redisAvailable();

/** A TCP relay to Redis that can be cut: the gateway's connections through it drop, and reconnects are refused. */
async function redisRelay() {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** Accepts connections again, on the same port. */
    restore: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

describe.skipIf(!withRedis)('readiness with Redis', () => {
  const prefix = redisKeyPrefix(import.meta.filename);
  let sandbox: Sandbox;
  let gateway: RunningGateway;
  let relay: Awaited<ReturnType<typeof redisRelay>>;
  beforeAll(async () => {
    relay = await redisRelay();
    ({ sandbox, gateway } = await start({ REDIS_URL: relay.url, REDIS_KEY_PREFIX: prefix }));
  });
  afterAll(async () => {
    await gateway.close();
    await sandbox.close();
    const redis = connectRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('includes Redis among the checks when REDIS_URL is set', async () => {
    const response = await get(`${gateway.url}/ready`);
    expect(response.status).toBe(200);
    expect(response.body?.checks.redis).toEqual({ ok: true });
  });

  it('stays ready, naming redis as degraded, once the gateway loses its Redis connections (queries are still answered without it)', async () => {
    await relay.cut();
    await expect.poll(async () => (await get(`${gateway.url}/ready`)).body, { timeout: 3_000 }).toEqual({
      status: 'ready',
      degraded: ['redis'],
      checks: { 'Partner Management API': { ok: true }, 'Merchant Card Service': { ok: true }, redis: { ok: false, detail: 'not connected' } },
    });
    await relay.restore();
    await expect.poll(async () => (await get(`${gateway.url}/ready`)).body?.checks.redis, { timeout: 5_000 }).toEqual({ ok: true });
  });
});
