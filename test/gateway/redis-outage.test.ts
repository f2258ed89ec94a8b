/**
 * Redis going away mid-run (issue #13): queries must not wait on it. The gateway reaches Redis through
 * a TCP relay of this file's own (the machine's Redis is never touched) that can go silent: it keeps
 * the connections open but passes nothing on, as a paused or cut-off Redis does. Counted, not timed:
 * the commands the gateway's hot-path connection (`CLIENT SETNAME hot-path`) still sends while Redis
 * is known down.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedisCircuit, RedisSkippedError } from '../../src/plugins/redis-circuit.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { gql, metricSample, scrapeMetrics } from '../utils/gateway.ts';
import { connectRedis, deleteKeys, REDIS_URL, redisAvailable, redisKeyPrefix } from '../utils/redis.ts';

/** A relay to Redis that can go silent; it counts the commands (RESP arrays) each hot-path connection sends. */
async function silentableRelay() {
  const target = new URL(REDIS_URL);
  let silent = false;
  let hotPathCommands = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    let hotPath = false;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (text.includes('hot-path')) hotPath = true;
      if (hotPath) hotPathCommands += (text.match(/(?:^|\r\n)\*\d+\r\n\$/g) ?? []).length;
      if (!silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!silent) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    /** Commands sent by hot-path connections so far (passed on or not). */
    hotPathCommands: () => hotPathCommands,
    silence: () => void (silent = true),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

const withRedis = await redisAvailable();
const NAME_QUERY = `query($id: ID!) { account(id: $id) { name } }`;
const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';

describe.skipIf(!withRedis)('a Redis that goes silent mid-run', () => {
  const prefix = redisKeyPrefix(import.meta.filename);
  let sandbox: Sandbox;
  let gateway: RunningGateway;
  let relay: Awaited<ReturnType<typeof silentableRelay>>;
  beforeAll(async () => {
    relay = await silentableRelay();
    sandbox = await startSandbox({ accounts: 5 });
    // Every hot-path use of Redis on: the rate limit, the failed-auth guard and the response cache.
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      REDIS_URL: relay.url,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_FAILURES_PER_MINUTE: '1000',
      RESPONSE_CACHE_TTL_MS: '60000',
    });
    gateway = await startGateway(
      config,
      { managementUrl: sandbox.url, cardServiceUrl: sandbox.url, serverAuthorization: `Basic ${sandbox.credentials.apiKey}` },
      { logger: createLogger({ level: 'silent' }) },
    );
  });
  afterAll(async () => {
    await relay.close(); // first: the gateway's connections close at once rather than wait on a silent Redis
    await gateway.close();
    await sandbox.close();
    const redis = connectRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('stops sending the hot path\'s commands once one has timed out, and every query is still answered', async () => {
    // Redis answering: every query asks it (rate limit, guard, cache).
    const answering = relay.hotPathCommands();
    expect((await gql(gateway, NAME_QUERY, { id: ACCOUNT })).body.data?.account?.name).toBe('Merchant ABC US');
    expect(relay.hotPathCommands()).toBeGreaterThan(answering);
    const redisCircuit = async () => {
      const metrics = await scrapeMetrics(gateway);
      return { open: metricSample(metrics, 'redis_circuit_open'), opens: metricSample(metrics, 'redis_circuit_opens_total') };
    };
    expect(await redisCircuit()).toEqual({ open: 0, opens: 0 });

    relay.silence();
    // The first query after Redis went silent waits for its commands to time out: that is how it is learnt.
    expect((await gql(gateway, NAME_QUERY, { id: ACCOUNT })).body.data?.account?.name).toBe('Merchant ABC US');

    const before = relay.hotPathCommands();
    for (let i = 0; i < 10; i += 1) {
      const result = await gql(gateway, NAME_QUERY, { id: ACCOUNT });
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data?.account?.name).toBe('Merchant ABC US');
    }
    // Ten queries, each of which would send at least 5 commands (MULTI INCR PEXPIRE EXEC, a GET per
    // guard and cache): none of theirs goes out, only a PING a second to learn when Redis is back.
    expect(relay.hotPathCommands() - before).toBeLessThan(5);
    // On /metrics: the circuit open, opened once.
    expect(await redisCircuit()).toEqual({ open: 1, opens: 1 });
  });
});

describe('the Redis circuit alone (a fake connection and clock)', () => {
  function setup() {
    const clock = { ms: 0 };
    /** The background probes (PING): each waits until the test settles it. */
    const pings: { resolve: () => void; reject: (error: Error) => void }[] = [];
    const ping = () => new Promise<void>((resolve, reject) => pings.push({ resolve, reject }));
    const connection = Object.assign(new EventEmitter(), { status: 'ready', ping });
    const circuit = createRedisCircuit(connection as never, { openMs: 1_000, now: () => clock.ms });
    let sent = 0;
    const ok = () => circuit.run(async () => (sent += 1));
    const timeout = () => circuit.run(async () => {
      sent += 1;
      throw new Error('Command timed out');
    });
    return { clock, connection, circuit, ok, timeout, sent: () => sent, pings };
  }
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  it('skips every command from a lost connection until it is ready again, without sending any', async () => {
    const { connection, circuit, ok, sent } = setup();
    connection.emit('close');
    await expect(ok()).rejects.toBeInstanceOf(RedisSkippedError);
    await expect(ok()).rejects.toBeInstanceOf(RedisSkippedError);
    expect(sent()).toBe(0);
    expect(circuit.stats.skipped).toBe(2);
    connection.emit('ready');
    await ok();
    expect(sent()).toBe(1);
  });

  it('after a timeout, skips every command; after openMs a skipped one starts one PING in the background, whose answer closes the circuit', async () => {
    const { clock, circuit, ok, timeout, sent, pings } = setup();
    await expect(timeout()).rejects.toThrow('timed out');
    await expect(ok()).rejects.toBeInstanceOf(RedisSkippedError);
    expect(pings).toHaveLength(0);
    clock.ms += 1_000;
    await expect(ok()).rejects.toBeInstanceOf(RedisSkippedError); // skipped, not held: the probe is not its command
    await expect(ok()).rejects.toBeInstanceOf(RedisSkippedError);
    expect(pings).toHaveLength(1); // one probe at a time
    pings[0]!.resolve();
    await settled();
    await ok();
    expect(sent()).toBe(2);
    expect(circuit.open).toBe(false);
  });

  it('stays open another openMs when the probe fails', async () => {
    const { clock, timeout, ok, pings } = setup();
    await expect(timeout()).rejects.toThrow();
    clock.ms += 1_000;
    await expect(ok()).rejects.toBeInstanceOf(RedisSkippedError);
    pings[0]!.reject(new Error('Command timed out'));
    await settled();
    clock.ms += 999;
    await expect(ok()).rejects.toBeInstanceOf(RedisSkippedError);
    expect(pings).toHaveLength(1);
    clock.ms += 1;
    await expect(ok()).rejects.toBeInstanceOf(RedisSkippedError);
    expect(pings).toHaveLength(2);
    pings[1]!.resolve();
    await settled();
    await ok();
  });
});
