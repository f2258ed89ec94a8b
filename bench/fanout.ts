/**
 * `npm run bench -- fanout [--subscribers 1000,5000,10000] [--webhooks 20] [--spacing 100]
 * [--clients 4] [--selection ids|reads] [--redis] [--floor] [--before DIR] [--tsx] [--cpu-prof <dir>] [--node-flags "..."]`: live events at scale (issue #12).
 *
 * The built gateway (`dist/main.js`: `npm run build` first; `--tsx` runs `src/main.ts` instead) and the
 * sandbox each in their own process; the subscribers spread over `--clients` client processes
 * (`fanout-clients.ts`), one graphql-ws connection per subscriber (mobile devices are one connection
 * each), all of one principal, all on `paymentProductStateChanged` of one account, with each
 * selection: `{ id klarnaEventId }` (the fan-out alone) and `{ id product { state } account { name
 * state } }` (reads per event). In process, and also through Redis with `--redis`; with `--floor`, first a
 * bare ws relay in the gateway's place (`fanout-floor.ts`): what the machine itself allows; with
 * `--before DIR`, another built checkout's gateway (in memory), to measure a change side by side. All
 * run with the product's production Node flags (the image's `NODE_OPTIONS`), or `--node-flags "..."`.
 *
 * Per row: the gateway's RSS and V8 heap before the subscribers, connected, and after the events, and
 * per subscriber (connected − before); the time the webhook's 202 took (p50/p99, measured by the
 * sender); delivery latency (webhook sent → received by a subscriber) p50/p99 over all deliveries and
 * the last delivery of an event (worst over the events); the CPU the gateway and the client processes
 * spent from the first webhook to the last arrival (the clients share the machine's cores: when they
 * spend more than the gateway, the delivery times are theirs as much as the gateway's), and the
 * gateway's CPU per delivery; Klarna calls per event (sandbox counters over
 * the measured events only); and lost / doubled (subscriber, event) pairs, which must be 0.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_CREDENTIALS } from '../src/sandbox/seed/index.ts';
import { signWebhookBody } from '../src/sandbox/webhooks.ts';
import { imageNodeFlags, nodeFlagsOption } from './production-node-flags.ts';
import { callsBetween, deleteRedisKeys, gatewayMemory, kbPer, mb, percentile, REDIS_URL, redisAnswers, sandboxCalls } from './fanout-stats.ts';
import { cpuMs, printTable, startProcess, stopProcess } from './utils.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const PRODUCT = 'krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918';
const KEY_ID = 'bench';
const KEY = randomUUID();
const SELECTIONS = {
  ids: '{ id klarnaEventId }',
  reads: '{ id klarnaEventId product { state } account { name state } }',
} as const;
type Selection = keyof typeof SELECTIONS;

export interface FanoutOptions {
  subscribers: number[];
  webhooks: number;
  spacingMs: number;
  clients: number;
  selections: Selection[];
  redis: boolean;
  built: boolean;
  /** `--before DIR`: each row also runs another built checkout's gateway (`DIR/dist/main.js`), as `before`. */
  beforeDir?: string;
  /** `--floor`: each size also runs `fanout-floor.ts` (a bare ws relay) in the gateway's place, with the same clients. */
  floor: boolean;
  /** `--cpu-prof <dir>`: the gateway writes a V8 CPU profile there when it exits. */
  cpuProfileDir?: string;
  /** The Node flags of the gateway, `before` and the floor relay: the image's `NODE_OPTIONS`, or `--node-flags "..."`. */
  nodeFlags: string[];
}

/** Options from the bench's flags (`--subscribers 1000,5000` …); the default is one quick 1,000 round. */
export function fanoutOptions(flags: Record<string, string | true>): FanoutOptions {
  const text = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const selection = text('selection');
  return {
    subscribers: (text('subscribers') ?? '1000').split(',').map(Number).filter((n) => n > 0),
    webhooks: Number(text('webhooks') ?? 20),
    spacingMs: Number(text('spacing') ?? 100),
    clients: Number(text('clients') ?? 4),
    selections: selection ? [selection as Selection] : ['ids', 'reads'],
    redis: Boolean(flags.redis),
    floor: Boolean(flags.floor),
    ...(text('before') ? { beforeDir: resolve(text('before')!) } : {}),
    built: !flags.tsx,
    ...(text('cpu-prof') ? { cpuProfileDir: text('cpu-prof')! } : {}),
    nodeFlags: nodeFlagsOption(flags) ?? imageNodeFlags(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const wallNow = () => performance.timeOrigin + performance.now();

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

/** POSTs one signed event; resolves with how long the answer (202) took, in ms, retries included. */
async function send(ingress: string, eventId: string): Promise<number> {
  const body = JSON.stringify(webhook(eventId));
  const started = performance.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(ingress, { method: 'POST', body, headers: { 'content-type': 'application/json', 'klarna-signature': signWebhookBody(body, KEY), 'klarna-signing-key-id': KEY_ID } });
      await response.arrayBuffer();
      if (response.status !== 202) throw new Error(`webhook answered ${response.status}`);
      return performance.now() - started;
    } catch (error) {
      // A kept-alive connection the busy gateway closed (ECONNRESET): Klarna would retry too.
      if (attempt >= 3) throw error;
      retries += 1;
    }
  }
}
let retries = 0;

/** A forked client process, and a way to ask it something and wait for its answer. */
function startClients(): { child: ChildProcess; ask: <T>(message: Record<string, unknown>) => Promise<T> } {
  const child = fork(fileURLToPath(new URL('./fanout-clients.ts', import.meta.url)), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: Record<string, unknown>) =>
    new Promise<T>((resolve) => {
      child.once('message', (answer) => resolve(answer as T));
      child.send(message);
    });
  return { child, ask };
}

type Mode = 'memory' | 'redis';
/** this: this checkout's gateway; before: `--before DIR`'s; floor: the bare relay (`fanout-floor.ts`, its bus is none). */
type Server = 'this' | 'before' | 'floor';

async function run(server: Server, mode: Mode, selection: Selection, subscribers: number, sandboxUrl: string, options: FanoutOptions) {
  const prefix = `bench:${randomUUID().slice(0, 8)}:`;
  const env: Record<string, string> = {
    PORT: '0',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
    MAX_SUBSCRIPTIONS_PER_PRINCIPAL: '1000000',
    KLARNA_MANAGEMENT_URL: sandboxUrl,
    KLARNA_CARD_SERVICE_URL: sandboxUrl,
    KLARNA_API_KEY: DEMO_CREDENTIALS.apiKey,
    WEBHOOK_SIGNING_KEYS: JSON.stringify({ [KEY_ID]: KEY }),
    ...(mode === 'redis' ? { REDIS_URL, REDIS_KEY_PREFIX: prefix } : {}),
  };
  const entry = server === 'floor' ? 'bench/fanout-floor.ts' : server === 'before' ? 'dist/main.js' : options.built ? 'dist/main.js' : 'src/main.ts';
  // The floor relay always runs through tsx, `before` always built; only this checkout's gateway is profiled.
  const throughTsx = server === 'floor' || (server === 'this' && !options.built);
  const profiled = server === 'this' && options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const nodeArgs = [...options.nodeFlags, ...(throughTsx ? ['--import', 'tsx'] : []), ...profiled];
  const gateway = await startProcess(entry, env, /Klarna Partner Gateway: (http:\/\/\S+)\/graphql/, 60_000, { nodeArgs, ...(server === 'before' ? { cwd: options.beforeDir! } : {}) });
  const ingress = `${gateway.url}/webhooks/klarna`;
  const processes = Array.from({ length: Math.min(options.clients, subscribers) }, startClients);
  try {
    await sleep(500);
    const before = await gatewayMemory(gateway.url);
    const query = `subscription { paymentProductStateChanged(accountId: "${ACCOUNT}") ${SELECTIONS[selection]} }`;
    const share = (index: number) => Math.floor(subscribers / processes.length) + (index < subscribers % processes.length ? 1 : 0);
    await Promise.all(processes.map((p, index) => p.ask({ type: 'open', url: `${gateway.url.replace(/^http/, 'ws')}/graphql`, query, count: share(index) })));
    const status = async (eventIds: string[]) => {
      const answers = await Promise.all(processes.map((p) => p.ask<{ warmed: number; arrived: number; errors: number; firstError?: string }>({ type: 'status', eventIds })));
      return { warmed: answers.reduce((s, a) => s + a.warmed, 0), arrived: answers.reduce((s, a) => s + a.arrived, 0), errors: answers.reduce((s, a) => s + a.errors, 0), firstError: answers.find((a) => a.firstError)?.firstError };
    };
    // Warm-up events until every subscriber has received one: all subscriptions are open.
    // A few sockets that could not be opened at all (refused while thousands connect on a busy
    // machine, after their retries) do not stop the round: after a minute, 99.5% opened is enough,
    // and the round reports how many were not opened (their events are not counted as lost).
    let opened = subscribers;
    for (let attempt = 0; ; attempt += 1) {
      const { warmed, errors, firstError } = await status([]);
      if (warmed >= subscribers) break;
      if (attempt >= 60 && warmed >= subscribers * 0.995) {
        opened = warmed;
        break;
      }
      if (attempt > 300) throw new Error(`only ${warmed} of ${subscribers} subscriptions opened (${errors} errors${firstError ? `, first: ${firstError}` : ''})`);
      await send(ingress, `warm-up-${randomUUID()}`);
      await sleep(attempt < 5 ? 500 : 1_000);
    }
    await sleep(1_000);
    const connected = await gatewayMemory(gateway.url);
    const callsBefore = await sandboxCalls(sandboxUrl);

    retries = 0;
    const clientCpu = () => processes.reduce((sum, { child }) => sum + cpuMs(child.pid!), 0);
    const cpuBefore = { gateway: cpuMs(gateway.child.pid!), clients: clientCpu() };
    const eventIds: string[] = [];
    const sentAt: number[] = [];
    const answerMs: number[] = [];
    for (let index = 0; index < options.webhooks; index += 1) {
      const eventId = randomUUID();
      eventIds.push(eventId);
      sentAt.push(wallNow());
      answerMs.push(await send(ingress, eventId));
      await sleep(options.spacingMs);
    }
    const deadline = performance.now() + 180_000;
    while ((await status(eventIds)).arrived < opened * options.webhooks && performance.now() < deadline) await sleep(100);
    const cpuSpent = { gateway: cpuMs(gateway.child.pid!) - cpuBefore.gateway, clients: clientCpu() - cpuBefore.clients };
    await sleep(500); // room for a double to show up
    const after = await gatewayMemory(gateway.url);
    const callsAfter = await sandboxCalls(sandboxUrl);
    const reports = await Promise.all(processes.map((p) => p.ask<{ perEvent: number[][]; lost: number; doubled: number; errors: number; firstError?: string }>({ type: 'report', eventIds })));

    const latencies: number[] = [];
    const lasts: number[] = [];
    eventIds.forEach((_, event) => {
      const times = reports.flatMap((report) => report.perEvent[event] ?? []).map((at) => at - sentAt[event]!);
      latencies.push(...times);
      if (times.length) lasts.push(Math.max(...times));
    });
    latencies.sort((a, b) => a - b);
    answerMs.sort((a, b) => a - b);
    const ms = (value: number) => Number(value.toFixed(1));
    const errors = reports.reduce((s, r) => s + r.errors, 0);
    return {
      subscribers,
      gateway: server,
      mode: server === 'floor' ? '-' : mode,
      selection,
      'RSS MB before/conn/after': `${mb(before.rssBytes)}/${mb(connected.rssBytes)}/${mb(after.rssBytes)}`,
      'heap MB before/conn/after': `${mb(before.heapBytes)}/${mb(connected.heapBytes)}/${mb(after.heapBytes)}`,
      'KB/sub RSS conn/after': `${kbPer(connected.rssBytes - before.rssBytes, subscribers)}/${kbPer(after.rssBytes - before.rssBytes, subscribers)}`,
      'KB/sub heap conn/after': `${kbPer(connected.heapBytes - before.heapBytes, subscribers)}/${kbPer(after.heapBytes - before.heapBytes, subscribers)}`,
      '202 ms p50/p99': `${ms(percentile(answerMs, 50))}/${ms(percentile(answerMs, 99))}`,
      'delivery ms p50/p99/last': `${ms(percentile(latencies, 50))}/${ms(percentile(latencies, 99))}/${ms(Math.max(...lasts))}`,
      'CPU s gateway/clients': `${(cpuSpent.gateway / 1000).toFixed(1)}/${(cpuSpent.clients / 1000).toFixed(1)}`,
      'gateway CPU µs/delivery': Math.round((cpuSpent.gateway * 1000) / (opened * options.webhooks)),
      'Klarna calls/event': ms((callsAfter.total - callsBefore.total) / options.webhooks),
      'calls/event by op': callsBetween(callsBefore.byOperation, callsAfter.byOperation, options.webhooks),
      'webhook retries': retries,
      'lost/doubled': `${reports.reduce((s, r) => s + r.lost, 0)}/${reports.reduce((s, r) => s + r.doubled, 0)}`,
      ...(opened < subscribers ? { 'not opened': subscribers - opened } : {}),
      ...(errors ? { errors: `${errors} (${reports.find((r) => r.firstError)?.firstError?.slice(0, 80)})` } : {}),
    };
  } finally {
    await Promise.all(processes.map(({ child }) => (child.connected ? (child.send({ type: 'close' }), stopProcess(child, 10_000)) : undefined)));
    await stopProcess(gateway.child);
    if (mode === 'redis') await deleteRedisKeys(prefix);
  }
}

export async function benchFanout(options: FanoutOptions = fanoutOptions({})) {
  if (options.built && !existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url)))) throw new Error('fanout runs the built gateway: run `npm run build` first (or pass --tsx)');
  if (options.beforeDir && !existsSync(join(options.beforeDir, 'dist/main.js'))) throw new Error(`--before: no ${join(options.beforeDir, 'dist/main.js')}; build that checkout first`);
  const modes: Mode[] = ['memory'];
  if (options.redis) {
    if (await redisAnswers()) modes.push('redis');
    else console.log(`\n  NOTICE: no Redis at ${REDIS_URL}: the Redis rows are left out.`);
  }
  const rows = [];
  const servers: Server[] = [...(options.beforeDir ? (['before'] as const) : []), 'this'];
  for (const subscribers of options.subscribers) {
    // Per size: the floor (once), then each bus and selection with before (if asked) and this gateway side by side.
    const runs: [Server, Mode, Selection][] = [
      ...(options.floor ? [['floor', 'memory', 'ids'] as [Server, Mode, Selection]] : []),
      ...modes.flatMap((mode) => options.selections.flatMap((selection) => servers.map((server): [Server, Mode, Selection] => [server, mode, selection]))),
    ];
    for (const [server, mode, selection] of runs) {
      // A fresh sandbox per row, so every row starts from the same state and counters.
      const sandbox = await startProcess('src/sandbox/cli.ts', { SANDBOX_PORT: '0' }, /listening on (http:\/\/\S+)\s/);
      try {
        const row = await run(server, mode, selection, subscribers, sandbox.url, options);
        console.log(JSON.stringify(row));
        rows.push(row);
      } finally {
        await stopProcess(sandbox.child);
      }
    }
  }
  printTable(
    `Fan-out: graphql-ws subscribers (one connection each, ${options.clients} client processes), ${options.webhooks} webhooks ${options.spacingMs} ms apart per row; ids = ${SELECTIONS.ids}, reads = ${SELECTIONS.reads}; Node flags: ${options.nodeFlags.join(' ') || "none (Node's defaults)"}`,
    rows,
  );
  return rows;
}
