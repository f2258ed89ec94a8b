/**
 * Klarna's settlement report (CSV), as documented under "Get settlement report (CSV)": line 1 the
 * summary heading, line 2 the one summary row, line 3 the transaction heading, then one line per
 * transaction. Comma-delimited, LF line ends (as in the docs' sample), amounts signed integers in minor
 * units. The summary heading ends with three empty columns and the transaction heading has four empty
 * columns after `transaction_currency`; rows keep the same empty columns, so every line has 29 cells.
 *
 * A report is rendered as a stream of chunks of rows, so a 100,000-row report never exists as one string.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import type { Pm, SettlementRecord } from './state.ts';

type Transaction = Pm['SettlementTransaction'];

/** The amount columns of the summary row, in report order; also the fields of `Settlement.totals`. */
export const TOTAL_COLUMNS = [
  'capture_amount',
  'refund_amount',
  'capture_fixed_fee_amount',
  'capture_variable_fee_amount',
  'dispute_fee_amount',
  'fee_correction_amount',
  'chargeback_amount',
  'correction_chargeback_amount',
  'tax_amount',
  'holdback_amount',
  'release_amount',
  'opening_debt_balance',
  'deposit_amount',
  'repay_amount',
  'closing_debt_balance',
] as const satisfies readonly (keyof NonNullable<Pm['Settlement']['totals']>)[];

/**
 * The totals whose sum is `settlement_amount` (the docs' sample: 174500 − 17000 − 900 − 1224 − 200 + 40
 * − 76050 + 0 − 423 + 0 + 0 = 78743); the debt balances and deposits are reported beside it.
 */
export const SETTLED_TOTAL_COLUMNS = TOTAL_COLUMNS.slice(0, 11);

const SUMMARY_COLUMNS = [
  'settlement_id',
  'payment_acquiring_account_id',
  'payment_acquiring_account_reference',
  'created_at',
  'period_from',
  'period_to',
  'settlement_amount',
  'currency',
  ...TOTAL_COLUMNS,
  'paid_out_at',
  'payout_bank_account_reference',
  'payment_reference',
] as const;

/** Transaction columns after the four empty ones, in report order. */
const TRANSACTION_DETAIL_COLUMNS = [
  'payment_account_id',
  'payment_account_reference',
  'product_id',
  'payment_transaction_id',
  'payment_transaction_created_at',
  'payment_transaction_reference',
  'payment_capture_id',
  'payment_capture_reference',
  'payment_refund_id',
  'payment_refund_reference',
  'payment_dispute_id',
  'payment_chargeback_id',
  'tax_amount',
  'tax_rate',
  'applied_transaction_fee',
  'applied_cross_border_fee',
  'applied_buy_rate_incentives',
  'applied_sell_rate_incentives',
  'price_plan_id',
  'payment_program_id',
  'merchant_category_code',
] as const satisfies readonly (keyof Transaction)[];

const TRANSACTION_LEAD_COLUMNS = ['type', 'detailed_type', 'created_at', 'transaction_amount', 'transaction_currency'] as const;

/** Integer columns of a transaction line; every other column is text. */
const NUMERIC_TRANSACTION_COLUMNS = new Set<string>([
  'transaction_amount',
  'tax_amount',
  'tax_rate',
  'applied_transaction_fee',
  'applied_cross_border_fee',
  'applied_buy_rate_incentives',
  'applied_sell_rate_incentives',
]);

export const SUMMARY_HEADING = `${SUMMARY_COLUMNS.join(',')},,,`;
export const TRANSACTION_HEADING = `${TRANSACTION_LEAD_COLUMNS.join(',')},,,,${TRANSACTION_DETAIL_COLUMNS.join(',')}`;

/** Rows per streamed chunk: about 150 kB of text. */
const ROWS_PER_CHUNK = 256;

/** One cell: empty for absent or null, double-quoted only when the value needs it. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function summaryRow(settlement: Pm['Settlement'], payout: Pm['PayoutStatus']): string {
  const totals: Record<string, unknown> = settlement.totals ?? {};
  const values: Record<string, unknown> = {
    ...settlement,
    ...totals,
    paid_out_at: payout.paid_out_at,
    payout_bank_account_reference: payout.payout_bank_account_reference,
    payment_reference: payout.payment_reference,
  };
  return `${SUMMARY_COLUMNS.map((column) => cell(values[column])).join(',')},,,`;
}

export function transactionRow(transaction: Transaction): string {
  const lead = TRANSACTION_LEAD_COLUMNS.map((column) => cell(transaction[column])).join(',');
  const detail = TRANSACTION_DETAIL_COLUMNS.map((column) => cell(transaction[column])).join(',');
  return `${lead},,,,${detail}`;
}

/** The report's lines, each ending in LF, grouped into chunks of rows. */
export function* settlementCsvChunks(
  settlement: Pm['Settlement'],
  payout: Pm['PayoutStatus'],
  transactions: readonly Transaction[],
): Generator<string> {
  yield `${SUMMARY_HEADING}\n${summaryRow(settlement, payout)}\n${TRANSACTION_HEADING}\n`;
  for (let start = 0; start < transactions.length; start += ROWS_PER_CHUNK) {
    let chunk = '';
    const end = Math.min(transactions.length, start + ROWS_PER_CHUNK);
    for (let index = start; index < end; index += 1) chunk += `${transactionRow(transactions[index]!)}\n`;
    yield chunk;
  }
}

/** The settlement's report as a stream: its fixed text when it has one (the docs' sample), else rendered. */
export function settlementCsvStream(record: SettlementRecord): Readable {
  if (record.csv !== undefined) return Readable.from([record.csv]);
  return Readable.from(settlementCsvChunks(record.settlement, record.payout, record.transactions()), { objectMode: false });
}

/** The transactions of a report, as the JSON API shows them: empty cells left out, amounts as integers. */
export function parseSettlementCsvTransactions(csv: string): Transaction[] {
  const lines: string[][] = parse(csv, { relax_column_count: true });
  const heading = lines[2] ?? [];
  return lines.slice(3).map((cells) => {
    const transaction: Record<string, string | number> = {};
    heading.forEach((column, index) => {
      const value = cells[index] ?? '';
      if (!column || value === '') return;
      transaction[column] = NUMERIC_TRANSACTION_COLUMNS.has(column) ? Number(value) : value;
    });
    return transaction as unknown as Transaction;
  });
}
