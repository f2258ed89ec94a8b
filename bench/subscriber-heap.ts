/**
 * What one idle subscriber costs, and what one event costs upstream, with the gateway in this process
 * (so its heap can be measured after a full GC) and the sandbox and the clients in child processes:
 *
 * 1. heap: connects `--subscribers` graphql-ws clients (one socket each) of `{ id klarnaEventId }` on one
 *    account, then reports `heapUsed` after `global.gc()` before and after, per subscriber; then sends
 *    `--events` webhooks (default 20, 100 ms apart), waits until every subscriber has them all, and
 *    reports the heap after GC again (what delivering left behind);
 * 2. reads: connects `--readers` clients of `{ id product { state } account { name state } }`, sends one
 *    signed webhook, waits until every one received it, and reports the Klarna calls the event cost
 *    (the sandbox's counters) and the calls the subscribes cost.
 *
 * Run: `node --expose-gc --import tsx bench/subscriber-heap.ts [--subscribers 2000] [--readers 200] [--events 20] [--dist [dir]] [--snapshots]`
 * (`--dist`: the gateway built by `npm run build` into `dir`, default `dist`, rather than src/ through tsx);
 * (`--snapshots`: writes a V8 heap snapshot before and after the idle subscribers connect, for a diff).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type * as ConfigModule from '../src/config.ts';
import type * as LoggerModule from '../src/logger.ts';
import { DEMO_CREDENTIALS } from '../src/sandbox/seed/index.ts';
import type * as ServerModule from '../src/server.ts';
import { signWebhookBody } from '../src/sandbox/webhooks.ts';
import { fetchJson, startProcess, stopProcess } from './utils.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const PRODUCT = 'krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918';
const IDLE = `subscription { paymentProductStateChanged(accountId: "${ACCOUNT}") { id klarnaEventId } }`;
const READS = `subscription { paymentProductStateChanged(accountId: "${ACCOUNT}") { id product { state } account { name state } } }`;
const KEY_ID = 'bench';
const KEY = randomUUID();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Child role: `clients <graphqlUrl> <count> <query>`: connects, prints `received <n>` as events arrive. */
async function clients(url: string, count: number, query: string): Promise<void> {
  let received = 0;
  for (let index = 0; index < count; index += 1) {
    const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
    client.subscribe({ query }, {
      next: (result) => {
        if (result.errors) console.error(JSON.stringify(result.errors));
        received += 1;
        if (received % count === 0) console.log(`received ${received}`);
      },
      error: (error) => console.error(error instanceof Error ? error.message : (error as { message?: string; code?: number }).message ?? (error as { code?: number }).code ?? 'closed'),
      complete: () => undefined,
    });
    if (index % 25 === 24) await sleep(50); // not a thousand sockets in one tick (a listen backlog overflows)
  }
  await new Promise(() => undefined);
}

function heapAfterGc(): number {
  for (let index = 0; index < 4; index += 1) global.gc!();
  return process.memoryUsage().heapUsed;
}

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'clients') return clients(process.argv[3]!, Number(process.argv[4]), process.argv[5]!);
  if (!global.gc) throw new Error('run with node --expose-gc');
  // The gateway from `dist/` (`npm run build`; or another build's directory) or from src/ through tsx.
  // tsx keeps function names by redefining them (`__name`), which costs ~250 bytes per closure made at
  // run time: a built gateway is what production runs, and what per-subscriber figures should describe.
  const distIndex = process.argv.indexOf('--dist');
  const dist = distIndex > 0 ? pathToFileURL(`${resolve(process.argv[distIndex + 1]?.startsWith('--') === false ? process.argv[distIndex + 1]! : 'dist')}/`).href : undefined;
  const from = (file: string) => (dist ? `${dist}${file}.js` : `../src/${file}.ts`);
  const { loadConfig } = (await import(from('config'))) as typeof ConfigModule;
  const { createLogger } = (await import(from('logger'))) as typeof LoggerModule;
  const { startGateway } = (await import(from('server'))) as typeof ServerModule;
  const subscribers = arg('subscribers', 2_000);
  const readers = arg('readers', 200);
  const events = arg('events', 20);
  const sandbox = await startProcess('src/sandbox/cli.ts', { SANDBOX_PORT: '0' }, /listening on (http:\/\/\S+)\s/);
  const config = loadConfig({ NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', MAX_SUBSCRIPTIONS_PER_PRINCIPAL: '1000000', WEBHOOK_SIGNING_KEYS: JSON.stringify({ [KEY_ID]: KEY }) });
  const gateway = await startGateway(
    config,
    { managementUrl: sandbox.url, cardServiceUrl: sandbox.url, serverAuthorization: `Basic ${DEMO_CREDENTIALS.apiKey}` },
    { logger: createLogger({ level: 'silent' }) },
  );
  const script = fileURLToPath(import.meta.url);
  const until = async (done: () => boolean, what: string) => {
    const deadline = Date.now() + 120_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };
  const counters = () => fetchJson(`${sandbox.url}/__sandbox/counters`, 'GET') as Promise<{ total: number; byOperation: Record<string, { total: number }> }>;
  const resetCounters = () => fetchJson(`${sandbox.url}/__sandbox/counters`, 'DELETE');
  async function phase(count: number, query: string, work: (received: () => number) => Promise<void>) {
    let received = 0;
    const child = spawn(process.execPath, ['--import', 'tsx', script, 'clients', gateway.graphqlUrl, String(count), query], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString().matchAll(/received (\d+)/g)) received = Number(match[1]);
    });
    try {
      await until(() => gateway.events.bus.subscribers() === count, `${count} subscriptions`);
      await work(() => received);
    } finally {
      child.kill('SIGTERM');
      await until(() => gateway.events.bus.subscribers() === 0, 'the clients to leave');
    }
  }
  const webhook = async () => {
    const body = {
      metadata: {
        event_id: randomUUID(), event_type: 'partner.account.product.payment.state-change.disabled', event_version: 'v2', occurred_at: new Date().toISOString(),
        subject_account_id: ACCOUNT, recipient_account_id: DEMO_CREDENTIALS.principalId, product_instance_id: PRODUCT,
        webhook_id: 'krn:partner:global:notification:webhook:bench', live: false,
      },
      payload: { partner_account_id: ACCOUNT, product_id: PRODUCT, state: 'DISABLED', state_reason: 'FRAUD_BY_PARTNER' },
    };
    await fetchJson(`${gateway.url}/webhooks/klarna`, 'POST', body, { 'klarna-signature': signWebhookBody(JSON.stringify(body), KEY), 'klarna-signing-key-id': KEY_ID });
  };
  try {
    // A first round of both, so that lazily made process-wide state (parsers, caches, agents) is not counted.
    await phase(20, READS, async (received) => {
      await webhook();
      await until(() => received() >= 20, 'the warm-up event');
    });
    const before = heapAfterGc();
    const snapshots = process.argv.includes('--snapshots');
    if (snapshots) console.log(`heap snapshot: ${writeHeapSnapshot()}`);
    await resetCounters();
    await phase(subscribers, IDLE, async (received) => {
      await sleep(1_000);
      const connected = heapAfterGc();
      if (snapshots) console.log(`heap snapshot: ${writeHeapSnapshot()}`);
      const subscribeCalls = (await counters()).total;
      console.log(`idle subscribers: ${subscribers}; heap before ${(before / 1e6).toFixed(1)} MB, connected ${(connected / 1e6).toFixed(1)} MB: ` +
        `${((connected - before) / subscribers / 1024).toFixed(1)} KB per subscriber; Klarna calls to subscribe: ${subscribeCalls}`);
      for (let index = 0; index < events; index += 1) {
        await webhook();
        await sleep(100);
      }
      await until(() => received() >= subscribers * events, `${events} events to every subscriber`);
      await sleep(500);
      const delivered = heapAfterGc();
      if (snapshots) console.log(`heap snapshot: ${writeHeapSnapshot()}`);
      console.log(`after ${events} events: heap ${(delivered / 1e6).toFixed(1)} MB: ${((delivered - before) / subscribers / 1024).toFixed(1)} KB per subscriber`);
    });
    await phase(readers, READS, async (received) => {
      await resetCounters();
      await webhook();
      await until(() => received() >= readers, `${readers} deliveries`);
      const { total, byOperation } = await counters();
      const by = Object.entries(byOperation).map(([operation, { total: n }]) => `${operation} ${n}`).join(', ');
      console.log(`readers: ${readers}; Klarna calls for one event: ${total} (${by})`);
    });
  } finally {
    await gateway.close();
    await stopProcess(sandbox.child);
  }
}

await main();
