/**
 * Sandbox throughput: the sandbox must never be the bottleneck when the gateway is measured.
 * Runs the sandbox in its own process and loads `GET /v2/accounts/{id}` and a paged store list with
 * keep-alive at concurrency 50. Target on the 2-core machine: at least 5,000 requests a second each.
 */
import { DEMO_CREDENTIALS } from '../src/sandbox/index.ts';
import { seedState } from '../src/sandbox/seed/index.ts';
import { createEmptyState } from '../src/sandbox/state.ts';
import { LARGE_STORE_ACCOUNT_ID } from '../src/sandbox/seed/portfolio.ts';
import { load, printTable, startProcess, stopProcess } from './utils.ts';

/** How long seeding the default portfolio takes (it happens at every sandbox start). */
function seedTimings(): number[] {
  return [0, 1, 2].map(() => {
    const started = performance.now();
    seedState(createEmptyState(), { accounts: 25, seed: 20_250_101, now: Date.now() });
    return Math.round((performance.now() - started) * 10) / 10;
  });
}

export async function benchSandbox({ durationSeconds = 5 } = {}) {
  console.log(`\nSeeding 25 accounts and the docs samples: ${seedTimings().join(' ms, ')} ms (three runs)`);
  const { url, child } = await startProcess('src/sandbox/cli.ts', { SANDBOX_PORT: '0' }, /listening on (http:\/\/\S+)/);
  const headers = {
    authorization: `Basic ${DEMO_CREDENTIALS.apiKey}`,
    'klarna-integration-metadata': JSON.stringify({ integrator: { name: 'BENCH', session_reference: 'bench' } }),
  };
  const scenarios = [
    { name: 'GET /v2/accounts/{id}', path: `/v2/accounts/${encodeURIComponent('krn:partner:global:account:live:LWT2XJSE')}` },
    { name: 'GET /v2/accounts/{id}/stores?size=50', path: `/v2/accounts/${encodeURIComponent(LARGE_STORE_ACCOUNT_ID)}/stores?size=50` },
  ];
  const rows = [];
  try {
    for (const scenario of scenarios) {
      // A short warm-up so JIT and keep-alive sockets are in place before measuring.
      await load({ url: `${url}${scenario.path}`, connections: 50, durationSeconds: 1, headers });
      const result = await load({ url: `${url}${scenario.path}`, connections: 50, durationSeconds, headers });
      rows.push({ scenario: scenario.name, 'req/s': result.requestsPerSecond, 'p50 ms': result.p50, 'p99 ms': result.p99, errors: result.errors, non2xx: result.non2xx });
    }
  } finally {
    await stopProcess(child);
  }
  printTable('Sandbox throughput (keep-alive, concurrency 50, separate process)', rows);
  return rows;
}
