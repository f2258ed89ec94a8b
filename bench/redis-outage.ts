/**
 * Part of `npm run bench -- faults`: the Dashboard's latency while Redis is away (issue #13).
 *
 * The gateway (its own process) reaches Redis through a TCP relay in this process, with every hot-path
 * use of Redis on: the rate limit, the failed-auth guard and the response cache (TTL 1 ms, so each query
 * reads and writes it and none is served from it). Dashboards one after another: p50/p99 with Redis
 * answering, then with the relay gone silent (connections kept open, nothing passed on: a paused or
 * cut-off Redis, the worst case, as nothing tells the client), then with the relay's connections cut
 * and new ones refused (the connection is known lost). Skipped when no Redis answers at REDIS_URL.
 */
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { request } from 'undici';
import { DASHBOARD_QUERY } from '../src/examples.ts';
import { DEMO_CREDENTIALS } from '../src/sandbox/seed/index.ts';
import { REDIS_URL, redisAnswers } from './fanout-stats.ts';
import { printTable, startProcess, stopProcess } from './utils.ts';


const HEADERS = { 'content-type': 'application/json', accept: 'application/json', authorization: `Basic ${DEMO_CREDENTIALS.apiKey}` };

/** A relay to Redis that can go silent (pass nothing, keep connections) or be cut (close them, refuse new ones). */
async function relay() {
  const target = new URL(REDIS_URL);
  let silent = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => void (silent || upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => void (silent || client.write(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    silence: () => void (silent = true),
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** CPU time (user + system) process `pid` has used so far, in ms (Linux `/proc`, 100 ticks a second). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** `count` Dashboards one after another: latency percentiles, failures, and the gateway's CPU per Dashboard (less noisy than latency on a shared machine). */
async function dashboards(url: string, count: number, pid: number) {
  const samples: number[] = [];
  let failed = 0;
  const cpuBefore = cpuMs(pid);
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const response = await request(url, { method: 'POST', headers: HEADERS, body: JSON.stringify({ query: DASHBOARD_QUERY }) });
    const answer = (await response.body.json()) as { data?: { account?: unknown }; errors?: unknown[] };
    samples.push(performance.now() - started);
    if (response.statusCode !== 200 || answer.errors?.length || !answer.data?.account) failed += 1;
  }
  const cpuPerDashboard = Math.round(((cpuMs(pid) - cpuBefore) / count) * 100) / 100;
  samples.sort((a, b) => a - b);
  const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]! * 10) / 10;
  return { dashboards: count, 'p50 (ms)': at(0.5), 'p99 (ms)': at(0.99), 'gateway CPU ms/Dashboard': cpuPerDashboard, failed };
}

export async function benchRedisOutage({ queries = 200 }: { queries?: number } = {}) {
  if (!(await redisAnswers())) {
    console.log(`\nRedis outage: skipped (no Redis at ${REDIS_URL}).`);
    return [];
  }
  const redisRelay = await relay();
  const started: Awaited<ReturnType<typeof startProcess>>[] = [];
  try {
    const sandbox = await startProcess('src/sandbox/cli.ts', { SANDBOX_PORT: '0' }, /listening on (http:\/\/\S+)\s/);
    started.push(sandbox);
    const gateway = await startProcess(
      'src/main.ts',
      {
        NODE_ENV: 'production',
        PORT: '0',
        LOG_LEVEL: 'warn',
        KLARNA_MANAGEMENT_URL: sandbox.url,
        KLARNA_CARD_SERVICE_URL: sandbox.url,
        REDIS_URL: redisRelay.url,
        REDIS_KEY_PREFIX: `bench-redis-outage:${process.pid}:`,
        RATE_LIMIT_PER_MINUTE: '1000000',
        AUTH_FAILURES_PER_MINUTE: '1000',
        RESPONSE_CACHE_TTL_MS: '1',
        GRAPHIQL: 'false',
      },
      /Klarna Partner Gateway: (http:\/\/\S+\/graphql)/,
    );
    started.push(gateway);
    const pid = gateway.child.pid!;
    await dashboards(gateway.url, 20, pid); // warm-up
    const rows = [{ redis: 'answering', ...(await dashboards(gateway.url, queries, pid)) }];
    redisRelay.silence();
    rows.push({ redis: 'silent (paused, cut off)', ...(await dashboards(gateway.url, queries, pid)) });
    await redisRelay.cut();
    rows.push({ redis: 'connections closed, refused', ...(await dashboards(gateway.url, queries, pid)) });
    printTable('Dashboard one at a time while Redis is away (rate limit, failed-auth guard and response cache on; aim: p50 within 2× of answering)', rows);
    return rows;
  } finally {
    for (const { child } of started.reverse()) await stopProcess(child);
    await redisRelay.cut().catch(() => undefined);
  }
}
