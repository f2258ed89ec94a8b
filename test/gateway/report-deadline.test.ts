/**
 * A settlement report page whose parse outlives the operation's deadline answers OPERATION_TIMEOUT on
 * its rows, and the rest of the settlement is answered. Issue #13 saw a deeper page of a 1M-line report
 * wait forever when the deadline aborted the download under `pipe`: the second case cuts a download
 * while it streams (the sandbox's slow body), which never answered with `stream.pipe(parse())`.
 */
import { describe, expect, it } from 'vitest';
import { csvDownloads } from '../../src/sandbox/settlement-csv.ts';
import { HUGE_SETTLEMENT_ID } from '../../src/sandbox/seed/portfolio-settlements.ts';
import { rowCursor } from '../../src/schema/settlement-report-plan.ts';
import { gql, useGateway } from '../utils/gateway.ts';

describe('settlement report under a deadline', () => {
  const context = useGateway({ env: { OPERATION_DEADLINE_MS: '100' } });

  it('answers a deep page that the deadline cuts short with OPERATION_TIMEOUT, and no rows', async () => {
    // Row 99,990 of the 100,000-line CSV is not reached within a 100 ms deadline (that would take a parse of
    // a million rows a second). On a slow machine the deadline may strike even before the settlement is read.
    const query = `query ($id: ID!, $after: String!) { settlement(id: $id) { id report { rows(first: 5, after: $after) { edges { cursor } } } } }`;
    const result = await gql(context.gateway, query, { id: HUGE_SETTLEMENT_ID, after: rowCursor(99_990) });
    expect(result.status).toBe(200);
    const codes = result.body.errors?.map((error) => error.extensions?.code) ?? [];
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((code) => code === 'OPERATION_TIMEOUT'), codes.join()).toBe(true);
    const rows = (result.body.data?.settlement as { report?: { rows?: unknown } } | null)?.report?.rows;
    expect(rows ?? null).toBeNull();
  });
});

describe('settlement report whose download the deadline cuts while it streams', () => {
  const context = useGateway({ env: { OPERATION_DEADLINE_MS: '1500' } });

  it('answers OPERATION_TIMEOUT, not never', { timeout: 30_000 }, async () => {
    const record = context.sandbox.state.settlements.get(HUGE_SETTLEMENT_ID)!;
    record.transactions(); // generated now, so the report's first bytes go out at once
    // A stalling download: the heading and the first 256 rows at once, then 256 rows a second. Row
    // 3,000 is ~11 s away; the deadline (1.5 s) aborts the download in the middle of its body.
    context.sandbox.faults.add({ operationId: 'getSettlementCsv', slowBodyMs: 5_000, times: 1 });
    const query = `query ($id: ID!, $after: String!) { settlement(id: $id) { id report { rows(first: 5, after: $after) { edges { cursor } } } } }`;
    const result = await gql(context.gateway, query, { id: HUGE_SETTLEMENT_ID, after: rowCursor(3_000) });
    expect(csvDownloads(record).at(-1)?.bytes, 'the download had begun when the deadline struck').toBeGreaterThan(0);
    expect(result.body.errors?.map((error) => error.extensions?.code)).toEqual(['OPERATION_TIMEOUT']);
    expect(result.body.data?.settlement).toMatchObject({ id: expect.any(String), report: { rows: null } });
  });
});
