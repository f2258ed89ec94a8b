/**
 * Where the rows of a settlement report start, remembered per report: a settlement report does not
 * change, so once a read has passed row 10,000 (20,000, ...) the byte offset where that row starts is
 * kept, with the report's heading lines (a read resumed at an offset needs its column names) and what
 * the origin said about byte ranges (`Accept-Ranges`, `ETag`). A deep page then downloads the report
 * from the checkpoint before its first row (`Range: bytes=<offset>-`, `If-Range: <etag>`) instead of
 * from the start.
 *
 * Held in a bounded LRU per gateway, keyed by principal and settlement: one principal's reads never
 * tell another's anything (nor serve it anything: only offsets are kept, the rows are always Klarna's
 * answer to the caller's own request).
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LRUCache } from 'lru-cache';
import { RowSkipper } from './csv-row-skipper.ts';
import type { ReportDownload } from './partner-management.ts';

/** Rows between checkpoints: a resumed read skips at most this many rows (a scan of ~5 MB at most). */
export const CHECKPOINT_EVERY_ROWS = 10_000;

export interface ReportIndex {
  /** The three heading lines, as cells: summary heading, summary, transaction heading. */
  headings: [string[], string[], string[]];
  /** The origin answers `Range: bytes=<offset>-` (it said `Accept-Ranges: bytes`). */
  ranges: boolean;
  /** The strong validator of the report the offsets were measured in (sent as `If-Range`). */
  etag?: string;
  /** `offsets[k]`: where row `k * CHECKPOINT_EVERY_ROWS` starts, once a read passed it. */
  offsets: number[];
  /** Every checkpoint to the report's end is known (a read, or the background indexing, reached it). */
  complete?: boolean;
}

/**
 * A download of the report made for the background indexing, outside any request: with the caller's
 * credentials, aborted by `signal` (no operation deadline applies to it).
 */
export type BackgroundDownload = (signal: AbortSignal) => (from: { offset: number; etag?: string }) => Promise<ReportDownload>;

/** The index of one report for one principal. */
export interface ReportIndexSlot {
  get(): ReportIndex | undefined;
  set(index: ReportIndex): void;
  /** The origin answered another text of the report than the one indexed: forget it. */
  drop(): void;
  /**
   * After a read: learn the rest of the report's checkpoints in the background (see
   * `createReportIndexes`), so that any later page resumes near its rows. Does nothing when the index
   * is complete, the origin serves no ranges, or this report is being indexed already.
   */
  indexRest(): void;
}

/** The checkpoint at or before `row` (the greatest known), or undefined when none is past row 0. */
export function checkpointBefore(index: ReportIndex, row: number): { row: number; offset: number } | undefined {
  for (let k = Math.min(Math.floor(row / CHECKPOINT_EVERY_ROWS), index.offsets.length - 1); k > 0; k -= 1) {
    const offset = index.offsets[k];
    if (offset !== undefined) return { row: k * CHECKPOINT_EVERY_ROWS, offset };
  }
  return undefined;
}

/** The last checkpoint known (row 0's start when none past it), else the report's start (record -3: its heading lines). */
function lastCheckpoint(index: ReportIndex): { record: number; offset: number } {
  for (let k = index.offsets.length - 1; k >= 0; k -= 1) {
    const offset = index.offsets[k];
    if (offset !== undefined) return { record: k * CHECKPOINT_EVERY_ROWS, offset };
  }
  return { record: -3, offset: 0 };
}

/**
 * Reads the report from its last checkpoint to its end (`Range`), noting every checkpoint it passes
 * into `index`; nothing else of the report is kept (the bytes are scanned and dropped). Stops when
 * `signal` aborts, when the origin answers another text (no 206 from the offset asked), or when
 * `stillHeld` says the index left the LRU (it would be learning for nobody).
 */
async function indexRest(index: ReportIndex, download: ReturnType<BackgroundDownload>, controller: AbortController, stillHeld: () => boolean): Promise<void> {
  const from = lastCheckpoint(index);
  const answer = await download({ offset: from.offset, ...(index.etag ? { etag: index.etag } : {}) });
  if (answer.offset !== from.offset) {
    answer.body.destroy();
    return;
  }
  const skipper = new RowSkipper({
    offset: from.offset,
    record: from.record,
    passFrom: Infinity,
    every: CHECKPOINT_EVERY_ROWS,
    onRowStart: (row, offset) => {
      if (stillHeld()) index.offsets[row / CHECKPOINT_EVERY_ROWS] = offset;
      else controller.abort();
    },
  });
  const drop = new Writable({ write: (_chunk, _encoding, done) => done() });
  await pipeline(answer.body, skipper, drop, { signal: controller.signal });
  if (stillHeld()) index.complete = true;
}

export interface ReportIndexesOptions {
  /** Reports whose index is kept (LRU; an index is ~100 numbers per 1M rows plus its heading lines). */
  maxReports?: number;
  /** Background indexings running at once in this gateway (one per report at most); more are not started. */
  maxIndexing?: number;
  /** A background indexing still running after this long is abandoned. */
  indexingTimeoutMs?: number;
}

/**
 * The report indexes of one gateway. After a read of a report, the rest of its checkpoints are learnt
 * in the background (`slot(...).indexRest()`): one download from the last checkpoint known to the end,
 * scanned for row starts and dropped, so that any page read later resumes within
 * CHECKPOINT_EVERY_ROWS of its rows. Bounded: one indexing per report, `maxIndexing` at once, each
 * abandoned after `indexingTimeoutMs`, when its index leaves the LRU or its principal's credentials are
 * refused, and on `close()` (shutdown).
 */
export function createReportIndexes({ maxReports = 1_000, maxIndexing = 2, indexingTimeoutMs = 300_000 }: ReportIndexesOptions = {}) {
  const indexes = new LRUCache<string, ReportIndex>({ max: maxReports });
  /** Background indexings running, by report key. */
  const indexing = new Map<string, AbortController>();
  let closed = false;
  /** Indexings started (tests and metrics read it). */
  const counts = { started: 0, completed: 0 };
  return {
    counts,
    slot(principalHash: string, settlementId: string, background?: BackgroundDownload): ReportIndexSlot {
      const key = JSON.stringify([principalHash, settlementId]);
      return {
        get: () => indexes.get(key),
        set: (index) => void indexes.set(key, index),
        drop: () => void indexes.delete(key),
        indexRest() {
          const index = indexes.peek(key);
          if (!background || closed || !index || !index.ranges || index.complete || indexing.has(key) || indexing.size >= maxIndexing) return;
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), indexingTimeoutMs);
          timer.unref();
          indexing.set(key, controller);
          counts.started += 1;
          const stillHeld = () => indexes.peek(key) === index;
          indexRest(index, background(controller.signal), controller, stillHeld)
            .then(() => void (index.complete && (counts.completed += 1)))
            // A failed indexing leaves what it learnt; a later read starts another from there.
            .catch(() => undefined)
            .finally(() => {
              clearTimeout(timer);
              indexing.delete(key);
            });
        },
      };
    },
    /** Revocation: nothing learnt with these credentials outlives them, nor goes on learning. */
    dropPrincipal(principalHash: string) {
      for (const key of indexes.keys()) if ((JSON.parse(key) as string[])[0] === principalHash) indexes.delete(key);
      for (const [key, controller] of indexing) if ((JSON.parse(key) as string[])[0] === principalHash) controller.abort();
    },
    /** Shutdown: every background indexing is abandoned (its download would hold the upstream pool open). */
    close() {
      closed = true;
      for (const controller of indexing.values()) controller.abort();
    },
  };
}
export type ReportIndexes = ReturnType<typeof createReportIndexes>;
