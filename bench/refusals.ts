/**
 * How fast the gateway refuses what it must refuse: hostile documents (aliases, directives, tokens,
 * depth), operations planned over their cost (upstream calls, answer rows), bad input (an id that is no KRN, a page or id list over its cap), an oversized body, a
 * batch over its limit, and a caller over its rate limit. Each case is sent one request after another
 * over one keep-alive connection for `durationSeconds`; it reports p50/p99, the answer's code and HTTP
 * status, and the upstream calls the whole run made (the sandbox's counters: the aim is 0).
 * Aim: every refusal answered in single-digit milliseconds at p99, with no upstream call.
 */
import { request } from 'undici';
import { DEMO_CREDENTIALS } from '../src/sandbox/seed/index.ts';
import { fetchJson, printTable, startProcess, stopProcess } from './utils.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const repeat = (count: number, make: (index: number) => string) => Array.from({ length: count }, (_, index) => make(index)).join(' ');
const nested = (levels: number) => {
  let selection = 'name';
  for (let level = 0; level < levels; level += 1) selection = `account(id: "${ACCOUNT}") { ${selection} }`;
  return `{ ${selection} }`;
};
const operation = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

/** What each case sends, and the `extensions.code` the refusal must carry. */
const cases: { name: string; body: string; code: string }[] = [
  { name: '100 aliases', body: operation(`{ ${repeat(100, (i) => `a${i}: apiKeys { klarnaId }`)} }`), code: 'TOO_MANY_ALIASES' },
  { name: '60 directives', body: operation(`{ account(id: "${ACCOUNT}") { name ${repeat(60, () => '@include(if: true)')} } }`), code: 'TOO_MANY_DIRECTIVES' },
  { name: '1,200 tokens', body: operation(`{ account(id: "${ACCOUNT}") { ${repeat(1_200, () => 'name')} } }`), code: 'TOO_MANY_TOKENS' },
  { name: 'depth 14', body: operation(nested(14)), code: 'QUERY_TOO_DEEP' },
  // 100 accounts with two lists each: 300 planned calls against 200 (the planner walks all 100).
  {
    name: 'calls over limit',
    body: operation('query($ids: [ID!]!) { accounts(ids: $ids) { stores(first: 5) { edges { node { url } } } complianceDecisions(first: 5) { edges { node { type } } } } }', {
      ids: Array.from({ length: 100 }, (_, i) => `krn:partner:global:account:live:FANOUT${i}`),
    }),
    code: 'QUERY_TOO_COSTLY',
  },
  {
    name: 'rows over limit',
    body: operation(`{ accounts(ids: ["${ACCOUNT}", "${ACCOUNT}"]) { storeGroups(first: 100) { edges { node { stores(first: 100) { edges { node { id } } } } } } } }`),
    code: 'RESULT_TOO_LARGE',
  },
  { name: 'id not a KRN', body: operation('query($id: ID!) { account(id: $id) { name } }', { id: 'LWT2XJSE' }), code: 'BAD_USER_INPUT' },
  { name: 'accounts(ids) × 101', body: operation('query($ids: [ID!]!) { accounts(ids: $ids) { name } }', { ids: Array.from({ length: 101 }, () => ACCOUNT) }), code: 'BAD_USER_INPUT' },
  { name: 'page of 500', body: operation(`{ account(id: "${ACCOUNT}") { brands(first: 500) { edges { node { id } } } } }`), code: 'BAD_USER_INPUT' },
  { name: 'body of 1.1 MiB', body: operation(`{ account(id: "${ACCOUNT}") { name } }`, { padding: 'x'.repeat(1_100_000) }), code: 'REQUEST_TOO_LARGE' },
  {
    name: 'batch of 11',
    body: JSON.stringify(Array.from({ length: 11 }, (_, i) => ({ query: `query Q${i} { account(id: "${ACCOUNT}") { name } }` }))),
    code: 'BATCH_TOO_LARGE',
  },
  // Sent to a second gateway that allows one operation a minute, after that one.
  { name: 'over the rate limit', body: operation('{ __typename }'), code: 'RATE_LIMITED' },
];

interface Sample {
  ms: number;
  status: number;
  code: string | undefined;
}

/** `body` is encoded once by the caller: the bench measures the gateway, not its own string copies. */
async function send(url: string, body: string | Buffer): Promise<Sample> {
  const started = performance.now();
  const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body });
  const answer = (await response.body.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { ms: performance.now() - started, status: response.statusCode, code: answer.errors?.[0]?.extensions?.code };
}

export async function benchRefusals({ durationSeconds = 2 } = {}) {
  const started: Awaited<ReturnType<typeof startProcess>>[] = [];
  try {
    const sandbox = await startProcess('src/sandbox/cli.ts', { SANDBOX_PORT: '0' }, /listening on (http:\/\/\S+)\s/);
    started.push(sandbox);
    const startGateway = async (ratePerMinute: string) => {
      const env = { PORT: '0', KLARNA_MANAGEMENT_URL: sandbox.url, KLARNA_CARD_SERVICE_URL: sandbox.url, KLARNA_API_KEY: DEMO_CREDENTIALS.apiKey, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: ratePerMinute };
      const gateway = await startProcess('src/main.ts', env, /Klarna Partner Gateway: (http:\/\/\S+\/graphql)/);
      started.push(gateway);
      return gateway.url;
    };
    // Rate limits off, so every refusal is its own; and one operation a minute, for the rate limit's.
    const open = await startGateway('0');
    const limited = await startGateway('1');
    const admin = (path: string) => `${sandbox.url}/__sandbox${path}`;
    const rows = [];
    await send(limited, operation('{ __typename }')); // spends the minute's one operation
    for (const { name, code, ...rest } of cases) {
      const body = Buffer.from(rest.body);
      const url = code === 'RATE_LIMITED' ? limited : open;
      await fetchJson(admin('/counters'), 'DELETE');
      const samples: Sample[] = [];
      for (const until = performance.now() + durationSeconds * 1000; performance.now() < until; ) samples.push(await send(url, body));
      const upstream = await fetchJson<{ total: number }>(admin('/counters'), 'GET');
      const wrong = samples.filter((sample) => sample.code !== code).length;
      const ms = samples.map((sample) => sample.ms).sort((a, b) => a - b);
      const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]! * 100) / 100;
      rows.push({
        case: name,
        code: samples[0]?.code ?? '(none)',
        status: samples[0]?.status ?? 0,
        requests: samples.length,
        'p50 (ms)': at(0.5),
        'p99 (ms)': at(0.99),
        'upstream calls': upstream.total,
        'answers without the code': wrong,
      });
    }
    printTable(`Refusals: one request after another over one connection, ${durationSeconds} s per case`, rows);
    const worst = Math.max(...rows.map((row) => row['p99 (ms)']));
    const calls = rows.reduce((sum, row) => sum + row['upstream calls'], 0);
    const wrong = rows.reduce((sum, row) => sum + row['answers without the code'], 0);
    console.log(`Aim: every refusal under 10 ms at p99, no upstream call, always its code: worst p99 ${worst} ms, ${calls} upstream calls, ${wrong} answers without their code → ${worst < 10 && calls === 0 && wrong === 0 ? 'met' : 'NOT met'}`);
    return rows;
  } finally {
    for (const { child } of started.reverse()) await stopProcess(child);
  }
}
