/**
 * `node --import tsx bench/report-pages.ts [rows]`: how long a settlement report page takes, first and
 * deep, on a generated report (default 1,000,000 rows) with deadlines raised so that a slow page is
 * measured, not cut. One run each; the numbers are wall-clock on whatever machine runs it.
 */
import { request } from 'undici';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startSandbox } from '../src/sandbox/index.ts';
import { rowCursor } from '../src/schema/settlement-report-plan.ts';
import { startGateway } from '../src/server.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const sandbox = await startSandbox({ accounts: 1 });
const config = loadConfig({
  NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent',
  OPERATION_DEADLINE_MS: '120000', UPSTREAM_DEADLINE_MS: '120000', UPSTREAM_BODY_TIMEOUT_MS: '120000',
});
const gateway = await startGateway(config, { managementUrl: sandbox.url, cardServiceUrl: sandbox.url, serverAuthorization: `Basic ${sandbox.credentials.apiKey}` }, { logger: createLogger({ level: 'silent' }) });

const made = await request(`${sandbox.url}/__sandbox/settlements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transactions: rows }) });
const { settlement_id: id } = (await made.body.json()) as { settlement_id: string };

const query = `query ($id: ID!, $after: String) { settlement(id: $id) { report { rows(first: 20, after: $after) { edges { cursor } } } } }`;
async function page(label: string, after?: number) {
  const started = performance.now();
  const response = await request(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: { id, ...(after !== undefined ? { after: rowCursor(after) } : {}) } }),
  });
  const body = (await response.body.json()) as { errors?: unknown[]; data?: { settlement?: { report?: { rows?: { edges: unknown[] } } } } };
  const ms = performance.now() - started;
  console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms  rows ${body.data?.settlement?.report?.rows?.edges.length ?? 0}${body.errors ? `  errors ${JSON.stringify(body.errors).slice(0, 200)}` : ''}`);
}

console.log(`settlement report of ${rows.toLocaleString('en')} rows`);
await page('first page (first read)');
const deep = Math.floor(rows * 0.9);
await page(`page after row ${deep.toLocaleString('en')} (1st)`, deep);
// Every page up to row `deep` has been passed once now: each of these is a ranged download.
for (const after of [deep, deep + 20, Math.floor(rows * 0.5), Math.floor(rows * 0.25) + 7_777, Math.floor(rows * 0.75)]) {
  await page(`page after row ${after.toLocaleString('en')}`, after);
}
// Past the deepest row any read has passed: skipped from the last checkpoint.
await page(`page after row ${(rows - 30).toLocaleString('en')} (past it)`, rows - 30);
await page(`page after row ${(rows - 30).toLocaleString('en')} (again)`, rows - 30);
await gateway.close({ graceMs: 1000 });
await sandbox.close();
