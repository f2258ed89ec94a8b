/**
 * Relay connections over Klarna's cursor paging.
 *
 * `first`/`after` become `size`/`starting_after`, `last`/`before` become `size`/`ending_before`. An
 * edge's cursor is its item's Klarna id (base64url, to keep it opaque), which is exactly what Klarna
 * takes as `starting_after` / `ending_before`; so a connection answered from an expanded account (in
 * memory) and one answered by a list call page identically. Invalid paging is refused before any call.
 */
import { BadUserInputError } from '../errors.ts';
import type { Page, PageRequest } from '../datasources/partner-management.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface ConnectionArguments {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

export function decodeCursor(cursor: string, argument: string): string {
  const id = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!id || encodeCursor(id) !== cursor) {
    throw new BadUserInputError(`\`${argument}\` is not a cursor of this connection; use a cursor it returned.`, [
      { path: argument, message: 'is not a cursor of this connection' },
    ]);
  }
  return id;
}

/** Klarna's page request for Relay arguments, or BAD_USER_INPUT naming the argument at fault. */
export function pageRequestFrom(args: ConnectionArguments, maxSize = MAX_PAGE_SIZE): PageRequest {
  const { first, after, last, before } = args;
  const problem = (path: string, message: string) => new BadUserInputError(`\`${path}\` ${message}.`, [{ path, message }]);
  if (first != null && last != null) throw problem('last', 'cannot be combined with `first`');
  if (after != null && before != null) throw problem('before', 'cannot be combined with `after`');
  if (last != null && before == null) throw problem('last', 'needs `before` (page backward from a cursor)');
  const size = first ?? last ?? DEFAULT_PAGE_SIZE;
  const name = last != null ? 'last' : 'first';
  if (!Number.isInteger(size) || size < 1 || size > maxSize) throw problem(name, `must be between 1 and ${maxSize}`);
  if (before != null) return { size, endingBefore: decodeCursor(before, 'before') };
  if (after != null) return { size, startingAfter: decodeCursor(after, 'after') };
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
