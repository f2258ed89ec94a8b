/**
 * Klarna's settlement report (CSV), as documented under "Get settlement report (CSV)": line 1 the
 * summary heading, line 2 the one summary row, line 3 the transaction heading, then one line per
 * transaction. Comma-delimited, LF line ends (as in the docs' sample), amounts signed integers in minor
 * units. The summary heading ends with three empty columns and the transaction heading has four empty
 * columns after `transaction_currency`; rows keep the same empty columns, so every line has 29 cells.
 *
 * A report is rendered as a stream of chunks of rows, so a 100,000-row report never exists as one string.
 * It can be served from a byte offset (`Range: bytes=<offset>-`, `settlementCsvFrom`): the byte length
 * of every chunk of rows is remembered per settlement as it is rendered, so a resumed download renders
 * only the rows from the chunk holding the offset.
 */
import { createHash } from 'node:crypto';
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

/** The report's three heading lines (summary heading, summary, transaction heading), each ending in LF. */
const headingLines = (settlement: Pm['Settlement'], payout: Pm['PayoutStatus']) => `${SUMMARY_HEADING}\n${summaryRow(settlement, payout)}\n${TRANSACTION_HEADING}\n`;

/** A report's transactions by index: an array, or a generated settlement's rows made one at a time. */
interface Rows {
  length: number;
  at(index: number): Transaction;
}

/**
 * The rows of a settlement's report: a generated settlement's are made per row as they are rendered
 * (`transactionAt`: a 1,000,000-row report is never held as objects to serve its CSV, and its first
 * page costs its first chunk), others' from their list.
 */
function rowsOf(record: SettlementRecord): Rows {
  const { transactionAt } = record;
  if (transactionAt) return { length: record.transactionCount, at: transactionAt };
  const transactions = record.transactions();
  return { length: transactions.length, at: (index) => transactions[index]! };
}

const arrayRows = (transactions: readonly Transaction[]): Rows => ({ length: transactions.length, at: (index) => transactions[index]! });

/** Chunk `chunk` of the transaction lines (rows `chunk * ROWS_PER_CHUNK` on), each ending in LF. */
function rowChunk(transactions: Rows, chunk: number): string {
  let text = '';
  const end = Math.min(transactions.length, (chunk + 1) * ROWS_PER_CHUNK);
  for (let index = chunk * ROWS_PER_CHUNK; index < end; index += 1) text += `${transactionRow(transactions.at(index))}\n`;
  return text;
}

/** The report's lines, each ending in LF, grouped into chunks of rows. */
export function* settlementCsvChunks(
  settlement: Pm['Settlement'],
  payout: Pm['PayoutStatus'],
  transactions: readonly Transaction[],
): Generator<string> {
  yield headingLines(settlement, payout);
  for (let chunk = 0; chunk * ROWS_PER_CHUNK < transactions.length; chunk += 1) yield rowChunk(arrayRows(transactions), chunk);
}

/**
 * Per rendered settlement: where each chunk of rows starts, in bytes from the first transaction line
 * (the heading lines are rendered per download: the summary changes when the payout is made).
 */
const chunkStarts = new WeakMap<SettlementRecord, number[]>();
/** A download of a report: the byte it started at, and how many bytes were rendered for it. */
export interface CsvDownload {
  from: number;
  bytes: number;
}
/** The last downloads of each settlement's report (tests read where a resumed download started). */
const downloads = new WeakMap<SettlementRecord, CsvDownload[]>();
const DOWNLOADS_KEPT = 20;

export const csvDownloads = (record: SettlementRecord): CsvDownload[] => [...(downloads.get(record) ?? [])];

/** The start of chunk `chunk` (in bytes from the first transaction line), rendering the chunks before it once if need be. */
function chunkStart(record: SettlementRecord, chunk: number): number {
  let starts = chunkStarts.get(record);
  if (!starts) chunkStarts.set(record, (starts = [0]));
  const transactions = rowsOf(record);
  while (starts.length <= chunk) {
    const last = starts.length - 1;
    starts.push(starts[last]! + (last * ROWS_PER_CHUNK < transactions.length ? Buffer.byteLength(rowChunk(transactions, last)) : 0));
  }
  return starts[chunk]!;
}

/** Chunks rendered per turn of the event loop while a report's length is measured (~40 MB of text). */
const CHUNKS_PER_TURN = 256;

/**
 * The start of chunk `chunk`, as `chunkStart`, rendering what is not known yet a slice at a time with a
 * turn of the event loop between slices: measuring a 1,000,000-row report renders every row once
 * (seconds), and the sandbox (in process with the gateway in tests and benches) keeps answering meanwhile.
 */
async function chunkStartSoon(record: SettlementRecord, chunk: number): Promise<number> {
  for (;;) {
    const known = chunkStarts.get(record)?.length ?? 1;
    if (known > chunk) return chunkStart(record, chunk);
    chunkStart(record, Math.min(chunk, known - 1 + CHUNKS_PER_TURN));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function counted(record: SettlementRecord, from: number, chunks: Iterable<Buffer>): Readable {
  let kept = downloads.get(record);
  if (!kept) downloads.set(record, (kept = []));
  const download = { from, bytes: 0 };
  kept.push(download);
  if (kept.length > DOWNLOADS_KEPT) kept.shift();
  return Readable.from(
    (function* () {
      for (const chunk of chunks) {
        download.bytes += chunk.length;
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

/** A report and its validator: what a download, whole or from a byte offset, is served from. */
export interface SettlementCsv {
  /** A strong validator of this text of the report (`If-Range`): it changes when the summary does. */
  etag: string;
  /** Its length in bytes (rendering, once per settlement, the rows not rendered yet, a slice per turn). */
  length(): Promise<number>;
  /** The report from byte `offset` (< `length()`) to its end. */
  from(offset: number): Readable;
}

/** The settlement's report: its fixed text when it has one (the docs' sample), else rendered. */
export function settlementCsv(record: SettlementRecord): SettlementCsv {
  const heading = Buffer.from(record.csv ?? headingLines(record.settlement, record.payout));
  // The rows of a settlement never change: its heading and row count name this text of the report.
  const rowCount = record.csv === undefined ? rowsOf(record).length : 0;
  const etag = `"${createHash('sha256').update(heading).update(`${record.settlement.settlement_id}#${rowCount}`).digest('base64url').slice(0, 27)}"`;
  if (record.csv !== undefined) return { etag, length: async () => heading.length, from: (offset) => counted(record, offset, [heading.subarray(offset)]) };
  const chunks = Math.ceil(rowCount / ROWS_PER_CHUNK);
  return {
    etag,
    length: async () => heading.length + (await chunkStartSoon(record, chunks)),
    from(offset) {
      const transactions = rowsOf(record);
      const rowsOffset = offset - heading.length;
      let first = 0;
      if (rowsOffset > 0) {
        // The chunk holding the offset: the last one starting at or before it (its start is known once
        // the chunk before it was rendered).
        const starts = chunkStarts.get(record)!;
        let low = 0;
        let high = Math.min(chunks, starts.length) - 1;
        while (low < high) {
          const middle = Math.ceil((low + high) / 2);
          if (starts[middle]! <= rowsOffset) low = middle;
          else high = middle - 1;
        }
        first = low;
      }
      return counted(
        record,
        offset,
        (function* () {
          if (rowsOffset < 0) yield heading.subarray(offset);
          let starts = chunkStarts.get(record);
          if (!starts) chunkStarts.set(record, (starts = [0]));
          for (let chunk = first; chunk < chunks; chunk += 1) {
            const text = Buffer.from(rowChunk(transactions, chunk));
            // Rendered in order: the next chunk's start is known from here on.
            if (starts.length === chunk + 1) starts.push(starts[chunk]! + text.length);
            const skip = rowsOffset - starts[chunk]!;
            yield skip > 0 ? text.subarray(skip) : text;
          }
        })(),
      );
    },
  };
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
