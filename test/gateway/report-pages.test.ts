/**
 * Deep settlement-report pages are cheap after a first read: the gateway remembers where rows start
 * (every 10,000 rows) and downloads a deep page's part of the report with `Range` from the checkpoint
 * before it. After a first read, the rest of the report is indexed in the background, so a page deeper
 * than any read so far also resumes near it. The sandbox's counters show the 206s, and where each
 * download of the report started.
 */
import { describe, expect, it, vi } from 'vitest';
import { csvDownloads, SUMMARY_HEADING, summaryRow, TRANSACTION_HEADING, transactionRow } from '../../src/sandbox/settlement-csv.ts';
import { rowCursor } from '../../src/schema/settlement-report-plan.ts';
import { gql, useGateway } from '../utils/gateway.ts';
import { admin } from '../utils/sandbox.ts';

const ROWS = 25_000;
const QUERY = `query ($id: ID!, $after: String) { settlement(id: $id) { report { rows(first: 10, after: $after) {
  edges { cursor node { createdAt paymentTransactionId amount { amount } } } pageInfo { hasNextPage hasPreviousPage } } } } }`;

describe('deep settlement report pages', () => {
  const context = useGateway({ sandbox: { accounts: 1 } });

  it('resume from the checkpoint before them with a Range request, answering what the whole report holds', { timeout: 120_000 }, async () => {
    const { settlement_id: id } = await admin<{ settlement_id: string }>(context.sandbox, 'POST', '/settlements', { transactions: ROWS });
    const record = context.sandbox.state.settlements.get(id)!;
    const transactions = record.transactions();
    const page = async (after: number) => {
      const result = await gql(context.gateway, QUERY, { id, after: rowCursor(after) });
      expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
      return result.body.data.settlement.report.rows as { edges: { cursor: string; node: Record<string, unknown> }[] };
    };
    const expected = (first: number) =>
      transactions.slice(first, first + 10).map((transaction, offset) => ({
        cursor: rowCursor(first + offset),
        node: { createdAt: transaction.created_at, paymentTransactionId: transaction.payment_transaction_id ?? null, amount: { amount: transaction.transaction_amount } },
      }));
    const ranged = async () => ((await admin(context.sandbox, 'GET', '/counters')).byOperation.getSettlementCsv?.byStatus['206'] ?? 0) as number;

    // The first read passes rows 10,000 and 20,000: whole report, from its start. Behind it, the rest
    // of the report is indexed from row 20,000 on (one ranged download).
    const { counts } = context.gateway.reportIndexes;
    const completed = counts.completed;
    expect((await page(21_000)).edges).toEqual(expected(21_001));
    await vi.waitFor(() => expect(counts.completed).toBe(completed + 1), { timeout: 60_000, interval: 20 });
    expect(await ranged()).toBe(1);

    // Where rows 10,000 and 20,000 start in the report.
    const headingBytes = Buffer.byteLength(`${SUMMARY_HEADING}\n${summaryRow(record.settlement, record.payout)}\n${TRANSACTION_HEADING}\n`);
    const rowStart = (row: number) => headingBytes + transactions.slice(0, row).reduce((sum, t) => sum + Buffer.byteLength(transactionRow(t)) + 1, 0);
    const checkpoints: Record<number, number> = { 10_000: rowStart(10_000), 20_000: rowStart(20_000) };

    // Pages after it, across checkpoint boundaries: each a download from the checkpoint before it.
    for (const [after, checkpoint] of [[23_994, 20_000], [19_994, 10_000], [9_995, 0], [24_985, 20_000]] as const) {
      const rangedBefore = await ranged();
      const rows = await page(after);
      expect(rows.edges).toEqual(expected(after + 1));
      expect(await ranged()).toBe(rangedBefore + (checkpoint ? 1 : 0));
      expect(csvDownloads(record).at(-1)!.from).toBe(checkpoint ? checkpoints[checkpoint] : 0);
    }
    const last = await page(ROWS - 5);
    expect(last.edges).toEqual(expected(ROWS - 4));
    expect(last.edges.length).toBe(4);
  });

  it('index the rest of a report in the background after a first read: a page deeper than any read resumes from the checkpoint before it', { timeout: 120_000 }, async () => {
    const { settlement_id: id } = await admin<{ settlement_id: string }>(context.sandbox, 'POST', '/settlements', { transactions: ROWS });
    const record = context.sandbox.state.settlements.get(id)!;
    // Where a row starts, from the settlement's transactions as the JSON API lists them; asked only once
    // the report has been rendered and indexed (the sandbox renders a generated report row by row, so
    // the checkpoints learnt from its text matching these offsets shows the two agree byte for byte).
    const headingBytes = Buffer.byteLength(`${SUMMARY_HEADING}\n${summaryRow(record.settlement, record.payout)}\n${TRANSACTION_HEADING}\n`);
    const rowStart = (row: number) => headingBytes + record.transactions().slice(0, row).reduce((sum, t) => sum + Buffer.byteLength(transactionRow(t)) + 1, 0);
    const ranged = async () => ((await admin(context.sandbox, 'GET', '/counters')).byOperation.getSettlementCsv?.byStatus['206'] ?? 0) as number;
    const page = async (after?: number) => {
      const result = await gql(context.gateway, QUERY, { id, ...(after === undefined ? {} : { after: rowCursor(after) }) });
      expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
      return result.body.data.settlement.report.rows as { edges: { cursor: string }[] };
    };
    const { counts } = context.gateway.reportIndexes;
    const completed = counts.completed;
    const rangedFirst = await ranged();

    // The first read: the first page only (the report from its start, row 0 passed, no other checkpoint).
    expect((await page()).edges.map((edge) => edge.cursor)).toEqual(Array.from({ length: 10 }, (_, row) => rowCursor(row)));
    // Behind it, one download of the rest (from the last checkpoint known: none, so from the start).
    await vi.waitFor(() => expect(counts.completed).toBe(completed + 1), { timeout: 60_000, interval: 20 });
    expect(await ranged()).toBe(rangedFirst + 1);
    expect(csvDownloads(record).map((download) => download.from)).toEqual([0, 0]);

    // Pages no read has come near: each downloaded from the checkpoint before it, no further indexing.
    for (const [after, checkpoint] of [[24_985, 20_000], [13_000, 10_000]] as const) {
      const rows = await page(after);
      expect(rows.edges[0]!.cursor).toBe(rowCursor(after + 1));
      expect(csvDownloads(record).at(-1)!.from).toBe(rowStart(checkpoint));
    }
    expect(await ranged()).toBe(rangedFirst + 3);
    expect(counts.started).toBe(counts.completed);
  });
});
