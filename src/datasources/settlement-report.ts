/**
 * Klarna's settlement report CSV, read while it streams: line 1 is the summary heading, line 2 the
 * summary, line 3 the transaction heading, then one line per transaction. The rows before the window
 * asked for are skipped by a scan for line ends (`csv-row-skipper.ts`), the window is parsed with
 * csv-parse, and reading stops (the download is cancelled) as soon as the window is known, so a
 * 1,000,000-row report is never held in memory. Where rows start is remembered per report
 * (`report-index.ts`), so a deep page downloads the report from the checkpoint before it; after a first
 * read, the rest of the report is indexed in the background, so any later page finds a checkpoint near it.
 *
 * Rows are parsed at this edge into the contract's `SettlementTransaction`: a heading without a required
 * column, a row missing a required cell, a non-integer amount or a malformed CSV is
 * UPSTREAM_INVALID_RESPONSE, never a value passed on unchecked. Only the rows returned are turned into
 * objects; skipped rows are not checked.
 */
import { pipeline, type Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { UpstreamInvalidResponseError } from '../errors.ts';
import { RowSkipper } from './csv-row-skipper.ts';
import { PARTNER_MANAGEMENT_API, type ReportDownload, type SettlementTransaction } from './partner-management.ts';
import { checkpointBefore, CHECKPOINT_EVERY_ROWS, type ReportIndex, type ReportIndexSlot } from './report-index.ts';

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

const invalidReport = () => new UpstreamInvalidResponseError(PARTNER_MANAGEMENT_API);

/** Text columns of the summary line (the others holding digits are amounts). */
const SUMMARY_TEXT_COLUMNS = new Set([
  'settlement_id', 'payment_acquiring_account_id', 'payment_acquiring_account_reference', 'created_at', 'period_from',
  'period_to', 'currency', 'paid_out_at', 'payout_bank_account_reference', 'payment_reference',
]);

/** The summary line as an object of its named columns; empty cells are null, amount columns numbers. */
function summaryObject(header: string[], record: string[]): SettlementReportSummary {
  const object: SettlementReportSummary = {};
  header.forEach((name, index) => {
    if (!name) return; // Klarna's report has unnamed filler columns.
    const cell = record[index] ?? '';
    if (cell === '') object[name] = null;
    else if (SUMMARY_TEXT_COLUMNS.has(name) || !/^-?\d+$/.test(cell)) object[name] = cell;
    else object[name] = Number(cell);
  });
  return object;
}

/** How a column is read: text or integer (minor units), `?` when the cell may be empty (null). */
type ColumnKind<V> = `${NonNullable<V> extends number ? 'integer' : 'text'}${null extends V ? '?' : ''}`;

/** Every field of the contract's transaction, with the kind its type demands (the compiler checks both). */
const TRANSACTION_COLUMNS: { [K in keyof SettlementTransaction]-?: ColumnKind<SettlementTransaction[K]> } = {
  type: 'text',
  detailed_type: 'text',
  created_at: 'text',
  transaction_amount: 'integer',
  transaction_currency: 'text',
  payment_account_id: 'text?',
  payment_account_reference: 'text?',
  product_id: 'text?',
  payment_transaction_id: 'text?',
  payment_transaction_created_at: 'text?',
  payment_transaction_reference: 'text?',
  payment_capture_id: 'text?',
  payment_capture_reference: 'text?',
  payment_refund_id: 'text?',
  payment_refund_reference: 'text?',
  payment_dispute_id: 'text?',
  payment_chargeback_id: 'text?',
  tax_amount: 'integer?',
  tax_rate: 'integer?',
  applied_transaction_fee: 'integer?',
  applied_cross_border_fee: 'integer?',
  applied_buy_rate_incentives: 'integer?',
  applied_sell_rate_incentives: 'integer?',
  price_plan_id: 'text?',
  payment_program_id: 'text?',
  merchant_category_code: 'text?',
};

const INTEGER = /^-?\d+$/;

/**
 * A parser of transaction lines for one heading (looked up once per report, not per row). It keeps
 * the contract's columns only, reads an empty cell as null, and refuses what the contract forbids.
 */
function transactionParser(heading: string[]): (record: string[]) => SettlementTransaction {
  const columns = Object.entries(TRANSACTION_COLUMNS).flatMap(([name, kind]) => {
    const index = heading.indexOf(name);
    if (index < 0 && !kind.endsWith('?')) throw invalidReport(); // a required column is missing
    return index < 0 ? [] : [{ name, index, integer: kind.startsWith('integer'), required: !kind.endsWith('?') }];
  });
  return (record) => {
    const row: Record<string, string | number | null> = {};
    for (const { name, index, integer, required } of columns) {
      const cell = record[index] ?? '';
      if (cell === '') {
        if (required) throw invalidReport();
        row[name] = null;
      } else if (integer) {
        if (!INTEGER.test(cell) || !Number.isSafeInteger(Number(cell))) throw invalidReport();
        row[name] = Number(cell);
      } else {
        row[name] = cell;
      }
    }
    // Every field was read with the kind its type demands (TRANSACTION_COLUMNS), so the shape is the contract's.
    return row as unknown as SettlementTransaction;
  };
}

/** Where a report is read from: its download (whole or from an offset), and what it knows of it. */
export interface ReportSource {
  download(from?: { offset: number; etag?: string }): Promise<ReportDownload>;
  /** The gateway's error for a failure of the download while it is read (`explainStreamError`). */
  explain?: (error: unknown) => unknown;
  /** Where this report's rows start, remembered from earlier reads by the same principal (absent: nothing kept). */
  index?: ReportIndexSlot;
}

/** The first row a window needs (the summary needs none). */
function firstRowOf(window: ReportWindow): number {
  if (window.kind === 'forward') return window.skip;
  if (window.kind === 'backward') return Math.max(0, window.before - window.take);
  return 0;
}

/**
 * Reads one window of the report. With the report's index known and an origin that serves byte
 * ranges, the download starts at the checkpoint before the window (`Range`); otherwise from the start,
 * the heading lines parsed and remembered. Either way the rows before the window are skipped by a scan
 * of bytes (`RowSkipper`, which notes checkpoints as it passes them) and only the window is parsed.
 */
export async function readSettlementReport(from: ReportSource | Readable, window: ReportWindow): Promise<SettlementReportPage> {
  // A stream alone: the whole report, nothing remembered.
  const source: ReportSource = 'download' in from ? from : { download: async () => ({ body: from, offset: 0, acceptsRanges: false }) };
  const firstRow = firstRowOf(window);
  const known = source.index?.get();
  const checkpoint = known?.ranges && window.kind !== 'summary' ? checkpointBefore(known, firstRow) : undefined;
  const download = await source.download(checkpoint && { offset: checkpoint.offset, ...(known?.etag ? { etag: known.etag } : {}) });
  const resumed = checkpoint !== undefined && download.offset === checkpoint.offset;
  // What this read learns goes into the index of the text it reads: the known one when it is the same
  // text (resumed from it, or its validator again), else a new one (its headings set once parsed).
  // (Without a validator on either side, the report is taken to be the same: settlement reports do not change.)
  const sameText = known !== undefined && (resumed || download.etag === known.etag);
  const learning: ReportIndex = sameText ? known : { headings: [[], [], []], ranges: download.acceptsRanges, ...(download.etag ? { etag: download.etag } : {}), offsets: [] };
  if (!sameText) source.index?.drop();
  const skipper = new RowSkipper({
    offset: download.offset,
    record: resumed ? checkpoint.row : -HEADING_LINES,
    passFrom: firstRow,
    every: CHECKPOINT_EVERY_ROWS,
    onRowStart: (row, offset) => void (learning.offsets[row / CHECKPOINT_EVERY_ROWS] = offset),
  });
  const start: ParseFrom = resumed && known ? { firstRow, headings: known.headings } : { firstRow, learnt: learning, slot: source.index };
  const { page, rowCount } = await parseWindow(download.body, skipper, window, start, source.explain);
  // A read to the report's end that noted every checkpoint completes the index; otherwise, once rows
  // were read (a summary alone says nothing of paging on), the rest are learnt behind the page.
  if (rowCount !== undefined && everyCheckpointKnown(learning, rowCount)) learning.complete = true;
  else if (window.kind !== 'summary') source.index?.indexRest();
  return page;
}

/**
 * Whether `index` holds every checkpoint of a report of `rowCount` rows (a read to the end may have
 * passed one inside its window, where rows are not scanned, so not noted).
 */
function everyCheckpointKnown(index: ReportIndex, rowCount: number): boolean {
  for (let k = 1; k * CHECKPOINT_EVERY_ROWS < rowCount; k += 1) if (index.offsets[k] === undefined) return false;
  return true;
}

/** Lines before row 0: summary heading, summary, transaction heading. */
const HEADING_LINES = 3;

type ParseFrom = { firstRow: number; headings: ReportIndex['headings'] } | { firstRow: number; learnt: ReportIndex; slot: ReportIndexSlot | undefined };

async function parseWindow(
  stream: Readable,
  skipper: RowSkipper,
  window: ReportWindow,
  from: ParseFrom,
  explain: (error: unknown) => unknown = (error) => error,
): Promise<{ page: SettlementReportPage; rowCount: number | undefined }> {
  const parser = parse({ relax_column_count: true, skip_empty_lines: true });
  // `pipeline`, not `pipe`: a failed download ends the parse with its error (with `pipe` the parser
  // never heard of it, and the page waited forever). Its own outcome is read from the parser below.
  pipeline(stream, skipper, parser, () => undefined);
  const headings: string[][] = 'headings' in from ? [...from.headings] : [];
  let summary: SettlementReportSummary = headings.length ? summaryObject(headings[0]!, headings[1]!) : {};
  let parseRow = headings.length ? transactionParser(headings[2]!) : undefined;
  /** The window's lines, still as cells (a backward window keeps sliding until it reaches `before`). */
  const kept: { index: number; record: string[] }[] = [];
  let hasNext = false;
  /** The report's rows, when it was read to its end (the loop was not left early). */
  let rowCount: number | undefined;
  try {
    let index = from.firstRow;
    for await (const record of parser as AsyncIterable<string[]>) {
      if (headings.length < HEADING_LINES) {
        headings.push(record);
        if (headings.length === 2) {
          summary = summaryObject(headings[0]!, record);
          if (window.kind === 'summary') break;
        } else if (headings.length === HEADING_LINES) {
          parseRow = transactionParser(record);
          if ('learnt' in from) {
            from.learnt.headings = headings as ReportIndex['headings'];
            from.slot?.set(from.learnt);
          }
        }
        continue;
      }
      if (window.kind === 'forward') {
        if (kept.length === window.take) {
          hasNext = true;
          break;
        }
        kept.push({ index, record });
      } else if (window.kind === 'backward') {
        if (index >= window.before) {
          hasNext = true;
          break;
        }
        kept.push({ index, record });
        if (kept.length > window.take) kept.shift();
      }
      index += 1;
    }
    if (!hasNext && window.kind !== 'summary') rowCount = index;
  } catch (error) {
    throw error instanceof CsvError ? invalidReport() : explain(error);
  } finally {
    // Stop the download once the window is known; the rest of the report is never read.
    stream.destroy();
    parser.destroy();
  }
  const rows = parseRow ? kept.map(({ index, record }) => ({ index, row: parseRow(record) })) : [];
  return { page: { summary, rows, hasNext, hasPrevious: (rows[0]?.index ?? 0) > 0 }, rowCount };
}
