/**
 * Fan-out of live events: the sandbox and the gateway each in their own process, 1,000 graphql-ws
 * subscribers (one connection each, in this process) of `paymentProductStateChanged` on one account,
 * and 100 signed webhooks POSTed to the gateway's ingress, 10 ms apart (a burst: 100,000 deliveries a
 * second asked for) and then 100 ms apart. Reports the delivery latency (webhook sent → event received
 * by a subscriber, over all 100,000 deliveries), the gateway's CPU use, and its memory (`/metrics`: RSS
 * and V8 heap used) before the subscribers connect, with them connected, and after the webhooks. Runs in process, and through Redis when one answers at REDIS_URL (default
 * 127.0.0.1:6379). The subscription selects only event fields: this measures the fan-out, not reads.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { DEMO_CREDENTIALS } from '../src/sandbox/seed/index.ts';
import { signWebhookBody } from '../src/sandbox/webhooks.ts';
import { fetchJson, printTable, startProcess, stopProcess } from './utils.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const PRODUCT = 'krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918';
const KEY_ID = 'bench';
const KEY = randomUUID();
const QUERY = `subscription { paymentProductStateChanged(accountId: "${ACCOUNT}") { id klarnaEventId } }`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function webhook(eventId: string) {
  return {
    metadata: {
      event_id: eventId,
      event_type: 'partner.account.product.payment.state-change.disabled',
      event_version: 'v2',
      occurred_at: new Date().toISOString(),
      subject_account_id: ACCOUNT,
      recipient_account_id: DEMO_CREDENTIALS.principalId,
      product_instance_id: PRODUCT,
      webhook_id: 'krn:partner:global:notification:webhook:bench',
      live: false,
    },
    payload: { partner_account_id: ACCOUNT, product_id: PRODUCT, state: 'DISABLED', state_reason: 'FRAUD_BY_PARTNER' },
  };
}

/** POSTs one signed event (`fetchJson` sends `JSON.stringify(body)`: the bytes signed here). */
async function send(ingress: string, eventId: string): Promise<void> {
  const body = webhook(eventId);
  await fetchJson(ingress, 'POST', body, { 'klarna-signature': signWebhookBody(JSON.stringify(body), KEY), 'klarna-signing-key-id': KEY_ID });
}

/** The gateway's memory and CPU time so far, from its Prometheus endpoint. */
async function gatewayStats(gatewayUrl: string): Promise<{ rssMb: number; heapMb: number; cpuSeconds: number }> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const mb = (name: string) => Math.round(value(name) / 1024 / 1024);
  return { rssMb: mb('process_resident_memory_bytes'), heapMb: mb('nodejs_heap_size_used_bytes'), cpuSeconds: value('process_cpu_seconds_total') };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Sends `webhooks` events `spacingMs` apart and waits for every subscriber to receive every one. */
async function measure(gatewayUrl: string, subscribers: number, webhooks: number, spacingMs: number, sentAt: Map<string, number>, latencies: number[]) {
  latencies.length = 0;
  const cpuBefore = (await gatewayStats(gatewayUrl)).cpuSeconds;
  const started = performance.now();
  for (let index = 0; index < webhooks; index += 1) {
    const eventId = randomUUID();
    sentAt.set(eventId, performance.now());
    await send(`${gatewayUrl}/webhooks/klarna`, eventId);
    await sleep(spacingMs);
  }
  const deadline = performance.now() + 60_000;
  while (latencies.length < subscribers * webhooks && performance.now() < deadline) await sleep(5);
  const seconds = (performance.now() - started) / 1000;
  const stats = await gatewayStats(gatewayUrl);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    deliveries: `${latencies.length}/${subscribers * webhooks}`,
    'deliveries/s': Math.round(latencies.length / seconds),
    'p50 ms': Number(percentile(sorted, 50).toFixed(1)),
    'p99 ms': Number(percentile(sorted, 99).toFixed(1)),
    'max ms': Number((sorted[sorted.length - 1] ?? NaN).toFixed(1)),
    'gateway CPU %': Math.round(((stats.cpuSeconds - cpuBefore) / seconds) * 100),
    stats,
  };
}

/** Removes what a Redis run wrote (the stream and the remembered event ids). */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function run(mode: 'memory' | 'redis', sandboxUrl: string, subscribers: number, webhooks: number, spacingsMs: number[]) {
  const prefix = `bench:${randomUUID().slice(0, 8)}:`;
  const env: Record<string, string> = {
    PORT: '0',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
    KLARNA_MANAGEMENT_URL: sandboxUrl,
    KLARNA_CARD_SERVICE_URL: sandboxUrl,
    KLARNA_API_KEY: DEMO_CREDENTIALS.apiKey,
    WEBHOOK_SIGNING_KEYS: JSON.stringify({ [KEY_ID]: KEY }),
    ...(mode === 'redis' ? { REDIS_URL, REDIS_KEY_PREFIX: prefix } : {}),
  };
  const gateway = await startProcess('src/main.ts', env, /Klarna Partner Gateway: (http:\/\/\S+)\/graphql/);
  const clients: Client[] = [];
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const warmedUp = new Set<number>();
  try {
    await sleep(500);
    const before = await gatewayStats(gateway.url);
    for (let index = 0; index < subscribers; index += 1) {
      const client = createClient({ url: `${gateway.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
      clients.push(client);
      client.subscribe(
        { query: QUERY },
        {
          next: (result) => {
            const { klarnaEventId } = (result.data as { paymentProductStateChanged: { klarnaEventId: string } }).paymentProductStateChanged;
            const sent = sentAt.get(klarnaEventId);
            if (sent === undefined) warmedUp.add(index);
            else latencies.push(performance.now() - sent);
          },
          error: (error) => console.error(`subscriber ${index}:`, error),
          complete: () => undefined,
        },
      );
      if (index % 50 === 49) await sleep(20); // do not open a thousand sockets in the same tick
    }
    // Warm-up events until every subscriber has received one: all subscriptions are open.
    for (let attempt = 0; warmedUp.size < subscribers; attempt += 1) {
      if (attempt > 300) throw new Error(`only ${warmedUp.size} of ${subscribers} subscriptions opened`);
      await send(`${gateway.url}/webhooks/klarna`, `warm-up-${randomUUID()}`);
      await sleep(100);
    }
    await sleep(500);
    const connected = await gatewayStats(gateway.url);
    const rows = [];
    for (const spacingMs of spacingsMs) {
      const { stats: after, ...numbers } = await measure(gateway.url, subscribers, webhooks, spacingMs, sentAt, latencies);
      rows.push({
        mode,
        'webhooks apart': `${spacingMs} ms`,
        ...numbers,
        'RSS MB before/connected/after': `${before.rssMb}/${connected.rssMb}/${after.rssMb}`,
        'heap MB before/connected/after': `${before.heapMb}/${connected.heapMb}/${after.heapMb}`,
      });
    }
    return rows;
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await stopProcess(gateway.child);
    if (mode === 'redis') await deleteKeys(prefix);
  }
}

export async function benchFanout({ subscribers = 1_000, webhooks = 100, spacingsMs = [10, 100] } = {}) {
  const sandbox = await startProcess('src/sandbox/cli.ts', { SANDBOX_PORT: '0' }, /listening on (http:\/\/\S+)\s/);
  const rows = [];
  try {
    rows.push(...(await run('memory', sandbox.url, subscribers, webhooks, spacingsMs)));
    if (await redisAnswers()) rows.push(...(await run('redis', sandbox.url, subscribers, webhooks, spacingsMs)));
    else console.log(`\n  NOTICE: no Redis at ${REDIS_URL}: the Redis fan-out row is left out.`);
  } finally {
    await stopProcess(sandbox.child);
  }
  printTable(`Fan-out: ${subscribers} graphql-ws subscribers, ${webhooks} webhooks per row (gateway in its own process)`, rows);
  return rows;
}
