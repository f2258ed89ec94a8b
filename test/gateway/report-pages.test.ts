/**
 * Deep settlement-report pages are cheap after a first read: the gateway remembers where rows start
 * (every 10,000 rows) and downloads a deep page's part of the report with `Range` from the checkpoint
 * before it. The sandbox's counters show the 206, and how many bytes of the report it sent.
 */
import { describe, expect, it } from 'vitest';
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

    // The first read passes rows 10,000 and 20,000: whole report, from its start.
    expect((await page(21_000)).edges).toEqual(expected(21_001));
    expect(await ranged()).toBe(0);

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
});
