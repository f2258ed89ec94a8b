/**
 * Skipping the rows of a CSV report that a page does not show, without parsing them: a stream between
 * the download and csv-parse that finds where each line starts (a line end inside double quotes is
 * part of a cell), counts the records (empty lines are none, as csv-parse's `skip_empty_lines` has it),
 * passes the heading lines and the records from `passFrom` on, and drops the records before. It is
 * what makes a deep page cost a scan of bytes instead of a parse of every row before it (a parse
 * reads ~57k rows/s; this reads hundreds of MB/s), and what tells the report index where rows start.
 *
 * Skipped records are not checked: a malformed one among them goes unnoticed (the rows a page shows are
 * parsed and checked as before).
 */
import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export interface RowSkipperOptions {
  /** Where the stream's first byte is in the report. */
  offset: number;
  /**
   * The record the stream begins with: a transaction row index (the stream starts where that row
   * starts), or -3 for the report's start (three heading lines before row 0).
   */
  record: number;
  /** The first row passed on; rows before it are dropped (heading lines are always passed). */
  passFrom: number;
  /** Told where row `row` starts (in bytes from the report's start) for every row read that is a multiple of `every`. */
  onRowStart?: (row: number, offset: number) => void;
  every?: number;
}

export class RowSkipper extends Transform {
  private readonly passFrom: number;
  private readonly checkpointEvery: number;
  private readonly onRowStart: RowSkipperOptions['onRowStart'];
  /** Bytes of the report before the current chunk. */
  private position: number;
  /** The record the current line is (or will be, if it is not empty). */
  private record: number;
  private inQuotes = false;
  /** Where the current line started, in the report; and whether it holds anything but a CR so far. */
  private lineStart: number;
  private lineHasContent = false;
  /** Once the rows wanted have begun, the rest is passed on unread. */
  private through = false;

  constructor(options: RowSkipperOptions) {
    super();
    this.position = options.offset;
    this.lineStart = options.offset;
    this.record = options.record;
    this.passFrom = options.passFrom;
    this.checkpointEvery = options.every ?? Infinity;
    this.onRowStart = options.onRowStart;
    this.through = this.record >= this.passFrom;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.through) {
      done(null, chunk);
      return;
    }
    /** Where in this chunk the bytes being passed on start (-1: dropping). */
    let passStart = this.record < 0 ? 0 : -1;
    let index = 0;
    /** The next quote at or after `index` (-1: none left in this chunk); searched again only once passed. */
    let quote = chunk.indexOf(QUOTE);
    while (index < chunk.length) {
      if (quote >= 0 && quote < index) quote = chunk.indexOf(QUOTE, index);
      if (this.inQuotes) {
        if (quote < 0) break;
        this.inQuotes = false; // a doubled quote ("") opens again at once
        index = quote + 1;
        continue;
      }
      const lineEnd = chunk.indexOf(LF, index);
      if (quote >= 0 && (lineEnd < 0 || quote < lineEnd)) {
        this.lineHasContent = true;
        this.inQuotes = true;
        index = quote + 1;
        continue;
      }
      const end = lineEnd < 0 ? chunk.length : lineEnd;
      // Anything but a lone CR (the first half of a CRLF) is content.
      if (end - index > 1 || (end - index === 1 && chunk[index] !== CR)) this.lineHasContent = true;
      if (lineEnd < 0) break;
      // A line ended: if it held a record, the next line is the record after it.
      if (this.lineHasContent) this.endRecord();
      this.lineStart = this.position + lineEnd + 1;
      this.lineHasContent = false;
      index = lineEnd + 1;
      // Heading lines are passed; the first wanted row starts passing the rest.
      if (this.record === 0 && passStart >= 0 && this.passFrom > 0) {
        this.push(chunk.subarray(passStart, index));
        passStart = -1;
      }
      if (this.record >= this.passFrom) {
        this.through = true;
        this.position += chunk.length;
        done(null, chunk.subarray(passStart >= 0 ? passStart : index));
        return;
      }
    }
    if (passStart >= 0) this.push(chunk.subarray(passStart));
    this.position += chunk.length;
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.lineHasContent && !this.through) this.endRecord();
    done();
  }

  /** The current line held a record: note where it started if it is a row to remember, and count it. */
  private endRecord() {
    if (this.record >= 0 && this.record % this.checkpointEvery === 0) this.onRowStart?.(this.record, this.lineStart);
    this.record += 1;
  }
}
