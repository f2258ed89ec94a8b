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
import { LRUCache } from 'lru-cache';

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
}

/** The index of one report for one principal. */
export interface ReportIndexSlot {
  get(): ReportIndex | undefined;
  set(index: ReportIndex): void;
  /** The origin answered another text of the report than the one indexed: forget it. */
  drop(): void;
}

/** The checkpoint at or before `row` (the greatest known), or undefined when none is past row 0. */
export function checkpointBefore(index: ReportIndex, row: number): { row: number; offset: number } | undefined {
  for (let k = Math.min(Math.floor(row / CHECKPOINT_EVERY_ROWS), index.offsets.length - 1); k > 0; k -= 1) {
    const offset = index.offsets[k];
    if (offset !== undefined) return { row: k * CHECKPOINT_EVERY_ROWS, offset };
  }
  return undefined;
}

export function createReportIndexes({ maxReports = 1_000 }: { maxReports?: number } = {}) {
  const indexes = new LRUCache<string, ReportIndex>({ max: maxReports });
  return {
    slot(principalHash: string, settlementId: string): ReportIndexSlot {
      const key = JSON.stringify([principalHash, settlementId]);
      return { get: () => indexes.get(key), set: (index) => void indexes.set(key, index), drop: () => void indexes.delete(key) };
    },
    /** Revocation: nothing learnt with these credentials outlives them. */
    dropPrincipal(principalHash: string) {
      for (const key of indexes.keys()) if ((JSON.parse(key) as string[])[0] === principalHash) indexes.delete(key);
    },
  };
}
export type ReportIndexes = ReturnType<typeof createReportIndexes>;
