/**
 * `npm run bench -- faults [--dashboards 3000] [--concurrency 20] [--redis-queries 200] [--part klarna|redis]`:
 * reads under Klarna's faults, then while Redis is away (`redis-outage.ts`) (issue #13).
 *
 * The sandbox (its own process, fault injection through `POST /__sandbox/faults`) and the full gateway
 * (its own process, `src/main.ts`, production settings, passthrough auth) on loopback. For each scenario
 * a fresh gateway (fresh breakers and retry budget) first answers one Dashboard with no fault: the
 * reference. Then the faults are switched on and `--dashboards` Dashboards run at `--concurrency`; each
 * answer is sorted:
 *
 * - complete: data, no error, byte-identical to the reference;
 * - partial: the account with some fields null and errors;
 * - failed: no account (an error at the top, or an HTTP failure);
 * - wrong: any answer whose non-null data differs from the reference (counted besides the above).
 *
 * Scenarios: the mix (per attempt 10% 503, 5% 429, 2% dropped connections; aim ≥ 99.9%
 * complete, 0 wrong), then 30% 503 with the breaker on and off (a third of the Dashboards each).
 * The gateway's own counters (`/metrics`: attempts by outcome) show what the retries cost Klarna.
 */
import { request } from 'undici';
import { DASHBOARD_QUERY } from '../src/examples.ts';
import { DEMO_CREDENTIALS } from '../src/sandbox/seed/index.ts';
import { benchRedisOutage } from './redis-outage.ts';
import { fetchJson, printTable, startProcess, stopProcess } from './utils.ts';

const SEED = 20_250_101;
const HEADERS = { 'content-type': 'application/json', accept: 'application/json', authorization: `Basic ${DEMO_CREDENTIALS.apiKey}` };
const BODY = JSON.stringify({ query: DASHBOARD_QUERY });

export interface FaultsOptions {
  dashboards: number;
  concurrency: number;
  /** Dashboards per Redis state in the Redis part. */
  redisQueries: number;
  /** Only one part: Klarna's faults, or Redis away. */
  part?: 'klarna' | 'redis';
}

export function faultsOptions(flags: Record<string, string | true>): FaultsOptions {
  const number = (flag: string, fallback: number) => {
    const raw = flags[flag];
    const value = raw === undefined || raw === true ? fallback : Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${flag} must be a positive integer (got ${String(raw)})`);
    return value;
  };
  const part = flags.part;
  if (part !== undefined && part !== 'klarna' && part !== 'redis') throw new Error(`--part must be klarna or redis (got ${String(part)})`);
  return { dashboards: number('dashboards', 3_000), concurrency: number('concurrency', 20), redisQueries: number('redis-queries', 200), ...(part ? { part } : {}) };
}

/**
 * Per attempt, whatever the operation: `drop` of the connections dropped, then `r429` and `r503` of all
 * attempts answered with that status (the sandbox draws the drop first, then 429, then 503, so the
 * rates it is given are conditional on the earlier draws not striking).
 */
function faultRule({ drop = 0, r429 = 0, r503 = 0 }: { drop?: number; r429?: number; r503?: number }) {
  const after429 = (1 - drop) * (1 - r429 / (1 - drop));
  return { dropRate: drop, errorRates: { 429: r429 / (1 - drop), 503: r503 / after429 } };
}

interface Scenario {
  name: string;
  rule: ReturnType<typeof faultRule>;
  dashboards: number;
  env?: Record<string, string>;
}

type Answer = { data?: { account?: unknown } | null; errors?: unknown[] };

/** Whether every non-null value of `answer` equals the reference's at the same place (nulls are a partial answer's holes). */
function consistent(answer: unknown, reference: unknown): boolean {
  if (answer === null) return true;
  if (Array.isArray(answer)) return Array.isArray(reference) && answer.length === reference.length && answer.every((item, index) => consistent(item, reference[index]));
  if (typeof answer === 'object') {
    if (typeof reference !== 'object' || reference === null) return false;
    return Object.entries(answer as Record<string, unknown>).every(([key, value]) => consistent(value, (reference as Record<string, unknown>)[key]));
  }
  return answer === reference;
}

async function ask(url: string): Promise<{ status: number; answer?: Answer }> {
  try {
    const response = await request(url, { method: 'POST', headers: HEADERS, body: BODY, headersTimeout: 60_000, bodyTimeout: 60_000 });
    const text = await response.body.text();
    return { status: response.statusCode, answer: text ? (JSON.parse(text) as Answer) : undefined };
  } catch {
    return { status: 0 };
  }
}

/** Attempts to Klarna by outcome (`200`, `503`, `timeout`, `circuit_open`, ...), from the gateway's `/metrics`. */
async function attempts(gatewayUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const byOutcome: Record<string, number> = {};
  for (const [, outcome, value] of text.matchAll(/^klarna_upstream_requests_total\{[^}]*outcome="([^"]+)"[^}]*\} (\S+)$/gm)) {
    byOutcome[outcome!] = (byOutcome[outcome!] ?? 0) + Number(value);
  }
  return byOutcome;
}

async function runScenario(sandboxUrl: string, scenario: Scenario, concurrency: number) {
  const env = {
    NODE_ENV: 'production',
    PORT: '0',
    LOG_LEVEL: 'warn',
    KLARNA_MANAGEMENT_URL: sandboxUrl,
    KLARNA_CARD_SERVICE_URL: sandboxUrl,
    AUTH_MODE: 'passthrough',
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_FAILURES_PER_MINUTE: '0',
    GRAPHIQL: 'false',
    ...scenario.env,
  };
  const gateway = await startProcess('src/main.ts', env, /Klarna Partner Gateway: (http:\/\/\S+\/graphql)/);
  const base = gateway.url.replace(/\/graphql$/, '');
  try {
    await fetchJson(`${sandboxUrl}/__sandbox/faults`, 'DELETE');
    const first = await ask(gateway.url);
    if (first.status !== 200 || first.answer?.errors?.length || !first.answer?.data?.account) throw new Error(`${scenario.name}: no fault-free reference answer: ${JSON.stringify(first).slice(0, 500)}`);
    const reference = JSON.stringify(first.answer.data);
    const referenceData = first.answer.data;
    const before = await attempts(base);

    await fetchJson(`${sandboxUrl}/__sandbox/faults`, 'POST', scenario.rule);
    const counts = { complete: 0, partial: 0, failed: 0, wrong: 0 };
    const errorCodes: Record<string, number> = {};
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < scenario.dashboards) {
          next += 1;
          const { status, answer } = await ask(gateway.url);
          for (const error of answer?.errors ?? []) {
            const code = String((error as { extensions?: { code?: string } }).extensions?.code ?? 'none');
            errorCodes[code] = (errorCodes[code] ?? 0) + 1;
          }
          const data = answer?.data;
          if (status !== 200 || !data?.account) counts.failed += 1;
          else if (answer?.errors?.length) counts.partial += 1;
          else counts.complete += 1;
          if (data && (answer?.errors?.length ? !consistent(data, referenceData) : JSON.stringify(data) !== reference)) counts.wrong += 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await fetchJson(`${sandboxUrl}/__sandbox/faults`, 'DELETE');
    const after = await attempts(base);
    const delta: Record<string, number> = {};
    for (const [outcome, value] of Object.entries(after)) if (value - (before[outcome] ?? 0)) delta[outcome] = value - (before[outcome] ?? 0);
    const sent = Object.entries(delta).filter(([outcome]) => outcome !== 'circuit_open').reduce((sum, [, value]) => sum + value, 0);
    return {
      row: {
        scenario: scenario.name,
        dashboards: scenario.dashboards,
        complete: counts.complete,
        partial: counts.partial,
        failed: counts.failed,
        wrong: counts.wrong,
        'complete %': Math.round((counts.complete / scenario.dashboards) * 10_000) / 100,
        'attempts sent': sent,
        'refused by breaker': delta.circuit_open ?? 0,
        seconds: Math.round(seconds * 10) / 10,
      },
      outcomes: delta,
      errorCodes,
    };
  } finally {
    await stopProcess(gateway.child);
  }
}

export async function benchFaults({ dashboards = 3_000, concurrency = 20, redisQueries = 200, part }: Partial<FaultsOptions> = {}) {
  const klarna = part === 'redis' ? [] : await benchKlarnaFaults(dashboards, concurrency);
  const redis = part === 'klarna' ? [] : await benchRedisOutage({ queries: redisQueries });
  return { klarna, redis };
}

async function benchKlarnaFaults(dashboards: number, concurrency: number) {
  const sandbox = await startProcess('src/sandbox/cli.ts', { SANDBOX_PORT: '0', SANDBOX_SEED: String(SEED) }, /listening on (http:\/\/\S+)\s/);
  const third = Math.max(1, Math.round(dashboards / 3));
  const scenarios: Scenario[] = [
    { name: 'mix: 10% 503, 5% 429, 2% drop', rule: faultRule({ drop: 0.02, r429: 0.05, r503: 0.1 }), dashboards },
    { name: '30% 503, breaker on', rule: faultRule({ r503: 0.3 }), dashboards: third },
    // Off: the breaker switch (UPSTREAM_BREAKER=false). (The numbers of main before it were taken with UPSTREAM_BREAKER_THRESHOLD=1000, never reached.)
    { name: '30% 503, breaker off', rule: faultRule({ r503: 0.3 }), dashboards: third, env: { UPSTREAM_BREAKER: 'false' } },
  ];
  const rows: Record<string, string | number>[] = [];
  try {
    for (const scenario of scenarios) {
      const { row, outcomes, errorCodes } = await runScenario(sandbox.url, scenario, concurrency);
      rows.push(row);
      console.log(`${scenario.name}: attempts by outcome ${JSON.stringify(outcomes)}; error codes ${JSON.stringify(errorCodes)}`);
    }
  } finally {
    await stopProcess(sandbox.child);
  }
  printTable(`Dashboards under injected faults (concurrency ${concurrency}; aim for the mix: ≥ 99.9% complete, 0 wrong)`, rows);
  return rows;
}
