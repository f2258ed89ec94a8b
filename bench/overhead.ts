/**
 * `npm run bench -- overhead [--duration 5] [--rounds 2] [--built] [--cpu-prof DIR]`: what the product costs over a bare
 * gateway, side by side in one run (issue #10).
 *
 * - The FULL gateway (`src/main.ts` via tsx, or `dist/main.js` with `--built` after `npm run build`) with
 *   production settings: `NODE_ENV=production`, logs at `info` to a file, metrics, limits, passthrough
 *   auth, the rate limit on at a limit it never reaches, GraphiQL off.
 * - The BARE reference gateway (`bench/bare-gateway.ts`): yoga + DataLoader + undici + the same `expand`.
 * - Both over one fixed-answer upstream (`bench/fixed-upstream.ts`) that replays the sandbox's answers
 *   from memory, so the gateways are what is measured. It records them at start-up, as both gateways
 *   ask each query once; then it is frozen, and a call it never saw fails the run.
 *
 * Before measuring, each query's `data` must be byte-identical (JSON) from both gateways, at the same
 * number of upstream calls; the run stops otherwise. Then, per query, the gateways take turns (full,
 * bare, then bare, full, ...: drift hits both): autocannon at concurrency 20 for about `--duration`
 * seconds each (a counted run sized from a warm-up's rate), the gateway's CPU read from
 * `/proc/<pid>/stat` (utime + stime) around the run and divided by the requests answered. Last, with
 * the upstream at 50 ms a call, the Dashboard's p50 at concurrency 1 against one direct round trip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CARD_QUERY, DASHBOARD_QUERY, PORTFOLIO_QUERY, SETTLEMENT_QUERY } from '../src/examples.ts';
import { DEMO_CREDENTIALS } from '../src/sandbox/seed/index.ts';
import { portfolioAccountIds } from '../src/sandbox/seed/portfolio.ts';
import { fetchJson, load, printTable, sequential, startProcess, stopProcess } from './utils.ts';

const SEED = 20_250_101;
const PORTFOLIO_SIZE = 20;
const UPSTREAM_LATENCY_MS = 50;
/** The issue's aims, for Dashboard and Portfolio: CPU per query and throughput against the bare gateway's. */
const AIMS = { cpuRatio: 1.15, throughputRatio: 0.85, addedLatencyMs: 2 };
const DOCS_ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';

export interface OverheadOptions {
  /** Seconds each gateway is loaded per query and round (and per latency sample). */
  durationSeconds: number;
  /** Turns per query: full then bare, then bare then full, ... */
  rounds: number;
  connections: number;
  /** Run `dist/main.js` (after `npm run build`) instead of `src/main.ts` through tsx. */
  built: boolean;
  /** `--cpu-prof DIR`: the full gateway writes a V8 CPU profile there when it stops (for `--cpu-prof` analysis). */
  cpuProfileDir?: string;
}

/** Options from `--duration <s>`, `--rounds <n>`, `--built` (or BENCH_DURATION / BENCH_ROUNDS). */
export function overheadOptions(flags: Record<string, string | true>): OverheadOptions {
  const number = (flag: string, env: string, fallback: number) => {
    const raw = flags[flag] ?? process.env[env];
    const value = raw === undefined || raw === true ? fallback : Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} must be a positive number (got ${String(raw)})`);
    return value;
  };
  return { durationSeconds: number('duration', 'BENCH_DURATION', 5), rounds: Math.max(1, Math.round(number('rounds', 'BENCH_ROUNDS', 2))), connections: 20, built: Boolean(flags.built), ...(typeof flags['cpu-prof'] === 'string' ? { cpuProfileDir: flags['cpu-prof'] } : {}) };
}

const queries = [
  { name: 'Dashboard', query: DASHBOARD_QUERY },
  { name: `Portfolio (${PORTFOLIO_SIZE})`, query: PORTFOLIO_QUERY, variables: { ids: portfolioAccountIds(SEED, PORTFOLIO_SIZE) } },
  { name: 'Settlement', query: SETTLEMENT_QUERY },
  { name: 'Card', query: CARD_QUERY },
].map((q) => ({ name: q.name, body: JSON.stringify({ query: q.query, variables: q.variables ?? {} }) }));

/** Callers bring their Klarna credentials (passthrough): both gateways send them on. */
const HEADERS = { 'content-type': 'application/json', accept: 'application/json', authorization: `Basic ${DEMO_CREDENTIALS.apiKey}` };

interface Gateway {
  name: 'full' | 'bare';
  url: string;
  pid: number;
}

interface UpstreamCounters {
  total: number;
  misses: number;
  peakInFlight: number;
  byRoute: Record<string, number>;
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) the process has used so far, in ms, from `/proc/<pid>/stat` (Linux). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "pid (comm) ": [0] is field 3 (state), so utime (field 14) and stime (15) are [11] and [12].
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** One query; its `data` as JSON text. Throws unless the answer has data and no `errors`. */
async function ask(gateway: Gateway, name: string, body: string): Promise<string> {
  const answer = await fetchJson<{ data?: Record<string, unknown> | null; errors?: unknown[] }>(gateway.url, 'POST', JSON.parse(body), HEADERS);
  if (answer.errors?.length || !answer.data || Object.values(answer.data).some((value) => value == null)) {
    throw new Error(`${name}: the ${gateway.name} gateway answered with errors or no data: ${JSON.stringify(answer).slice(0, 800)}`);
  }
  return JSON.stringify(answer.data);
}

/** Where two texts first differ, with some context, for the failure message. */
function firstDifference(a: string, b: string): string {
  let index = 0;
  while (index < a.length && a[index] === b[index]) index += 1;
  const around = (text: string) => text.slice(Math.max(0, index - 120), index + 120);
  return `at character ${index}:\n  full: …${around(a)}…\n  bare: …${around(b)}…`;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

export async function benchOverhead({ durationSeconds = 5, rounds = 2, connections = 20, built = false, cpuProfileDir }: Partial<OverheadOptions> = {}) {
  const started: Awaited<ReturnType<typeof startProcess>>[] = [];
  const logFile = join(tmpdir(), `overhead-full-gateway-${process.pid}.log`);
  let failed = true;
  try {
    const sandbox = await startProcess('src/sandbox/cli.ts', { SANDBOX_PORT: '0', SANDBOX_SEED: String(SEED) }, /listening on (http:\/\/\S+)\s/);
    started.push(sandbox);
    const upstream = await startProcess('bench/fixed-upstream.ts', { FIXED_RECORD_FROM: sandbox.url }, /listening on (http:\/\/\S+)\s/);
    started.push(upstream);
    const fixed = (path: string) => `${upstream.url}/__fixed${path}`;
    const counted = async (run: () => Promise<unknown>) => {
      await fetchJson(fixed('/counters'), 'DELETE');
      await run();
      return fetchJson<UpstreamCounters>(fixed('/counters'), 'GET');
    };

    const fullEntry = built ? 'dist/main.js' : 'src/main.ts';
    if (built && !existsSync(fileURLToPath(new URL(`../${fullEntry}`, import.meta.url)))) throw new Error('--built: no dist/main.js; run `npm run build` first');
    const fullEnv = {
      NODE_ENV: 'production',
      PORT: '0',
      LOG_LEVEL: 'info',
      KLARNA_MANAGEMENT_URL: upstream.url,
      KLARNA_CARD_SERVICE_URL: upstream.url,
      AUTH_MODE: 'passthrough',
      // On, at a limit this run never reaches (the most the configuration allows).
      RATE_LIMIT_PER_MINUTE: '1000000',
      GRAPHIQL: 'false',
    };
    const [fullProcess, bareProcess] = await Promise.all([
      startProcess(fullEntry, fullEnv, /Klarna Partner Gateway: (http:\/\/\S+\/graphql)/, 30_000, { stdoutFile: logFile, nodeArgs: [...(built ? [] : ['--import', 'tsx']), ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [])] }).then((p) => (started.push(p), p)),
      startProcess('bench/bare-gateway.ts', { BARE_UPSTREAM_URL: upstream.url }, /Bare gateway: (http:\/\/\S+\/graphql)/).then((p) => (started.push(p), p)),
    ]);
    const full: Gateway = { name: 'full', url: fullProcess.url, pid: fullProcess.child.pid! };
    const bare: Gateway = { name: 'bare', url: bareProcess.url, pid: bareProcess.child.pid! };

    // Recording: each gateway asks each query once (the upstream forwards to the sandbox and keeps the
    // answers), and the direct round trip of the latency regime is recorded too. Then it is frozen.
    const directUrl = `${upstream.url}/v2/accounts/${encodeURIComponent(DOCS_ACCOUNT)}?expand=${encodeURIComponent('brands,partner_busines_entities,products,store_groups,store_groups.stores')}`;
    const upstreamHeaders = { authorization: HEADERS.authorization, 'klarna-integration-metadata': JSON.stringify({ integrator: { name: 'BENCH', session_reference: 'bench' } }) };
    for (const { name, body } of queries) for (const gateway of [full, bare]) await ask(gateway, name, body);
    await sequential({ url: directUrl, headers: upstreamHeaders, durationSeconds: 0.01 });
    const { recorded } = await fetchJson<{ recorded: number }>(fixed('/freeze'), 'POST');

    // Same data, same calls, or no numbers at all.
    const callsPerQuery = new Map<string, number>();
    const checked: string[] = [];
    for (const { name, body } of queries) {
      const seen: Record<string, { data: string; counters: UpstreamCounters }> = {};
      for (const gateway of [full, bare]) {
        let data = '';
        const counters = await counted(async () => {
          data = await ask(gateway, name, body);
        });
        if (counters.misses) throw new Error(`${name}: the ${gateway.name} gateway made ${counters.misses} call(s) the upstream never recorded (see its stderr above)`);
        seen[gateway.name] = { data, counters };
      }
      const [a, b] = [seen.full!, seen.bare!];
      if (a.data !== b.data) throw new Error(`${name}: the gateways' data differ ${firstDifference(a.data, b.data)}`);
      if (a.counters.total !== b.counters.total) {
        throw new Error(`${name}: the full gateway made ${a.counters.total} upstream calls (${JSON.stringify(a.counters.byRoute)}), the bare one ${b.counters.total} (${JSON.stringify(b.counters.byRoute)})`);
      }
      callsPerQuery.set(name, a.counters.total);
      checked.push(`${name} ${a.data.length} bytes, ${a.counters.total} call(s): ${Object.entries(a.counters.byRoute).map(([route, n]) => `${route} ×${n}`).join(', ')}`);
    }
    console.log(`\nFixed upstream: ${recorded} answers recorded from the sandbox. Both gateways answer byte-identical data with the same upstream calls:\n  ${checked.join('\n  ')}`);

    // Throughput, CPU and latency at concurrency 20, the gateways taking turns per query.
    const options = (gateway: Gateway, body: string) => ({ url: gateway.url, method: 'POST' as const, headers: HEADERS, body, connections });
    const sizingRequests = Math.round(connections * 5 * Math.max(1, durationSeconds));
    const rows: Record<string, string | number>[] = [];
    const ratios: Record<string, string | number>[] = [];
    for (const { name, body } of queries) {
      const amounts = new Map<Gateway, number>();
      for (const gateway of [full, bare]) {
        // Two warm-ups: a short cold one (JIT, connections), then one whose rate sizes the measured runs.
        await load({ ...options(gateway, body), amount: connections * 5 });
        const warmup = await load({ ...options(gateway, body), amount: sizingRequests });
        amounts.set(gateway, Math.max(connections * 10, Math.round((warmup.requests / warmup.seconds) * durationSeconds)));
      }
      const totals = new Map<Gateway, { requests: number; seconds: number; cpuMs: number; calls: number; failures: number; p50: number[]; p99: number[] }>();
      for (let round = 0; round < rounds; round += 1) {
        for (const gateway of round % 2 === 0 ? [full, bare] : [bare, full]) {
          const total = totals.get(gateway) ?? { requests: 0, seconds: 0, cpuMs: 0, calls: 0, failures: 0, p50: [], p99: [] };
          totals.set(gateway, total);
          let cpuBefore = 0;
          let cpuAfter = 0;
          let result!: Awaited<ReturnType<typeof load>>;
          const counters = await counted(async () => {
            cpuBefore = cpuMs(gateway.pid);
            result = await load({ ...options(gateway, body), amount: amounts.get(gateway)! });
            cpuAfter = cpuMs(gateway.pid);
          });
          await ask(gateway, name, body); // still answering right after the load
          total.requests += result.requests;
          total.seconds += result.seconds;
          total.cpuMs += cpuAfter - cpuBefore;
          total.calls += counters.total;
          total.failures += result.errors + result.non2xx + counters.misses;
          total.p50.push(result.p50);
          total.p99.push(result.p99);
        }
      }
      const cell = (gateway: Gateway) => {
        const total = totals.get(gateway)!;
        return {
          requestsPerSecond: total.requests / total.seconds,
          cpuPerQuery: total.cpuMs / Math.max(1, total.requests),
          row: {
            query: name,
            gateway: gateway.name,
            'upstream calls/query': round1(total.calls / Math.max(1, total.requests)),
            'req/s': Math.round(total.requests / total.seconds),
            'p50 (ms)': round1(mean(total.p50)),
            'p99 (ms)': round1(mean(total.p99)),
            'CPU ms/query': round2(total.cpuMs / Math.max(1, total.requests)),
            requests: total.requests,
            'errors + non-2xx': total.failures,
          },
        };
      };
      const [f, b] = [cell(full), cell(bare)];
      rows.push(f.row, b.row);
      const cpuRatio = f.cpuPerQuery / b.cpuPerQuery;
      const throughputRatio = f.requestsPerSecond / b.requestsPerSecond;
      const aimed = name === 'Dashboard' || name.startsWith('Portfolio');
      ratios.push({
        query: name,
        'upstream calls/query': callsPerQuery.get(name)!,
        'CPU/query full÷bare': `${round2(cpuRatio)}×`,
        'req/s full÷bare': `${round2(throughputRatio)}×`,
        [`aim (CPU ≤ ${AIMS.cpuRatio}×, req/s ≥ ${AIMS.throughputRatio}×)`]: aimed ? (cpuRatio <= AIMS.cpuRatio && throughputRatio >= AIMS.throughputRatio ? 'met' : 'NOT met') : '—',
      });
    }

    // Latency: the upstream at 50 ms a call, concurrency 1, the Dashboard (its calls all go out together).
    await fetchJson(fixed('/latency'), 'POST', { ms: UPSTREAM_LATENCY_MS });
    const body = queries[0]!.body;
    await sequential({ url: directUrl, headers: upstreamHeaders, durationSeconds: 0.5 });
    const roundTrip = await sequential({ url: directUrl, headers: upstreamHeaders, durationSeconds });
    const samples = new Map<Gateway, { p50: number[]; p99: number[] }>([[full, { p50: [], p99: [] }], [bare, { p50: [], p99: [] }]]);
    for (const gateway of [full, bare]) await sequential({ url: gateway.url, method: 'POST', headers: HEADERS, body, durationSeconds: 0.5 });
    for (let round = 0; round < rounds; round += 1) {
      for (const gateway of round % 2 === 0 ? [full, bare] : [bare, full]) {
        const result = await sequential({ url: gateway.url, method: 'POST', headers: HEADERS, body, durationSeconds });
        if (result.failures) throw new Error(`Dashboard at ${UPSTREAM_LATENCY_MS} ms: the ${gateway.name} gateway failed ${result.failures} request(s)`);
        samples.get(gateway)!.p50.push(result.p50);
        samples.get(gateway)!.p99.push(result.p99);
      }
    }
    await fetchJson(fixed('/latency'), 'POST', { ms: 0 });
    const latency = [full, bare].map((gateway) => {
      const p50 = round1(mean(samples.get(gateway)!.p50));
      return { gateway: gateway.name, 'p50 (ms)': p50, 'p99 (ms)': round1(mean(samples.get(gateway)!.p99)), 'over one round trip (ms)': round1(p50 - roundTrip.p50) };
    });

    printTable(
      `Full vs bare gateway, fixed upstream at 0 ms: concurrency ${connections}, keep-alive, ${rounds} turn(s) each of ~${durationSeconds} s per query (full${rounds > 1 ? ', bare, then bare, full' : ', then bare'}); CPU from /proc, per request answered`,
      rows,
    );
    printTable('Full ÷ bare (CPU per query: lower is better; req/s: higher is better)', ratios);
    printTable(
      `Dashboard at concurrency 1, upstream at ${UPSTREAM_LATENCY_MS} ms a call (one direct round trip, GET account?expand=all: p50 ${roundTrip.p50} ms, p99 ${roundTrip.p99} ms)`,
      latency,
    );
    for (const row of latency) {
      const met = row.gateway === 'full' ? ` → aim (≤ one round trip + ${AIMS.addedLatencyMs} ms) ${row['over one round trip (ms)'] <= AIMS.addedLatencyMs ? 'met' : 'NOT met'}` : '';
      console.log(`${row.gateway}: one round trip + ${row['over one round trip (ms)']} ms (p50 ${row['p50 (ms)']} ms against ${roundTrip.p50} ms direct)${met}`);
    }
    const logBytes = statSync(logFile).size;
    console.log(`\nThe full gateway logged ${Math.round(logBytes / 1024)} KiB at info to ${logFile} (removed now).`);
    failed = false;
    return { rows, ratios, latency, roundTrip };
  } catch (error) {
    // The full gateway's logs are in the file: show its tail.
    const logs = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    if (logs) console.error(`\nLast lines of the full gateway's log (${logFile}, kept):\n${logs}`);
    throw error;
  } finally {
    // Gateways first (they hold connections to the upstream), then the upstream, then the sandbox.
    for (const { child } of started.reverse()) await stopProcess(child);
    if (!failed) rmSync(logFile, { force: true });
  }
}
