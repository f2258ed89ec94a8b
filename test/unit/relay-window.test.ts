/** The one Relay-window parser, and the three connections that map its windows onto their cursors. */
import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '../../src/errors.ts';
import { encodeCursor, pageRequestFrom } from '../../src/schema/connections.ts';
import { DEFAULT_PAGE_SIZE, MAX_CURSOR_LENGTH, MAX_PAGE_SIZE, parseWindow, type ConnectionArguments } from '../../src/schema/plan/window.ts';
import { planTransactionPage } from '../../src/schema/settlement-transactions.ts';
import { reportWindow } from '../../src/schema/settlement-report-plan.ts';

/** A decoder that records what it was asked and reads `c:<n>` cursors as numbers. */
function recordingDecoder() {
  const calls: [string, string][] = [];
  const decode = (cursor: string, argument: string) => {
    calls.push([cursor, argument]);
    const match = /^c:(\d+)$/.exec(cursor);
    if (!match) throw new BadUserInputError(`\`${argument}\` is not a cursor.`, [{ path: argument, message: 'is not a cursor' }]);
    return Number(match[1]);
  };
  return { decode, calls };
}

/** The BAD_USER_INPUT a call throws, as code and the argument it names. */
function refusal(work: () => unknown): { code: string; path: string | undefined; message: string | undefined } {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    const refused = error as BadUserInputError;
    return { code: refused.code, path: refused.problems[0]?.path, message: refused.problems[0]?.message };
  }
  throw new Error('expected the arguments to be refused');
}

const cursorOfTransactions = (position: object) => Buffer.from(JSON.stringify(position)).toString('base64url');
const rowCursor = (index: number) => Buffer.from(`row:${index}`).toString('base64url');

describe('parseWindow', () => {
  it('reads no arguments as the first DEFAULT_PAGE_SIZE items, decoding nothing', () => {
    const { decode, calls } = recordingDecoder();
    expect(parseWindow({}, decode)).toEqual({ backward: false, size: DEFAULT_PAGE_SIZE });
    expect(parseWindow({ first: null, after: null, last: null, before: null }, decode)).toEqual({ backward: false, size: DEFAULT_PAGE_SIZE });
    expect(calls).toEqual([]);
  });

  it('reads first/after as a forward window after the decoded cursor', () => {
    const { decode, calls } = recordingDecoder();
    expect(parseWindow({ first: 5, after: 'c:7' }, decode)).toEqual({ backward: false, size: 5, after: 7 });
    expect(calls).toEqual([['c:7', 'after']]);
  });

  it('reads last/before as a backward window before the decoded cursor', () => {
    const { decode, calls } = recordingDecoder();
    expect(parseWindow({ last: 3, before: 'c:9' }, decode)).toEqual({ backward: true, size: 3, before: 9 });
    expect(calls).toEqual([['c:9', 'before']]);
  });

  it('keeps `before` with `first` (Klarna pages `size` items ending before it), decoded', () => {
    const { decode } = recordingDecoder();
    expect(parseWindow({ first: 2, before: 'c:4' }, decode)).toEqual({ backward: false, size: 2, before: 4 });
  });

  it('accepts sizes from 1 to MAX_PAGE_SIZE', () => {
    const { decode } = recordingDecoder();
    expect(parseWindow({ first: 1 }, decode).size).toBe(1);
    expect(parseWindow({ first: MAX_PAGE_SIZE }, decode).size).toBe(MAX_PAGE_SIZE);
    expect(parseWindow({ last: MAX_PAGE_SIZE, before: 'c:1' }, decode).size).toBe(MAX_PAGE_SIZE);
  });

  it.each<[string, ConnectionArguments, string, string]>([
    ['first with last', { first: 1, last: 1, before: 'c:1' }, 'last', 'cannot be combined with `first`'],
    ['after with before', { after: 'c:1', before: 'c:2' }, 'before', 'cannot be combined with `after`'],
    ['last without before', { last: 5 }, 'last', 'needs `before` (page backward from a cursor)'],
    ['last with only after', { last: 5, after: 'c:1' }, 'last', 'needs `before` (page backward from a cursor)'],
    ['first of 0', { first: 0 }, 'first', `must be between 1 and ${MAX_PAGE_SIZE}`],
    ['first above the maximum', { first: MAX_PAGE_SIZE + 1 }, 'first', `must be between 1 and ${MAX_PAGE_SIZE}`],
    ['a fractional first', { first: 1.5 }, 'first', `must be between 1 and ${MAX_PAGE_SIZE}`],
    ['last of 0', { last: 0, before: 'c:1' }, 'last', `must be between 1 and ${MAX_PAGE_SIZE}`],
    ['a cursor the connection did not issue', { first: 2, after: 'nope' }, 'after', 'is not a cursor'],
  ])('refuses %s with BAD_USER_INPUT naming the argument', (_case, args, path, message) => {
    const { decode } = recordingDecoder();
    expect(refusal(() => parseWindow(args, decode))).toEqual({ code: 'BAD_USER_INPUT', path, message });
  });

  it('refuses bad combinations before decoding any cursor', () => {
    const { decode, calls } = recordingDecoder();
    refusal(() => parseWindow({ first: 500, after: 'c:1' }, decode));
    refusal(() => parseWindow({ after: 'c:1', before: 'c:2' }, decode));
    expect(calls).toEqual([]);
  });

  it('refuses a cursor longer than MAX_CURSOR_LENGTH without decoding it, and takes one at the limit', () => {
    const { decode, calls } = recordingDecoder();
    const atLimit = `c:${'1'.repeat(MAX_CURSOR_LENGTH - 2)}`;
    const long = `${atLimit}1`;
    expect(refusal(() => parseWindow({ first: 1, after: long }, decode))).toMatchObject({ code: 'BAD_USER_INPUT', path: 'after' });
    expect(refusal(() => parseWindow({ last: 1, before: 'x'.repeat(100_000) }, decode))).toMatchObject({ code: 'BAD_USER_INPUT', path: 'before' });
    expect(calls).toEqual([]);
    expect(parseWindow({ first: 1, after: atLimit }, decode).size).toBe(1);
    expect(calls).toHaveLength(1);
  });
});

describe('pageRequestFrom (Klarna id cursors)', () => {
  it("maps a window onto Klarna's size/starting_after/ending_before", () => {
    expect(pageRequestFrom({})).toEqual({ size: DEFAULT_PAGE_SIZE });
    expect(pageRequestFrom({ first: 10, after: encodeCursor('krn:partner:global:account:brand:a') })).toEqual({ size: 10, startingAfter: 'krn:partner:global:account:brand:a' });
    expect(pageRequestFrom({ last: 10, before: encodeCursor('krn:partner:global:account:brand:b') })).toEqual({ size: 10, endingBefore: 'krn:partner:global:account:brand:b' });
    expect(pageRequestFrom({ first: 3, before: encodeCursor('krn:partner:global:account:brand:c') })).toEqual({ size: 3, endingBefore: 'krn:partner:global:account:brand:c' });
  });

  it('refuses a cursor that is not one of its own', () => {
    expect(refusal(() => pageRequestFrom({ after: 'not a cursor!' }))).toMatchObject({ code: 'BAD_USER_INPUT', path: 'after' });
    expect(refusal(() => pageRequestFrom({ last: 1 }))).toMatchObject({ code: 'BAD_USER_INPUT', path: 'last' });
  });
});

describe('planTransactionPage (position cursors)', () => {
  it('reads forward from a position by fetching from its anchor and dropping what is before it', () => {
    expect(planTransactionPage({ first: 5, after: cursorOfTransactions({ a: 'k1', s: 3 }) })).toMatchObject({
      request: { size: 8, startingAfter: 'k1' },
      drop: 3,
      backward: false,
      empty: false,
    });
  });

  it("pages backward from a page start with Klarna's first_item, and not at all from the list's start", () => {
    expect(planTransactionPage({ last: 4, before: cursorOfTransactions({ a: null, s: 1, b: 'k0' }) })).toMatchObject({
      request: { size: 4, endingBefore: 'k0' },
      backward: true,
      empty: false,
    });
    expect(planTransactionPage({ last: 4, before: cursorOfTransactions({ a: null, s: 1, b: null }) })).toMatchObject({ empty: true });
  });

  it('refuses backward paging from a cursor that is not a page start, and the shared bad combinations', () => {
    expect(refusal(() => planTransactionPage({ last: 4, before: cursorOfTransactions({ a: null, s: 2 }) }))).toMatchObject({ code: 'BAD_USER_INPUT', path: 'before' });
    expect(refusal(() => planTransactionPage({ first: 1, last: 1 }))).toMatchObject({ code: 'BAD_USER_INPUT', path: 'last' });
    expect(refusal(() => planTransactionPage({ first: 101 }))).toMatchObject({ code: 'BAD_USER_INPUT', path: 'first' });
  });
});

describe('reportWindow (CSV row cursors)', () => {
  it('maps a window onto rows to skip and take, or rows before an index', () => {
    expect(reportWindow({})).toEqual({ kind: 'forward', skip: 0, take: DEFAULT_PAGE_SIZE });
    expect(reportWindow({ first: 10, after: rowCursor(9) })).toEqual({ kind: 'forward', skip: 10, take: 10 });
    expect(reportWindow({ last: 10, before: rowCursor(20) })).toEqual({ kind: 'backward', before: 20, take: 10 });
  });

  it('refuses what every connection refuses, and cursors that are not rows', () => {
    expect(refusal(() => reportWindow({ last: 10 }))).toMatchObject({ code: 'BAD_USER_INPUT', path: 'last' });
    expect(refusal(() => reportWindow({ after: rowCursor(1), before: rowCursor(2) }))).toMatchObject({ code: 'BAD_USER_INPUT', path: 'before' });
    expect(refusal(() => reportWindow({ after: encodeCursor('krn:partner:global:account:brand:a') }))).toMatchObject({ code: 'BAD_USER_INPUT', path: 'after' });
  });
});
