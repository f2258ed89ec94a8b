/**
 * `npm run bench -- report-pages [--rows 1000000] [--indexing 2]`: how long a settlement report page
 * takes, first and deep, on a generated report (default 1,000,000 rows), with deadlines raised so that a
 * slow page is measured, not cut. Gateway and sandbox in this process (the sandbox generates the report;
 * its first rendering is seconds of CPU shared with the gateway).
 *
 * After the first page, the gateway indexes the rest of the report in the background
 * (`REPORT_INDEXING_CONCURRENCY`, `--indexing`; 0: off, as before it existed): the bench waits until it is
 * done, then reads pages no read has passed (at 90%, the end, and across the report), each once. With
 * `--indexing 0` those pages are each the first read past their rows. One run each; the numbers are
 * wall-clock on whatever machine runs it.
 */
import { request } from 'undici';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startSandbox } from '../src/sandbox/index.ts';
import { rowCursor } from '../src/schema/settlement-report-plan.ts';
import { startGateway } from '../src/server.ts';

export interface ReportPagesOptions {
  rows: number;
  /** Background indexings at once (`REPORT_INDEXING_CONCURRENCY`); 0: none. */
  indexing: number;
}

export function reportPagesOptions(flags: Record<string, string | true>): ReportPagesOptions {
  const number = (flag: string, fallback: number, min: number) => {
    const raw = flags[flag];
    const value = raw === undefined || raw === true ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${flag} must be an integer ≥ ${min} (got ${String(raw)})`);
    return value;
  };
  return { rows: number('rows', 1_000_000, 1), indexing: number('indexing', 2, 0) };
}

export async function benchReportPages({ rows, indexing }: ReportPagesOptions) {
  const sandbox = await startSandbox({ accounts: 1 });
  const config = loadConfig({
    NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent',
    OPERATION_DEADLINE_MS: '120000', UPSTREAM_DEADLINE_MS: '120000', UPSTREAM_BODY_TIMEOUT_MS: '120000',
    REPORT_INDEXING_CONCURRENCY: String(indexing),
  });
  const gateway = await startGateway(config, { managementUrl: sandbox.url, cardServiceUrl: sandbox.url, serverAuthorization: `Basic ${sandbox.credentials.apiKey}` }, { logger: createLogger({ level: 'silent' }) });
  try {
    const made = await request(`${sandbox.url}/__sandbox/settlements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transactions: rows }) });
    const { settlement_id: id } = (await made.body.json()) as { settlement_id: string };
    const query = `query ($id: ID!, $after: String) { settlement(id: $id) { report { rows(first: 20, after: $after) { edges { cursor } } } } }`;
    const results: { page: string; ms: number; rows: number; errors: string }[] = [];
    const page = async (label: string, after?: number) => {
      const started = performance.now();
      const response = await request(gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: { id, ...(after !== undefined ? { after: rowCursor(after) } : {}) } }),
      });
      const body = (await response.body.json()) as { errors?: unknown[]; data?: { settlement?: { report?: { rows?: { edges: unknown[] } } } } };
      results.push({
        page: label,
        ms: Math.round(performance.now() - started),
        rows: body.data?.settlement?.report?.rows?.edges.length ?? 0,
        errors: body.errors ? JSON.stringify(body.errors).slice(0, 120) : '',
      });
    };

    await page('first page (first read)');
    const { counts } = gateway.reportIndexes;
    const waited = performance.now();
    if (indexing > 0) while (counts.started > counts.completed) await new Promise((resolve) => setTimeout(resolve, 50));
    const indexedMs = Math.round(performance.now() - waited);
    // Pages past any read so far (with indexing: each resumed from the checkpoint before it).
    for (const after of [Math.floor(rows * 0.9), rows - 30, Math.floor(rows * 0.5) + 3, Math.floor(rows * 0.25) + 7_777, Math.floor(rows * 0.75) + 11]) {
      await page(`page after row ${after.toLocaleString('en')}`, after);
    }
    await page(`page after row ${(rows - 30).toLocaleString('en')} (again)`, rows - 30);
    console.log(`\nsettlement report of ${rows.toLocaleString('en')} rows; background indexing ${indexing ? `on (${indexing}); done ${indexedMs} ms after the first page (${counts.completed} completed)` : 'off'}`);
    console.table(results);
  } finally {
    await gateway.close({ graceMs: 1000 });
    await sandbox.close();
  }
}
