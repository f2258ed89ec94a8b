/**
 * `npm run bench -- overhead [--duration 5] [--rounds 2] [--processes 3] [--pin] [--built] [--cpu-prof DIR] [--before DIR] [--queries Dashboard,Portfolio] [--node-flags "..."]`:
 * what the product costs over a bare gateway, side by side in one run (issue #10).
 *
 * - The FULL gateway (`src/main.ts` via tsx, or `dist/main.js` with `--built` after `npm run build`) with
 *   production settings: `NODE_ENV=production`, logs at `info` to a file, metrics, limits, passthrough
 *   auth, the rate limit on at a limit it never reaches, GraphiQL off.
 * - With `--before DIR`, a BEFORE gateway: the same product from another built checkout (`DIR/dist/main.js`,
 *   run in DIR, same settings as the full one), so a change is measured after against before in one run.
 * - The BARE reference gateway (`bench/bare-gateway.ts`): yoga + DataLoader + undici + the same `expand`,
 *   also with `NODE_ENV=production`; with `--built`, compiled by tsc as the product is (`built-copy.ts`),
 *   otherwise through tsx as the full one is.
 * - Every gateway (and the floor proxy below) runs with the product's production Node flags, the image's
 *   `NODE_OPTIONS` (`production-node-flags.ts`), or those of `--node-flags` (`--node-flags=` for Node's
 *   defaults): deployed as users run it, and like for like.
 * - All over one fixed-answer upstream (`bench/fixed-upstream.ts`) that replays the sandbox's answers
 *   from memory, so the gateways are what is measured. It records them at start-up, as every gateway
 *   asks each query once; then it is frozen, and a call it never saw fails the run.
 *
 * Each gateway runs as `--processes` processes (3 by default), measured alike, and its figures are the
 * median process's. Why: V8 does not optimise the same code the same way in every process. Two
 * processes of the same build, under the same load, differ by up to ~30% in CPU per query (in one,
 * promise-helpers' `fakePromise`, which Yoga calls for every hook, is not inlined and allocates its fake
 * promises: 2-3% of the time in it, and the GC that follows), in the full gateway and the bare one alike.
 * One process per gateway made a ratio a draw of that luck; the median of three is what a deployment
 * of several replicas sees. The spread (lowest and highest process) is printed beside it.
 *
 * With `--pin` (2 or more cores, `taskset`), the gateways run on the last core and everything else (the
 * load generator in this process, the upstream, the sandbox) on the others, so that the load
 * generator never shares a core with the gateway measured. Off by default: on one core a gateway's GC
 * helper threads take turns with its main thread instead of running beside it, which is not how it runs
 * in production and weighs on the gateway with the most GC work (in one run on 2 cores, pinned:
 * full÷bare 1.32× for both Dashboard and Portfolio, against 1.19–1.33× unpinned).
 *
 * Before measuring, each query's `data` must be byte-identical (JSON) from every gateway to the bare
 * one's, at the same number of upstream calls; the run stops otherwise. Then, per query (all four, or
 * those named by `--queries`, a comma list of name prefixes), the gateways take turns, their order
 * rotated each round (full, bare, then bare, full; with before: full, before, bare, then before, bare,
 * full, ...: drift hits all): autocannon at concurrency 20 for about `--duration` seconds each (a
 * counted run sized from a warm-up's rate, after an uncounted one as long, so JIT warm-up is not counted), the gateway's CPU read from `/proc/<pid>/stat` (utime +
 * stime) around the run and divided by the requests answered. The ratios are full÷bare (the aims), and
 * with before also before÷bare and full÷before; with 2 or more rounds each CPU ratio is also given by
 * round (each round's ratio of the two gateways' median processes, then their median and range): a
 * minute of a neighbour's load moves both sides of one round alike, so it is steadier on a noisy machine. Last, with the upstream at 50 ms a call, the
 * Dashboard's p50 at concurrency 1 against one direct round trip, for every gateway, in one rotation with
 * the direct calls and the floor proxy (`bench/floor-proxy.ts`: the Dashboard's calls through a Node
 * process with no GraphQL), which shows how much of the aim's 2 ms the machine itself takes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CARD_QUERY, DASHBOARD_QUERY, PORTFOLIO_QUERY, SETTLEMENT_QUERY } from '../src/examples.ts';
import { DEMO_CREDENTIALS } from '../src/sandbox/seed/index.ts';
import { portfolioAccountIds } from '../src/sandbox/seed/portfolio.ts';
import { builtCopy } from './built-copy.ts';
import { percentile } from './fanout-stats.ts';
import { imageNodeFlags, nodeFlagsOption } from './production-node-flags.ts';
import { cpuMs, exchange, fetchJson, load, printTable, sequential, startProcess, stopProcess, type SequentialSend } from './utils.ts';

const SEED = 20_250_101;
const PORTFOLIO_SIZE = 20;
const UPSTREAM_LATENCY_MS = 50;
/** The issue's aims, for Dashboard and Portfolio: CPU per query and throughput against the bare gateway's. */
const AIMS = { cpuRatio: 1.15, throughputRatio: 0.85, addedLatencyMs: 2 };
const DOCS_ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';

export interface OverheadOptions {
  /** Seconds each gateway is loaded per query and round (and per latency sample). */
  durationSeconds: number;
  /** Turns per query, the gateways' order rotated each round: full then bare, then bare then full, ... */
  rounds: number;
  connections: number;
  /** Run `dist/main.js` (after `npm run build`) instead of `src/main.ts` through tsx, and the bench's own servers compiled alike. */
  built: boolean;
  /** `--cpu-prof DIR`: every gateway process writes a V8 CPU profile into `DIR/<full|before|bare>/` when it stops. */
  cpuProfileDir?: string;
  /** `--before DIR`: another built checkout whose `dist/main.js` runs as a third gateway, `before`. */
  beforeDir?: string;
  /** `--queries Dashboard,Portfolio`: name prefixes of the queries to measure (default: all four). */
  queryPrefixes?: string[];
  /** Processes per gateway (`--processes`, default 3): each gateway's figures are its median process's. */
  processes: number;
  /** `--pin`: gateways on the last core, the rest on the others. */
  pin: boolean;
  /** `--node-flags "..."`: the Node flags of every gateway (default: the image's `NODE_OPTIONS`; `--node-flags=` for none). */
  nodeFlags?: string[];
}

/**
 * Options from `--duration <s>`, `--rounds <n>`, `--built`, `--cpu-prof DIR`, `--before DIR`,
 * `--queries a,b`, `--processes n`, `--pin`, `--node-flags "..."` (or BENCH_DURATION / BENCH_ROUNDS / BENCH_PROCESSES).
 */
export function overheadOptions(flags: Record<string, string | true>): OverheadOptions {
  const number = (flag: string, env: string, fallback: number) => {
    const raw = flags[flag] ?? process.env[env];
    const value = raw === undefined || raw === true ? fallback : Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} must be a positive number (got ${String(raw)})`);
    return value;
  };
  const text = (flag: string) => (typeof flags[flag] === 'string' ? flags[flag] : undefined);
  const queryPrefixes = text('queries')?.split(',').map((prefix) => prefix.trim()).filter(Boolean);
  return {
    durationSeconds: number('duration', 'BENCH_DURATION', 5),
    rounds: Math.max(1, Math.round(number('rounds', 'BENCH_ROUNDS', 2))),
    connections: 20,
    processes: Math.max(1, Math.round(number('processes', 'BENCH_PROCESSES', 3))),
    pin: Boolean(flags.pin),
    built: Boolean(flags.built),
    ...(text('cpu-prof') ? { cpuProfileDir: text('cpu-prof') } : {}),
    ...(text('before') ? { beforeDir: resolve(text('before')!) } : {}),
    ...(queryPrefixes?.length ? { queryPrefixes } : {}),
    ...(nodeFlagsOption(flags) ? { nodeFlags: nodeFlagsOption(flags)! } : {}),
  };
}

const QUERIES = [
  { name: 'Dashboard', query: DASHBOARD_QUERY },
  { name: `Portfolio (${PORTFOLIO_SIZE})`, query: PORTFOLIO_QUERY, variables: { ids: portfolioAccountIds(SEED, PORTFOLIO_SIZE) } },
  { name: 'Settlement', query: SETTLEMENT_QUERY },
  { name: 'Card', query: CARD_QUERY },
].map((q) => ({ name: q.name, body: JSON.stringify({ query: q.query, variables: q.variables ?? {} }) }));
/** The latency regime's query, asked whatever `--queries` selects. */
const DASHBOARD = QUERIES[0]!;

/** The queries whose names start with one of the prefixes (case-insensitive); a prefix matching none is an error. */
function selectQueries(prefixes: string[] | undefined): typeof QUERIES {
  if (!prefixes) return QUERIES;
  const matches = (prefix: string, name: string) => name.toLowerCase().startsWith(prefix.toLowerCase());
  const unmatched = prefixes.filter((prefix) => !QUERIES.some(({ name }) => matches(prefix, name)));
  if (unmatched.length) throw new Error(`--queries: ${unmatched.join(', ')} match(es) no query; known: ${QUERIES.map(({ name }) => name).join(', ')}`);
  return QUERIES.filter(({ name }) => prefixes.some((prefix) => matches(prefix, name)));
}

/** Callers bring their Klarna credentials (passthrough): every gateway sends them on. */
const HEADERS = { 'content-type': 'application/json', accept: 'application/json', authorization: `Basic ${DEMO_CREDENTIALS.apiKey}` };

type GatewayName = 'full' | 'before' | 'bare';

/** One process of a gateway (each gateway runs as `--processes` of them). */
interface Gateway {
  /** `full` (this checkout), `before` (`--before DIR`), `bare` (the reference, last in the list). */
  name: GatewayName;
  url: string;
  pid: number;
}

/** The middle value (the upper of the two middle ones for an even count). */
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

/**
 * With 2 or more cores and `taskset` at hand: the gateways' processes (every thread: V8's GC helpers
 * too) on the last core, the others on the rest. False when it could not be done (then nothing is pinned).
 */
function pinToCores(gatewayPids: number[], otherPids: number[]): boolean {
  const last = availableParallelism() - 1;
  if (last < 1) return false;
  try {
    for (const pid of gatewayPids) execFileSync('taskset', ['-apc', String(last), String(pid)], { stdio: 'ignore' });
    for (const pid of otherPids) execFileSync('taskset', ['-apc', `0-${last - 1}`, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface UpstreamCounters {
  total: number;
  misses: number;
  peakInFlight: number;
  byRoute: Record<string, number>;
  /** The calls answered, as the client sent them: `GET /v2/...?...`. */
  calls: string[];
}

/** One row of the latency regime: a gateway's process, the floor proxy, or direct calls to the upstream. */
interface LatencyTarget {
  name: string;
  send: SequentialSend;
}
const DIRECT = 'direct, one call';
const FLOOR = 'floor proxy';

/** Several requests at once, timed together: the first failing status, or 200. */
const allOf =
  (sends: SequentialSend[]): SequentialSend =>
  async () =>
    (await Promise.all(sends.map((send) => send()))).find((status) => status < 200 || status >= 300) ?? 200;

/** One query; its `data` as JSON text. Throws unless the answer has data and no `errors`. */
async function ask(gateway: Gateway, name: string, body: string): Promise<string> {
  const answer = await fetchJson<{ data?: Record<string, unknown> | null; errors?: unknown[] }>(gateway.url, 'POST', JSON.parse(body), HEADERS);
  if (answer.errors?.length || !answer.data || Object.values(answer.data).some((value) => value == null)) {
    throw new Error(`${name}: the ${gateway.name} gateway answered with errors or no data: ${JSON.stringify(answer).slice(0, 800)}`);
  }
  return JSON.stringify(answer.data);
}

/** Where two gateways' texts first differ, with some context, for the failure message. */
function firstDifference([aName, a]: [string, string], [bName, b]: [string, string]): string {
  let index = 0;
  while (index < a.length && a[index] === b[index]) index += 1;
  const around = (text: string) => text.slice(Math.max(0, index - 120), index + 120);
  return `at character ${index}:\n  ${aName}: …${around(a)}…\n  ${bName}: …${around(b)}…`;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

/** Each round's turn order: the list rotated by the round, so every gateway goes first, middle and last alike. */
const turnOrder = <T>(items: T[], round: number) => items.map((_, index) => items[(index + round) % items.length]!);

export async function benchOverhead({
  durationSeconds = 5,
  rounds = 2,
  connections = 20,
  built = false,
  cpuProfileDir,
  beforeDir,
  queryPrefixes,
  processes = 3,
  pin = false,
  nodeFlags: givenNodeFlags,
}: Partial<OverheadOptions> = {}) {
  const queries = selectQueries(queryPrefixes);
  const nodeFlags = givenNodeFlags ?? imageNodeFlags();
  if (beforeDir && !existsSync(join(beforeDir, 'dist/main.js'))) throw new Error(`--before: no ${join(beforeDir, 'dist/main.js')}; build that checkout first`);
  if (beforeDir && !built) console.warn('--before runs a built gateway; add --built so the full one is built too, for a like-for-like comparison');
  const started: Awaited<ReturnType<typeof startProcess>>[] = [];
  // The product gateways (full, before) log at info to a file each.
  const logFiles = new Map(
    (['full', ...(beforeDir ? ['before'] : [])] as const).flatMap((name) =>
      Array.from({ length: processes }, (_, index) => [`${name} #${index + 1}`, join(tmpdir(), `overhead-${name}-gateway-${index + 1}-${process.pid}.log`)] as const),
    ),
  );
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
    // Like for like: with --built the bare gateway and the floor proxy are compiled by tsc as the
    // product is, otherwise all run through tsx; and all run with the same Node flags (`nodeFlags`).
    const benchServer = (sources: string[], assets: string[] = []) =>
      built ? { entry: builtCopy(sources, assets), nodeArgs: nodeFlags } : { entry: sources[0]!, nodeArgs: [...nodeFlags, '--import', 'tsx'] };
    const bareServer = benchServer(['bench/bare-gateway.ts', 'src/schema/compact-ids.ts'], ['bench/bare-gateway.graphql']);
    const productEnv = {
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
    const startGateway = async (name: GatewayName, start: Promise<Awaited<ReturnType<typeof startProcess>>>): Promise<Gateway> => {
      const running = await start;
      started.push(running);
      return { name, url: running.url, pid: running.child.pid! };
    };
    const product = (name: 'full' | 'before', index: number, entry: string, options: { nodeArgs: string[]; cwd?: string }) =>
      startGateway(name, startProcess(entry, productEnv, /Klarna Partner Gateway: (http:\/\/\S+\/graphql)/, 30_000, { stdoutFile: logFiles.get(`${name} #${index + 1}`)!, ...options }));
    // With --cpu-prof DIR, every gateway process writes its profile into DIR/<gateway>/ when it stops.
    const profiled = (name: GatewayName) => (cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(resolve(cpuProfileDir), name)}`] : []);
    const each = (start: (index: number) => Promise<Gateway>) => Array.from({ length: processes }, (_, index) => start(index));
    // In the order of every list below: full, before (with --before), then bare, the reference, last;
    // each gateway's processes together.
    const gateways = await Promise.all([
      ...each((index) => product('full', index, fullEntry, { nodeArgs: [...nodeFlags, ...(built ? [] : ['--import', 'tsx']), ...profiled('full')] })),
      ...(beforeDir ? each((index) => product('before', index, 'dist/main.js', { nodeArgs: [...nodeFlags, ...profiled('before')], cwd: beforeDir })) : []),
      // In production mode as the product gateways are: graphql-js's development-mode type checks
      // (its \`instanceOf\`) alone cost the bare gateway ~4% of its CPU per Dashboard otherwise.
      ...each(() =>
        startGateway(
          'bare',
          startProcess(bareServer.entry, { BARE_UPSTREAM_URL: upstream.url, NODE_ENV: 'production' }, /Bare gateway: (http:\/\/\S+\/graphql)/, 30_000, { nodeArgs: [...bareServer.nodeArgs, ...profiled('bare')] }),
        ),
      ),
    ]);
    const names = [...new Set(gateways.map((gateway) => gateway.name))];
    const processesOf = (name: GatewayName) => gateways.filter((gateway) => gateway.name === name);
    const pinned = pin && pinToCores(gateways.map((gateway) => gateway.pid), [process.pid, sandbox.child.pid!, upstream.child.pid!]);

    // Recording: each gateway asks each query once (the upstream forwards to the sandbox and keeps the
    // answers), the Dashboard too for the latency regime, and the direct round trip of that regime.
    // Then it is frozen.
    const directUrl = `${upstream.url}/v2/accounts/${encodeURIComponent(DOCS_ACCOUNT)}?expand=${encodeURIComponent('brands,partner_busines_entities,products,store_groups,store_groups.stores')}`;
    const upstreamHeaders = { authorization: HEADERS.authorization, 'klarna-integration-metadata': JSON.stringify({ integrator: { name: 'BENCH', session_reference: 'bench' } }) };
    for (const { name, body } of queries.includes(DASHBOARD) ? queries : [...queries, DASHBOARD]) for (const gateway of gateways) await ask(gateway, name, body);
    await sequential({ url: directUrl, headers: upstreamHeaders, durationSeconds: 0.01 });
    const { recorded } = await fetchJson<{ recorded: number }>(fixed('/freeze'), 'POST');

    // Same data, same calls as the bare gateway, or no numbers at all.
    const callsPerQuery = new Map<string, number>();
    const checked: string[] = [];
    for (const { name, body } of queries) {
      const seen = new Map<Gateway, { data: string; counters: UpstreamCounters }>();
      for (const gateway of gateways) {
        let data = '';
        const counters = await counted(async () => {
          data = await ask(gateway, name, body);
        });
        if (counters.misses) throw new Error(`${name}: the ${gateway.name} gateway made ${counters.misses} call(s) the upstream never recorded (see its stderr above)`);
        seen.set(gateway, { data, counters });
      }
      const referenceProcess = processesOf('bare')[0]!;
      const reference = seen.get(referenceProcess)!;
      for (const gateway of gateways.filter((each) => each !== referenceProcess)) {
        const { data, counters } = seen.get(gateway)!;
        if (data !== reference.data) throw new Error(`${name}: the ${gateway.name} and bare gateways' data differ ${firstDifference([gateway.name, data], ['bare', reference.data])}`);
        if (counters.total !== reference.counters.total) {
          throw new Error(`${name}: the ${gateway.name} gateway made ${counters.total} upstream calls (${JSON.stringify(counters.byRoute)}), the bare one ${reference.counters.total} (${JSON.stringify(reference.counters.byRoute)})`);
        }
      }
      callsPerQuery.set(name, reference.counters.total);
      checked.push(`${name} ${reference.data.length} bytes, ${reference.counters.total} call(s): ${Object.entries(reference.counters.byRoute).map(([route, n]) => `${route} ×${n}`).join(', ')}`);
    }
    const all = names.length === 2 ? 'Both gateways' : `All ${names.length} gateways (${names.join(', ')}; before = ${beforeDir})`;
    console.log(`\nFixed upstream: ${recorded} answers recorded from the sandbox. ${all}, ${processes} process(es) each, answer byte-identical data with the same upstream calls:\n  ${checked.join('\n  ')}`);
    console.log(
      pinned
        ? `Gateways pinned to core ${availableParallelism() - 1}; the load generator, upstream and sandbox to the other core(s).`
        : `Not pinned to cores (${pin ? 'one core, or no taskset' : 'no --pin'}): the load generator shares the cores with the gateways.`,
    );
    console.log(`Node flags of every gateway and the floor proxy: ${nodeFlags.length ? nodeFlags.join(' ') : "none (Node's defaults)"}${givenNodeFlags ? ' (--node-flags)' : " (the image's NODE_OPTIONS)"}.`);
    // The turns: the gateways alternate (full #1, bare #1, full #2, bare #2, ...), and each round starts one later.
    const turns = Array.from({ length: processes }, (_, index) => names.map((name) => processesOf(name)[index]!)).flat();

    // Throughput, CPU and latency at concurrency 20, the gateways taking turns per query.
    const options = (gateway: Gateway, body: string) => ({ url: gateway.url, method: 'POST' as const, headers: HEADERS, body, connections });
    const sizingRequests = Math.round(connections * 5 * Math.max(1, durationSeconds));
    const rows: Record<string, string | number>[] = [];
    const ratios: Record<string, string | number>[] = [];
    // Ratio columns: full÷bare (the aims'), then with --before, before÷bare and full÷before (after against before).
    const pairs: [GatewayName, GatewayName][] = beforeDir ? [['full', 'bare'], ['before', 'bare'], ['full', 'before']] : [['full', 'bare']];
    for (const { name, body } of queries) {
      const amounts = new Map<Gateway, number>();
      for (const gateway of gateways) {
        // Three warm-ups, none counted: a short cold one (JIT, connections), one whose rate sizes the
        // measured turns, then one as long as a measured turn. V8 took ~3,000 Dashboard requests to
        // settle (CPU per query from ~2.9 ms over the first 500 to ~0.9 ms), the full gateway a batch or
        // two of 500 later than the bare one: counting from the 600th request weighed the warm-up of the
        // gateway with more code, most in the layouts with the fewest turns per process.
        await load({ ...options(gateway, body), amount: connections * 5 });
        const warmup = await load({ ...options(gateway, body), amount: sizingRequests });
        amounts.set(gateway, Math.max(connections * 10, Math.round((warmup.requests / warmup.seconds) * durationSeconds)));
        await load({ ...options(gateway, body), amount: amounts.get(gateway)! });
      }
      const totals = new Map(gateways.map((gateway) => [gateway, { requests: 0, seconds: 0, cpuMs: 0, calls: 0, failures: 0, p50: [] as number[], p99: [] as number[], roundCpu: [] as number[] }]));
      for (let round = 0; round < rounds; round += 1) {
        for (const gateway of turnOrder(turns, round)) {
          const total = totals.get(gateway)!;
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
          total.roundCpu.push((cpuAfter - cpuBefore) / Math.max(1, result.requests));
          total.calls += counters.total;
          total.failures += result.errors + result.non2xx + counters.misses;
          total.p50.push(result.p50);
          total.p99.push(result.p99);
        }
      }
      // Per process, then per gateway: its median process.
      const processRate = (gateway: Gateway) => totals.get(gateway)!.requests / totals.get(gateway)!.seconds;
      const processCpu = (gateway: Gateway) => totals.get(gateway)!.cpuMs / Math.max(1, totals.get(gateway)!.requests);
      const requestsPerSecond = (name: GatewayName) => median(processesOf(name).map(processRate));
      const cpuPerQuery = (name: GatewayName) => median(processesOf(name).map(processCpu));
      for (const gatewayName of names) {
        const of = processesOf(gatewayName).map((gateway) => totals.get(gateway)!);
        const sum = (pick: (total: (typeof of)[number]) => number) => of.reduce((all, total) => all + pick(total), 0);
        const cpus = processesOf(gatewayName).map(processCpu);
        rows.push({
          query: name,
          gateway: gatewayName,
          'upstream calls/query': round1(sum((total) => total.calls) / Math.max(1, sum((total) => total.requests))),
          'req/s': Math.round(requestsPerSecond(gatewayName)),
          'p50 (ms)': round1(median(of.map((total) => mean(total.p50)))),
          'p99 (ms)': round1(median(of.map((total) => mean(total.p99)))),
          'CPU ms/query': round2(cpuPerQuery(gatewayName)),
          ...(processes > 1 ? { 'CPU ms/query, processes': `${round2(Math.min(...cpus))}–${round2(Math.max(...cpus))}` } : {}),
          requests: sum((total) => total.requests),
          'errors + non-2xx': sum((total) => total.failures),
        });
      }
      // Paired by round: each round's ratio of the two gateways' median processes in that round, then
      // the median of those. Drift on the machine (a neighbour's load for a minute) moves both sides of
      // one round alike, so this is steadier than the ratio of the whole-run medians when it is noisy.
      const roundCpu = (name: GatewayName, round: number) => median(processesOf(name).map((gateway) => totals.get(gateway)!.roundCpu[round]!));
      const pairedCpuRatios = (a: GatewayName, b: GatewayName) => Array.from({ length: rounds }, (_, round) => roundCpu(a, round) / roundCpu(b, round));
      const ratioColumns = (of: [GatewayName, GatewayName][]) =>
        Object.fromEntries(
          of.flatMap(([a, b]) => {
            const paired = pairedCpuRatios(a, b);
            return [
              [`CPU/query ${a}÷${b}`, `${round2(cpuPerQuery(a) / cpuPerQuery(b))}×`],
              ...(rounds > 1 ? [[`CPU ${a}÷${b} by round (median, range)`, `${round2(median(paired))}× (${round2(Math.min(...paired))}–${round2(Math.max(...paired))})`]] : []),
              [`req/s ${a}÷${b}`, `${round2(requestsPerSecond(a) / requestsPerSecond(b))}×`],
            ];
          }),
        );
      const cpuRatio = cpuPerQuery('full') / cpuPerQuery('bare');
      const throughputRatio = requestsPerSecond('full') / requestsPerSecond('bare');
      const aimed = name === 'Dashboard' || name.startsWith('Portfolio');
      ratios.push({
        query: name,
        'upstream calls/query': callsPerQuery.get(name)!,
        ...ratioColumns(pairs.slice(0, 1)),
        [`aim (CPU ≤ ${AIMS.cpuRatio}×, req/s ≥ ${AIMS.throughputRatio}×)`]: aimed ? (cpuRatio <= AIMS.cpuRatio && throughputRatio >= AIMS.throughputRatio ? 'met' : 'NOT met') : '—',
        ...ratioColumns(pairs.slice(1)),
      });
    }

    // Latency: the upstream at 50 ms a call, concurrency 1, the Dashboard (its calls all go out together).
    // In the same rotation as the gateways: one direct call (the aim's round trip), the Dashboard's own
    // calls made directly and at once, and the floor proxy (those calls through a Node process with no
    // GraphQL). What the floor adds over the direct calls is the machine's; what a gateway adds over the
    // floor is the gateway's.
    const { calls: dashboardCalls } = await counted(() => ask(processesOf('bare')[0]!, DASHBOARD.name, DASHBOARD.body));
    const floorServer = benchServer(['bench/floor-proxy.ts']);
    const floor = await startProcess(
      floorServer.entry,
      { FLOOR_UPSTREAM_URL: upstream.url, FLOOR_CALLS: JSON.stringify(dashboardCalls), FLOOR_HEADERS: JSON.stringify(upstreamHeaders) },
      /Floor proxy: (http:\/\/\S+)/,
      30_000,
      { nodeArgs: floorServer.nodeArgs },
    );
    started.push(floor);
    if (pinned) pinToCores([floor.child.pid!], []);
    const post = { method: 'POST' as const, headers: HEADERS, body: DASHBOARD.body };
    const atOnce = `direct, its ${dashboardCalls.length} calls at once`;
    const targets: LatencyTarget[] = [
      { name: DIRECT, send: exchange(directUrl, { headers: upstreamHeaders }) },
      { name: atOnce, send: allOf(dashboardCalls.map((call) => exchange(`${upstream.url}${call.slice(call.indexOf(' ') + 1)}`, { headers: upstreamHeaders }))) },
      { name: FLOOR, send: exchange(floor.url, post) },
      ...turns.map((gateway) => ({ name: gateway.name, send: exchange(gateway.url, post) })),
    ];
    await fetchJson(fixed('/latency'), 'POST', { ms: UPSTREAM_LATENCY_MS });
    const samples = new Map(targets.map((target) => [target, { p50: [] as number[], p99: [] as number[] }]));
    for (const target of targets) await sequential({ send: target.send, durationSeconds: 0.5 });
    for (let round = 0; round < rounds; round += 1) {
      for (const target of turnOrder(targets, round)) {
        const result = await sequential({ send: target.send, durationSeconds });
        if (result.failures) throw new Error(`Dashboard at ${UPSTREAM_LATENCY_MS} ms: ${target.name} failed ${result.failures} request(s)`);
        samples.get(target)!.p50.push(result.p50);
        samples.get(target)!.p99.push(result.p99);
      }
    }
    await fetchJson(fixed('/latency'), 'POST', { ms: 0 });
    // A gateway's figure is its median process's (a process's: its mean over the rounds), as above.
    const figure = (name: string, of: 'p50' | 'p99') => round1(median(targets.filter((target) => target.name === name).map((target) => mean(samples.get(target)![of]))));
    const latencyOf = (name: string) => figure(name, 'p50');
    const latency = [...new Set(targets.map((target) => target.name))].map((name) => ({
      [`Dashboard at ${UPSTREAM_LATENCY_MS} ms a call`]: name,
      'p50 (ms)': latencyOf(name),
      'p99 (ms)': figure(name, 'p99'),
      'over one direct call (ms)': round1(latencyOf(name) - latencyOf(DIRECT)),
      'over the floor (ms)': round1(latencyOf(name) - latencyOf(FLOOR)),
    }));

    const capitalized = (text: string) => text[0]!.toUpperCase() + text.slice(1);
    const orders = Array.from({ length: Math.min(rounds, names.length) }, (_, round) => turnOrder(names, round).join(', '));
    printTable(
      `${capitalized(names.join(' vs '))} gateway${beforeDir ? ` (before: ${beforeDir})` : ''}, fixed upstream at 0 ms: concurrency ${connections}, keep-alive, ${processes} process(es) each, ${rounds} turn(s) per process of ~${durationSeconds} s per query (${rounds > 1 ? orders.join(', then ') : names.join(', then ')}); CPU from /proc, per request answered; figures of each gateway's median process`,
      rows,
    );
    printTable(`${capitalized(pairs.map(([a, b]) => `${a} ÷ ${b}`).join(', '))} (CPU per query: lower is better; req/s: higher is better)`, ratios);
    printTable(
      `Dashboard at concurrency 1, upstream at ${UPSTREAM_LATENCY_MS} ms a call, all in one rotation: ${DIRECT} (GET account?expand=all, the aim's round trip), ${atOnce}, the ${FLOOR} (a Node proxy making those calls, no GraphQL: \`bench/floor-proxy.ts\`), the gateways`,
      latency,
    );
    const signed = (value: number) => (value < 0 ? `− ${-value}` : `+ ${value}`);
    const floorOver = round1(latencyOf(FLOOR) - latencyOf(DIRECT));
    const left = round1(AIMS.addedLatencyMs - floorOver);
    console.log(
      `The floor: one direct call ${signed(floorOver)} ms (a Node process between client and upstream), ${left > 0 ? `leaving ${left} ms of the aim to GraphQL` : `the aim's ${AIMS.addedLatencyMs} ms gone before any GraphQL`}.`,
    );
    for (const name of names) {
      const over = round1(latencyOf(name) - latencyOf(DIRECT));
      const met = name === 'full' ? ` → aim (≤ one round trip + ${AIMS.addedLatencyMs} ms) ${over <= AIMS.addedLatencyMs ? 'met' : 'NOT met'}` : '';
      console.log(`${name}: one round trip ${signed(over)} ms, the floor ${signed(round1(latencyOf(name) - latencyOf(FLOOR)))} ms (p50 ${latencyOf(name)} ms against ${latencyOf(DIRECT)} ms direct)${met}`);
    }
    console.log('');
    for (const [name, file] of logFiles) console.log(`The ${name} gateway logged ${Math.round(statSync(file).size / 1024)} KiB at info to ${file} (removed now).`);
    failed = false;
    return { rows, ratios, latency };
  } catch (error) {
    // The product gateways' logs are in their files: show their tails.
    for (const [name, file] of logFiles) {
      const logs = existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-20).join('\n') : '';
      if (logs) console.error(`\nLast lines of the ${name} gateway's log (${file}, kept):\n${logs}`);
    }
    throw error;
  } finally {
    // Gateways first (they hold connections to the upstream), then the upstream, then the sandbox.
    for (const { child } of started.reverse()) await stopProcess(child);
    if (!failed) for (const file of logFiles.values()) rmSync(file, { force: true });
  }
}
