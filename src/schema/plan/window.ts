/**
 * The one parser of Relay window arguments (`first`/`after`/`last`/`before`).
 *
 * Contract: `parseWindow(args, decode)` either returns the window the arguments name or throws
 * BAD_USER_INPUT naming the argument at fault, before anything is read. Every connection of the
 * schema refuses the same things with the same messages:
 * - `first` with `last` (`last` at fault), `after` with `before` (`before` at fault);
 * - `last` without `before` (paging backward needs a cursor to page back from);
 * - a size outside 1..`MAX_PAGE_SIZE` (`first`, or `last` when given); no size means `DEFAULT_PAGE_SIZE`;
 * - a cursor longer than `MAX_CURSOR_LENGTH` (no connection issues one), before it is decoded.
 * Each connection has its own cursors (a Klarna id, a position among transactions, a CSV row index):
 * `decode(cursor, argument)` turns a given cursor into the connection's own value, or throws
 * BAD_USER_INPUT itself. Any cursor given is decoded, even where the connection then ignores it.
 * This module knows nothing of Klarna's query parameters; the connections map a window onto them.
 */
import { BadUserInputError } from '../../errors.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/**
 * The longest cursor any connection issues, with room: a transaction cursor carries two of Klarna's
 * own cursors (about 200 characters with the sandbox's), a Klarna-id cursor at most 340.
 */
export const MAX_CURSOR_LENGTH = 512;

/** Relay's connection arguments as a field receives them (GraphQL nulls included). */
export interface ConnectionArguments {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export type RelayWindow<Cursor> =
  /** `first` (or nothing): up to `size` items after `after` (or from the start; before `before` if given). */
  | { backward: false; size: number; after?: Cursor; before?: Cursor }
  /** `last`: the `size` items just before `before`. */
  | { backward: true; size: number; before: Cursor; after?: never };

export type CursorDecoder<Cursor> = (cursor: string, argument: 'after' | 'before') => Cursor;

/** BAD_USER_INPUT about one argument, in the form every connection uses. */
export const windowProblem = (path: string, message: string) => new BadUserInputError(`\`${path}\` ${message}.`, [{ path, message }]);

function checkedSize(size: number, argument: 'first' | 'last'): number {
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw windowProblem(argument, `must be between 1 and ${MAX_PAGE_SIZE}`);
  return size;
}

/** `decode`, after refusing a cursor no connection could have issued for its length alone. */
function cappedDecoder<Cursor>(decode: CursorDecoder<Cursor>): CursorDecoder<Cursor> {
  return (cursor, argument) => {
    if (cursor.length > MAX_CURSOR_LENGTH) {
      throw windowProblem(argument, `is longer than any cursor (${MAX_CURSOR_LENGTH} characters); use a cursor this connection returned`);
    }
    return decode(cursor, argument);
  };
}

/** The window the Relay arguments name, or BAD_USER_INPUT naming the argument at fault. */
export function parseWindow<Cursor>(args: ConnectionArguments, decodeCursor: CursorDecoder<Cursor>): RelayWindow<Cursor> {
  const { first, after, last, before } = args;
  const decode = cappedDecoder(decodeCursor);
  if (first != null && last != null) throw windowProblem('last', 'cannot be combined with `first`');
  if (after != null && before != null) throw windowProblem('before', 'cannot be combined with `after`');
  if (last != null) {
    if (before == null) throw windowProblem('last', 'needs `before` (page backward from a cursor)');
    return { backward: true, size: checkedSize(last, 'last'), before: decode(before, 'before') };
  }
  const size = checkedSize(first ?? DEFAULT_PAGE_SIZE, 'first');
  return {
    backward: false,
    size,
    ...(after != null ? { after: decode(after, 'after') } : {}),
    ...(before != null ? { before: decode(before, 'before') } : {}),
  };
}

/**
 * The connection arguments of every occurrence of a field a lookahead found (`SelectedField.args`).
 * GraphQL has already coerced them to the field's argument types, so they are Relay's arguments.
 */
export const windowArguments = (field: { args: Record<string, unknown>[] } | undefined): ConnectionArguments[] =>
  (field?.args ?? []) as ConnectionArguments[];

/**
 * `plan(args)` of each occurrence of a connection whose window is valid. The others are left out of
 * the plan: each refuses itself, on its own field, before it reads anything.
 */
export function plansOfValidWindows<T>(field: { args: Record<string, unknown>[] } | undefined, plan: (args: ConnectionArguments) => T): T[] {
  const plans: T[] = [];
  for (const args of windowArguments(field)) {
    try {
      plans.push(plan(args));
    } catch (error) {
      if (!(error instanceof BadUserInputError)) throw error;
    }
  }
  return plans;
}
