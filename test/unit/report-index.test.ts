/**
 * Deep settlement-report pages resume from a checkpoint: after a read has passed rows 10,000 and
 * 20,000, a page past them downloads the report from the checkpoint before it (`Range`), and answers
 * exactly what a parse of the whole report answers, across checkpoint boundaries, with cells holding
 * quotes, commas and line ends, and CRLF line ends. An origin that ignores ranges, or serves another
 * text of the report, is read from the start and still answers correctly.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it, vi } from 'vitest';
import type { ReportDownload } from '../../src/datasources/partner-management.ts';
import { CHECKPOINT_EVERY_ROWS, createReportIndexes } from '../../src/datasources/report-index.ts';
import { readSettlementReport, type ReportWindow } from '../../src/datasources/settlement-report.ts';
import { SUMMARY_HEADING, TRANSACTION_HEADING, transactionRow } from '../../src/sandbox/settlement-csv.ts';

const SUMMARY = 'krn:partner:eu1:settlement:live:1,krn:a,REF-1,2025-01-02T00:00:00Z,2025-01-01T00:00:00Z,2025-01-02T00:00:00Z,1000,USD,1000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,,,,';
const ROWS = 25_000;

/** Row `index`: its amount is its index; every seventh holds a reference with a quote, a comma and a line end. */
const row = (index: number) =>
  transactionRow({
    type: 'SALE',
    detailed_type: 'CAPTURE',
    created_at: '2025-01-01T10:00:00Z',
    transaction_amount: index,
    transaction_currency: 'USD',
    payment_transaction_id: `krn:payment:${index}`,
    ...(index % 7 === 0 ? { payment_transaction_reference: `order "${index}",\nsecond line` } : {}),
  });

function reportText(lineEnd: string): Buffer {
  const lines = [SUMMARY_HEADING, SUMMARY, TRANSACTION_HEADING];
  for (let index = 0; index < ROWS; index += 1) lines.push(row(index));
  return Buffer.from(lines.join(lineEnd) + lineEnd);
}

/** An origin serving one report: counting what it was asked and what it sent. */
function origin(text: Buffer, { ranges = true, etag = '"v1"' as string | undefined } = {}) {
  const asked: { offset?: number; etag?: string; served: number }[] = [];
  return {
    asked,
    text,
    download: async (from?: { offset: number; etag?: string }): Promise<ReportDownload> => {
      const honoured = ranges && from !== undefined && (from.etag === undefined || from.etag === etag);
      const offset = honoured ? from.offset : 0;
      asked.push({ ...from, served: text.length - offset });
      // In pieces, as a download arrives: boundaries fall anywhere (inside a quoted cell, between CR and LF).
      const pieces: Buffer[] = [];
      for (let at = offset; at < text.length; at += 65_521) pieces.push(text.subarray(at, Math.min(text.length, at + 65_521)));
      return { body: Readable.from(pieces), offset, acceptsRanges: ranges, ...(etag ? { etag } : {}) };
    },
  };
}

/** What a parse of the whole report holds from row `first`, `take` rows: (index, amount, reference). */
const parsed = new WeakMap<Buffer, string[][]>();
function expected(text: Buffer, first: number, take: number) {
  let records = parsed.get(text);
  if (!records) parsed.set(text, (records = (parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][]).slice(3)));
  const heading = TRANSACTION_HEADING.split(',');
  const at = (name: string) => heading.indexOf(name);
  return records.slice(first, first + take).map((cells, offset) => [first + offset, Number(cells[at('transaction_amount')]), cells[at('payment_transaction_reference')] || null]);
}

const shown = (page: Awaited<ReturnType<typeof readSettlementReport>>) =>
  page.rows.map(({ index, row: r }) => [index, r.transaction_amount, r.payment_transaction_reference ?? null]);

describe('settlement report checkpoints', () => {
  for (const lineEnd of ['\n', '\r\n']) {
    it(`resumes a deep page from the checkpoint before it, answering as a whole parse does (${JSON.stringify(lineEnd)} line ends)`, async () => {
      const report = origin(reportText(lineEnd));
      const slot = createReportIndexes().slot('principal-a', 'settlement-1');
      const read = (window: ReportWindow) => readSettlementReport({ download: report.download, index: slot }, window);

      // The first read passes rows 10,000 and 20,000 (from the start: no checkpoint yet).
      expect(shown(await read({ kind: 'forward', skip: 21_000, take: 5 }))).toEqual(expected(report.text, 21_000, 5));
      expect(report.asked.at(-1)?.offset).toBeUndefined();
      expect(slot.get()?.offsets.filter((offset) => offset !== undefined)).toHaveLength(3); // rows 0, 10,000, 20,000

      // Pages across checkpoint boundaries, forward and backward, each from the checkpoint before it.
      const windows: [ReportWindow, number, number, number][] = [
        [{ kind: 'forward', skip: 24_990, take: 20 }, 24_990, 10, 20_000],
        [{ kind: 'forward', skip: 19_995, take: 10 }, 19_995, 10, 10_000],
        [{ kind: 'backward', before: 20_003, take: 6 }, 19_997, 6, 10_000],
        [{ kind: 'forward', skip: 20_000, take: 3 }, 20_000, 3, 20_000],
      ];
      for (const [window, first, count, checkpoint] of windows) {
        const page = await read(window);
        expect(shown(page)).toEqual(expected(report.text, first, count));
        const asked = report.asked.at(-1)!;
        expect(asked.offset).toBe(slot.get()!.offsets[checkpoint / CHECKPOINT_EVERY_ROWS]);
        expect(asked.offset).toBeGreaterThan(0);
        expect(asked.etag).toBe('"v1"');
      }
      // A window before the first checkpoint past row 0 is read from the start.
      expect(shown(await read({ kind: 'forward', skip: 9_998, take: 4 }))).toEqual(expected(report.text, 9_998, 4));
      expect(report.asked.at(-1)?.offset).toBeUndefined();
      // Past the last row: no rows, no next page.
      expect(await read({ kind: 'forward', skip: ROWS + 5, take: 5 })).toMatchObject({ rows: [], hasNext: false });
    });
  }

  it('reads from the start, every time, when the origin does not serve ranges', async () => {
    const report = origin(reportText('\n'), { ranges: false });
    const slot = createReportIndexes().slot('principal-a', 'settlement-1');
    for (const skip of [21_000, 24_000, 12_345]) {
      const page = await readSettlementReport({ download: report.download, index: slot }, { kind: 'forward', skip, take: 3 });
      expect(shown(page)).toEqual(expected(report.text, skip, 3));
    }
    expect(report.asked.map(({ offset }) => offset)).toEqual([undefined, undefined, undefined]);
  });

  it('starts over when the origin answers the range with another text of the report (If-Range)', async () => {
    const first = origin(reportText('\n'), { etag: '"v1"' });
    const slot = createReportIndexes().slot('principal-a', 'settlement-1');
    await readSettlementReport({ download: first.download, index: slot }, { kind: 'forward', skip: 21_000, take: 1 });
    // The report now has a longer summary: every offset moved. The origin sends it whole (its validator changed).
    const changed = origin(Buffer.from(first.text.toString().replace('REF-1', 'REF-1-PAID-OUT')), { etag: '"v2"' });
    const page = await readSettlementReport({ download: changed.download, index: slot }, { kind: 'forward', skip: 22_000, take: 3 });
    expect(changed.asked[0]).toMatchObject({ etag: '"v1"', served: changed.text.length });
    expect(shown(page)).toEqual(expected(changed.text, 22_000, 3));
    expect(slot.get()?.etag).toBe('"v2"');
  });

  it('keeps one principal’s checkpoints from another’s', () => {
    const indexes = createReportIndexes();
    indexes.slot('principal-a', 'settlement-1').set({ headings: [[], [], []], ranges: true, offsets: [0, 123] });
    expect(indexes.slot('principal-b', 'settlement-1').get()).toBeUndefined();
    indexes.dropPrincipal('principal-a');
    expect(indexes.slot('principal-a', 'settlement-1').get()).toBeUndefined();
  });
});

describe('background indexing of a report', () => {
  /** A background download from `report`, counted; its answer is cut when the indexing is abandoned. */
  const background = (report: ReturnType<typeof origin>) => (signal: AbortSignal) => async (from: { offset: number; etag?: string }) => {
    const answer = await report.download(from);
    signal.addEventListener('abort', () => answer.body.destroy(), { once: true });
    return answer;
  };

  it('learns every checkpoint after a first read, from the last one known, so a deep page resumes near it', async () => {
    const report = origin(reportText('\n'));
    const indexes = createReportIndexes();
    const slot = indexes.slot('principal-a', 'settlement-1', background(report));
    const read = (window: ReportWindow) => readSettlementReport({ download: report.download, index: slot }, window);

    // The first read passes row 10,000 only; behind it, one download from there to the end.
    expect(shown(await read({ kind: 'forward', skip: 12_000, take: 2 }))).toEqual(expected(report.text, 12_000, 2));
    await vi.waitFor(() => expect(indexes.counts.completed).toBe(1));
    expect(indexes.counts.started).toBe(1);
    const checkpoints = slot.get()!.offsets;
    expect(report.asked.map(({ offset }) => offset)).toEqual([undefined, checkpoints[1]]);
    expect(report.asked[1]!.served).toBe(report.text.length - checkpoints[1]!);
    // Row 20,000's start, as the text has it.
    expect(report.text.subarray(checkpoints[2]!).toString().split('\n', 1)[0]).toBe(row(20_000).split('\n', 1)[0]);
    expect(slot.get()!.complete).toBe(true);

    // A page no read had passed: from row 20,000's checkpoint; and no further indexing (the index is complete).
    expect(shown(await read({ kind: 'forward', skip: 24_990, take: 3 }))).toEqual(expected(report.text, 24_990, 3));
    expect(report.asked.at(-1)!.offset).toBe(checkpoints[2]);
    expect(indexes.counts.started).toBe(1);
  });

  it('completes the index after a read to the end only when every checkpoint was noted (one inside the window is not)', async () => {
    const report = origin(reportText('\n'));
    const indexes = createReportIndexes();
    const slot = indexes.slot('principal-a', 'settlement-1', background(report));
    // To the end, through row 20,000 inside the window (rows in a window are not scanned): not complete.
    const page = await readSettlementReport({ download: report.download, index: slot }, { kind: 'forward', skip: 19_995, take: 10_000 });
    expect(page.hasNext).toBe(false);
    await vi.waitFor(() => expect(indexes.counts.completed).toBe(1));
    expect(report.asked.map(({ offset }) => offset)).toEqual([undefined, slot.get()!.offsets[1]]);
    expect(slot.get()!.offsets[2]).toBeGreaterThan(slot.get()!.offsets[1]!);
    // A read to the end with every checkpoint known: complete at once, no indexing.
    const other = indexes.slot('principal-a', 'settlement-2', background(report));
    await readSettlementReport({ download: report.download, index: other }, { kind: 'forward', skip: ROWS - 3, take: 10 });
    expect(other.get()!.complete).toBe(true);
    expect(indexes.counts.started).toBe(1);
  });

  /** A download that sends the report's heading lines and row 0, then what the test pushes. */
  function heldOrigin() {
    const opened: Readable[] = [];
    const download = async (): Promise<ReportDownload> => {
      const body = new Readable({ read: () => undefined });
      body.push(`${SUMMARY_HEADING}\n${SUMMARY}\n${TRANSACTION_HEADING}\n${row(0)}\n`);
      opened.push(body);
      return { body, offset: 0, acceptsRanges: true, etag: '"v1"' };
    };
    return { opened, download };
  }

  it('runs one indexing per report and maxIndexing at once; abandons them on close, on revocation and when the report leaves the LRU', async () => {
    const origins = [heldOrigin(), heldOrigin(), heldOrigin()];
    const indexes = createReportIndexes({ maxIndexing: 2, maxReports: 2 });
    const slots = origins.map((held, index) =>
      indexes.slot(`principal-${index}`, 'settlement-1', () => held.download),
    );
    const seed = (index: number) => slots[index]!.set({ headings: [[], [], []], ranges: true, etag: '"v1"', offsets: [] });
    seed(0);
    seed(1);
    slots[0]!.indexRest();
    slots[0]!.indexRest(); // the same report again: not a second indexing
    slots[1]!.indexRest();
    await vi.waitFor(() => expect(origins.map((held) => held.opened.length)).toEqual([1, 1, 0]));
    expect(indexes.counts.started).toBe(2);
    // A third report while two run: not started (a later read starts it).
    seed(2); // the LRU holds 2: principal-0's index leaves it
    slots[2]!.indexRest();
    expect(indexes.counts.started).toBe(2);
    // principal-0's indexing learns for nobody now: it stops at its next checkpoint.
    origins[0]!.opened[0]!.push(`${Array.from({ length: CHECKPOINT_EVERY_ROWS + 1 }, (_, index) => row(index + 1)).join('\n')}\n`);
    await vi.waitFor(() => expect(origins[0]!.opened[0]!.destroyed).toBe(true));
    // Revocation of principal-1: its indexing is abandoned.
    indexes.dropPrincipal('principal-1');
    await vi.waitFor(() => expect(origins[1]!.opened[0]!.destroyed).toBe(true));
    // Now principal-2's may start; shutdown abandons it, and nothing starts after.
    await vi.waitFor(() => {
      slots[2]!.indexRest();
      expect(origins[2]!.opened.length).toBe(1);
    });
    indexes.close();
    await vi.waitFor(() => expect(origins[2]!.opened[0]!.destroyed).toBe(true));
    expect(indexes.counts.completed).toBe(0);
  });
});
