/**
 * Relay connections over Klarna's cursor paging.
 *
 * `first`/`after` become `size`/`starting_after`, `last`/`before` become `size`/`ending_before` (the
 * window itself is parsed by `plan/window.ts`, as for every connection). An edge's cursor is its item's
 * Klarna id (base64url, to keep it opaque), which is exactly what Klarna takes as `starting_after` /
 * `ending_before`; so a connection answered from an expanded account (in memory) and one answered by a
 * list call page identically. Invalid paging is refused before any call.
 */
import { BadUserInputError } from '../errors.ts';
import type { Page, PageRequest } from '../datasources/partner-management.ts';
import { ID_RULES } from './ids.ts';
import { parseWindow, type ConnectionArguments } from './plan/window.ts';

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

/** The Klarna id a cursor of these connections holds (every item they page has a KRN), or BAD_USER_INPUT. */
export function decodeCursor(cursor: string, argument: string): string {
  const id = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!ID_RULES.klarnaId.test(id) || encodeCursor(id) !== cursor) {
    throw new BadUserInputError(`\`${argument}\` is not a cursor of this connection; use a cursor it returned.`, [
      { path: argument, message: 'is not a cursor of this connection' },
    ]);
  }
  return id;
}

/** Klarna's page request for Relay arguments, or BAD_USER_INPUT naming the argument at fault. */
export function pageRequestFrom(args: ConnectionArguments): PageRequest {
  const { size, after, before } = parseWindow(args, decodeCursor);
  if (before !== undefined) return { size, endingBefore: before };
  if (after !== undefined) return { size, startingAfter: after };
  return { size };
}

function edgesOf<T>(items: readonly T[], idOf: (item: T) => string) {
  return items.map((node) => ({ cursor: encodeCursor(idOf(node)), node }));
}

/** A connection from one page Klarna answered for `request`. */
export function connectionFromPage<T>(page: Page<T>, idOf: (item: T) => string): Connection<T> {
  const edges = edgesOf(page.items, idOf);
  return {
    edges,
    pageInfo: {
      hasNextPage: page.pagination.last_item != null,
      hasPreviousPage: page.pagination.first_item != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** The same connection from a whole list already in memory (an expanded account), with Klarna's semantics. */
export function connectionFromArray<T>(items: readonly T[], request: PageRequest, idOf: (item: T) => string): Connection<T> {
  const indexOf = (id: string, argument: string) => {
    const index = items.findIndex((item) => idOf(item) === id);
    if (index < 0) throw new BadUserInputError(`\`${argument}\` names no item of this connection.`, [{ path: argument, message: 'names no item of this connection' }]);
    return index;
  };
  let start = 0;
  let end = Math.min(items.length, request.size);
  if (request.startingAfter !== undefined) {
    start = indexOf(request.startingAfter, 'after') + 1;
    end = Math.min(items.length, start + request.size);
  } else if (request.endingBefore !== undefined) {
    end = indexOf(request.endingBefore, 'before');
    start = Math.max(0, end - request.size);
  }
  const page = items.slice(start, end);
  return connectionFromPage(
    {
      items: page,
      pagination: {
        count: page.length,
        total: items.length,
        first_item: start > 0 && page[0] ? idOf(page[0]) : null,
        last_item: end < items.length && page.length ? idOf(page[page.length - 1]!) : null,
      },
    },
    idOf,
  );
}
