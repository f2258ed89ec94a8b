/** The settlement report's rows are parsed at the edge: contract-shaped, or UPSTREAM_INVALID_RESPONSE. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readSettlementReport, type ReportWindow } from '../../src/datasources/settlement-report.ts';
import { GatewayError } from '../../src/errors.ts';
import { SUMMARY_HEADING, TRANSACTION_HEADING, transactionRow } from '../../src/sandbox/settlement-csv.ts';

const SUMMARY = 'krn:partner:eu1:settlement:live:1,krn:a,REF-1,2025-01-02T00:00:00Z,2025-01-01T00:00:00Z,2025-01-02T00:00:00Z,1000,USD,1000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,,,,';

const sale = (amount: number) =>
  transactionRow({
    type: 'SALE',
    detailed_type: 'CAPTURE',
    created_at: '2025-01-01T10:00:00Z',
    transaction_amount: amount,
    transaction_currency: 'USD',
    payment_transaction_id: 'krn:payment:1',
    tax_rate: 1900,
  });

const report = (rows: string[], heading = TRANSACTION_HEADING) => Readable.from([[SUMMARY_HEADING, SUMMARY, heading, ...rows].join('\n') + '\n']);

async function codeOf(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return (error as GatewayError).code;
}

const FIRST_TWO: ReportWindow = { kind: 'forward', skip: 0, take: 2 };

describe('readSettlementReport', () => {
  it('returns the rows of the window in the contract shape: integers as numbers, empty cells as null', async () => {
    const page = await readSettlementReport(report([sale(100), sale(-5), sale(7)]), FIRST_TWO);
    expect(page.hasNext).toBe(true);
    expect(page.rows.map(({ index }) => index)).toEqual([0, 1]);
    expect(page.rows[1]!.row).toMatchObject({
      type: 'SALE',
      detailed_type: 'CAPTURE',
      created_at: '2025-01-01T10:00:00Z',
      transaction_amount: -5,
      transaction_currency: 'USD',
      payment_transaction_id: 'krn:payment:1',
      tax_rate: 1900,
      tax_amount: null,
      payment_refund_id: null,
    });
    expect(page.summary).toMatchObject({ settlement_id: 'krn:partner:eu1:settlement:live:1', settlement_amount: 1000 });
  });

  it('keeps a backward window', async () => {
    const page = await readSettlementReport(report([sale(1), sale(2), sale(3), sale(4)]), { kind: 'backward', before: 3, take: 2 });
    expect(page.rows.map(({ index, row }) => [index, row.transaction_amount])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(page).toMatchObject({ hasNext: true, hasPrevious: true });
  });

  it('refuses a row whose amount is not an integer', async () => {
    expect(await codeOf(readSettlementReport(report([sale(1), sale(2).replace(',2,USD,', ',2.5,USD,')]), FIRST_TWO))).toBe('UPSTREAM_INVALID_RESPONSE');
  });

  it('refuses a row missing a required cell', async () => {
    expect(await codeOf(readSettlementReport(report([sale(1).replace(/^SALE/, '')]), FIRST_TWO))).toBe('UPSTREAM_INVALID_RESPONSE');
  });

  it('refuses a heading without a required column', async () => {
    const heading = TRANSACTION_HEADING.replace('transaction_amount', 'amount');
    expect(await codeOf(readSettlementReport(report([sale(1)], heading), FIRST_TWO))).toBe('UPSTREAM_INVALID_RESPONSE');
  });

  it('refuses CSV that does not parse', async () => {
    expect(await codeOf(readSettlementReport(report([sale(1), '"unclosed,quote']), { kind: 'forward', skip: 0, take: 5 }))).toBe('UPSTREAM_INVALID_RESPONSE');
  });

  it('reads only the rows it returns: a bad row outside the window costs nothing', async () => {
    const page = await readSettlementReport(report([sale(1).replace(/^SALE/, ''), sale(2), sale(3)]), { kind: 'forward', skip: 1, take: 1 });
    expect(page.rows.map(({ row }) => row.transaction_amount)).toEqual([2]);
  });
});
