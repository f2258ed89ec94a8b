/**
 * The read graph end to end: the sandbox and the gateway each in their own process (`src/sandbox/cli.ts`,
 * `src/main.ts` pointed at it), the example queries sent to the gateway. For each query it reports
 * - with the sandbox at 0 ms: requests a second and p50/p99 at concurrency 20 (autocannon, keep-alive),
 *   upstream calls per query over that run, and p50 at concurrency 1;
 * - with the sandbox at 50 ms a call: upstream calls and the most in flight at once (sandbox counters,
 *   one query), p50 at concurrency 1, the upstream rounds that p50 implies and the gateway's added latency.
 * Aims: `Dashboard` p50 within 3 ms of one upstream round trip; `Portfolio` 20 calls, all in flight together.
 */
import { CARD_QUERY, DASHBOARD_QUERY, PORTFOLIO_QUERY, SETTLEMENT_QUERY } from '../src/examples.ts';
import { DEMO_CREDENTIALS } from '../src/sandbox/seed/index.ts';
import { portfolioAccountIds } from '../src/sandbox/seed/portfolio.ts';
import { fetchJson, load, printTable, sequential, startProcess, stopProcess } from './utils.ts';

const SEED = 20_250_101;
const PORTFOLIO_SIZE = 20;
const UPSTREAM_LATENCY_MS = 50;
const DOCS_ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';

interface Counters {
  total: number;
  peakInFlight: number;
  byOperation: Record<string, { total: number }>;
}

const queries = [
  { name: 'Dashboard', query: DASHBOARD_QUERY },
  { name: 'Settlement', query: SETTLEMENT_QUERY },
  { name: 'Card', query: CARD_QUERY },
  { name: `Portfolio (${PORTFOLIO_SIZE})`, query: PORTFOLIO_QUERY, variables: { ids: portfolioAccountIds(SEED, PORTFOLIO_SIZE) } },
].map((q) => ({ name: q.name, body: JSON.stringify({ query: q.query, variables: q.variables ?? {} }) }));

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** One query; throws unless the answer has data and no `errors` (a 200 may still carry errors). */
async function checkAnswer(graphqlUrl: string, name: string, body: string): Promise<void> {
  const answer = await fetchJson<{ data?: Record<string, unknown> | null; errors?: unknown[] }>(graphqlUrl, 'POST', JSON.parse(body), JSON_HEADERS);
  const root = answer.data && Object.values(answer.data)[0];
  if (answer.errors?.length || !root) throw new Error(`${name} answered with errors or no data: ${JSON.stringify(answer).slice(0, 500)}`);
  if (name.startsWith('Portfolio') && (root as unknown[]).length !== PORTFOLIO_SIZE) throw new Error(`${name} returned ${(root as unknown[]).length} accounts`);
}

export async function benchGateway({ durationSeconds = 4, connections = 20 } = {}) {
  const started: Awaited<ReturnType<typeof startProcess>>[] = [];
  try {
    const sandbox = await startProcess('src/sandbox/cli.ts', { SANDBOX_PORT: '0', SANDBOX_SEED: String(SEED) }, /listening on (http:\/\/\S+)\s/);
    started.push(sandbox);
    const gateway = await startProcess(
      'src/main.ts',
      { PORT: '0', KLARNA_MANAGEMENT_URL: sandbox.url, KLARNA_CARD_SERVICE_URL: sandbox.url, KLARNA_API_KEY: DEMO_CREDENTIALS.apiKey, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' },
      /Klarna Partner Gateway: (http:\/\/\S+\/graphql)/,
    );
    started.push(gateway);
    const admin = (path: string) => `${sandbox.url}/__sandbox${path}`;
    const counters = async (run: () => Promise<unknown>) => {
      await fetchJson(admin('/counters'), 'DELETE');
      await run();
      return fetchJson<Counters>(admin('/counters'), 'GET');
    };
    await fetchJson(admin('/faults'), 'DELETE');

    // Regime 1: upstream at 0 ms, concurrency 20. Runs are counted, not timed (see `load`): a timed run
    // ends by dropping its in-flight requests, the gateway aborts their upstream calls, and (as of this
    // writing) counts those aborts against its circuit breaker, which then fails the next queries fast.
    // The request count is sized from the warm-up's rate to last about `durationSeconds`.
    const throughput = [];
    for (const { name, body } of queries) {
      await checkAnswer(gateway.url, name, body);
      // Concurrency 1 first: the gateway's and the sandbox's own time per query, with nothing to wait on.
      await sequential({ url: gateway.url, method: 'POST', headers: JSON_HEADERS, body, durationSeconds: 0.5 });
      const alone = await sequential({ url: gateway.url, method: 'POST', headers: JSON_HEADERS, body, durationSeconds: 2 });
      const options = { url: gateway.url, method: 'POST' as const, headers: JSON_HEADERS, body, connections };
      // Two warm-up runs: the first is cold (JIT, connections); the second's rate sizes the measured run.
      await load({ ...options, amount: connections * 25 });
      const warmup = await load({ ...options, amount: connections * 25 });
      const amount = Math.max(connections * 10, Math.round((warmup.requests / warmup.seconds) * durationSeconds));
      let result!: Awaited<ReturnType<typeof load>>;
      const seen = await counters(async () => {
        result = await load({ ...options, amount });
      });
      await checkAnswer(gateway.url, name, body);
      throughput.push({
        query: name,
        requests: result.requests,
        'req/s': Math.round(result.requests / result.seconds),
        'p50 (ms)': result.p50,
        'p99 (ms)': result.p99,
        'upstream calls/query': round1(seen.total / Math.max(1, result.requests)),
        'errors + non-2xx': result.errors + result.non2xx + alone.failures,
        'p50 at concurrency 1 (ms)': alone.p50,
      });
    }

    // Regime 2: every upstream call takes 50 ms more; concurrency 1.
    await fetchJson(admin('/faults'), 'POST', { latencyMs: UPSTREAM_LATENCY_MS });
    // The baseline round trip: the Dashboard's heaviest call (its account with every expansion), direct.
    const accountPath = `/v2/accounts/${encodeURIComponent(DOCS_ACCOUNT)}?expand=brands,partner_busines_entities,products,store_groups,store_groups.stores`;
    const upstreamHeaders = { authorization: `Basic ${DEMO_CREDENTIALS.apiKey}`, 'klarna-integration-metadata': JSON.stringify({ integrator: { name: 'BENCH', session_reference: 'bench' } }) };
    await sequential({ url: `${sandbox.url}${accountPath}`, headers: upstreamHeaders, durationSeconds: 0.5 });
    const roundTrip = await sequential({ url: `${sandbox.url}${accountPath}`, headers: upstreamHeaders, durationSeconds: 2 });
    const latency = [];
    const operations: string[] = [];
    for (const { name, body } of queries) {
      const seen = await counters(() => checkAnswer(gateway.url, name, body));
      await sequential({ url: gateway.url, method: 'POST', headers: JSON_HEADERS, body, durationSeconds: 0.5 });
      const result = await sequential({ url: gateway.url, method: 'POST', headers: JSON_HEADERS, body, durationSeconds });
      // Each sequential upstream round costs at least 50 ms, and the gateway adds far less than 50 ms.
      const rounds = Math.floor(result.p50 / UPSTREAM_LATENCY_MS);
      latency.push({
        query: name,
        'upstream calls': seen.total,
        'peak in flight': seen.peakInFlight,
        'p50 (ms)': result.p50,
        'p99 (ms)': result.p99,
        'rounds (p50 ÷ 50 ms)': rounds,
        'added over rounds×50 ms (ms)': round1(result.p50 - rounds * UPSTREAM_LATENCY_MS),
        'added over rounds×direct p50 (ms)': round1(result.p50 - rounds * roundTrip.p50),
        'all in flight together': seen.peakInFlight === seen.total ? 'yes' : 'no',
        failures: result.failures,
      });
      operations.push(`  ${name}: ${Object.entries(seen.byOperation).map(([op, { total }]) => `${op} ×${total}`).join(', ')}`);
    }
    await fetchJson(admin('/faults'), 'DELETE');

    printTable(`Gateway, sandbox at 0 ms: concurrency ${connections}, keep-alive, 2 × ${connections * 25} warm-up requests, then as many as the warm-up's rate gives in ~${durationSeconds} s`, throughput);
    printTable(
      `Gateway, sandbox at ${UPSTREAM_LATENCY_MS} ms per call: concurrency 1, ${durationSeconds} s per query (direct sandbox GET account?expand=all: p50 ${roundTrip.p50} ms, p99 ${roundTrip.p99} ms)`,
      latency,
    );
    console.log(`Upstream operations per query (one query at 50 ms):\n${operations.join('\n')}`);
    const dashboard = latency[0]!;
    const portfolio = latency[3]!;
    // "One upstream round trip" is the measured direct call (50 ms plus the sandbox's own time).
    const dashboardAdded = round1(dashboard['p50 (ms)'] - roundTrip.p50);
    const dashboardMet = dashboardAdded <= 3 && dashboard['rounds (p50 ÷ 50 ms)'] === 1;
    console.log(
      `\nAim: Dashboard p50 within 3 ms of one upstream round trip: ${dashboard['p50 (ms)']} ms − ${roundTrip.p50} ms (direct) = ${dashboardAdded} ms` +
        ` (${dashboard['added over rounds×50 ms (ms)']} ms over the nominal 50 ms), ${dashboard['rounds (p50 ÷ 50 ms)']} round(s) → ${dashboardMet ? 'met' : 'NOT met'}`,
    );
    const portfolioMet = portfolio['upstream calls'] === PORTFOLIO_SIZE && portfolio['peak in flight'] === PORTFOLIO_SIZE;
    console.log(`Aim: Portfolio exactly ${PORTFOLIO_SIZE} calls, all in flight together: ${portfolio['upstream calls']} calls, peak ${portfolio['peak in flight']} → ${portfolioMet ? 'met' : 'NOT met'}`);
    return { throughput, latency, roundTrip };
  } catch (error) {
    // The gateway logs (warn and up) to stdout, which the bench keeps rather than prints: show its tail.
    const logs = started[1]?.output().split('\n').slice(-20).join('\n');
    if (logs) console.error(`\nLast gateway output:\n${logs}`);
    throw error;
  } finally {
    // Gateway first (it holds connections to the sandbox), then the sandbox; also on failure.
    for (const { child } of started.reverse()) await stopProcess(child);
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
