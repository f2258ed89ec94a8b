/**
 * Klarna's settlement report CSV, parsed with csv-parse while it streams: line 1 is the summary
 * heading, line 2 the summary, line 3 the transaction heading, then one line per transaction. Only the
 * window of rows asked for is kept; reading stops (and the download is cancelled) as soon as the
 * window is known, so a 100,000-row report is never held in memory.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { SettlementTransaction } from './partner-management.ts';

/** The summary line: Klarna's column names with amounts as numbers (minor units). */
export type SettlementReportSummary = Record<string, string | number | null>;

export type ReportWindow =
  | { kind: 'forward'; skip: number; take: number }
  /** The `take` rows before row index `before` (exclusive). */
  | { kind: 'backward'; before: number; take: number }
  | { kind: 'summary' };

export interface SettlementReportPage {
  summary: SettlementReportSummary;
  /** The rows of the window with their 0-based index in the report. */
  rows: { index: number; row: SettlementTransaction }[];
  hasNext: boolean;
  hasPrevious: boolean;
}

const TEXT_COLUMNS = new Set([
  'settlement_id', 'payment_acquiring_account_id', 'payment_acquiring_account_reference', 'created_at', 'period_from',
  'period_to', 'currency', 'paid_out_at', 'payout_bank_account_reference', 'payment_reference', 'type', 'detailed_type',
  'transaction_currency', 'payment_account_id', 'payment_account_reference', 'product_id', 'payment_transaction_id',
  'payment_transaction_created_at', 'payment_transaction_reference', 'payment_capture_id', 'payment_capture_reference',
  'payment_refund_id', 'payment_refund_reference', 'payment_dispute_id', 'payment_chargeback_id', 'price_plan_id',
  'payment_program_id', 'merchant_category_code',
]);

/** One CSV record as an object of its named columns; empty cells are null, amount columns numbers. */
function toObject(header: string[], record: string[]): Record<string, string | number | null> {
  const object: Record<string, string | number | null> = {};
  header.forEach((name, index) => {
    if (!name) return; // Klarna's report has unnamed filler columns.
    const cell = record[index] ?? '';
    if (cell === '') object[name] = null;
    else if (TEXT_COLUMNS.has(name) || !/^-?\d+$/.test(cell)) object[name] = cell;
    else object[name] = Number(cell);
  });
  return object;
}

export async function readSettlementReport(stream: Readable, window: ReportWindow): Promise<SettlementReportPage> {
  const parser = stream.pipe(parse({ relax_column_count: true, skip_empty_lines: true }));
  let summaryHeader: string[] = [];
  let summary: SettlementReportSummary = {};
  let rowHeader: string[] = [];
  const rows: { index: number; row: SettlementTransaction }[] = [];
  let line = 0;
  let hasNext = false;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line += 1;
      if (line === 1) summaryHeader = record;
      else if (line === 2) {
        summary = toObject(summaryHeader, record);
        if (window.kind === 'summary') break;
      } else if (line === 3) rowHeader = record;
      else {
        const index = line - 4;
        if (window.kind === 'forward') {
          if (index < window.skip) continue;
          if (rows.length === window.take) {
            hasNext = true;
            break;
          }
          rows.push({ index, row: toObject(rowHeader, record) as unknown as SettlementTransaction });
        } else if (window.kind === 'backward') {
          if (index >= window.before) {
            hasNext = true;
            break;
          }
          rows.push({ index, row: toObject(rowHeader, record) as unknown as SettlementTransaction });
          if (rows.length > window.take) rows.shift();
        }
      }
    }
  } finally {
    // Stop the download once the window is known; the rest of the report is never read.
    stream.destroy();
    parser.destroy();
  }
  return { summary, rows, hasNext, hasPrevious: (rows[0]?.index ?? 0) > 0 };
}
