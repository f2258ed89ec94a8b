/**
 * Klarna's cursor paging: `size` items after `starting_after` or before `ending_before` (exclusive,
 * never both), answered with the `pagination` object. A cursor is the identifier of an item, as
 * Klarna's `first_item` / `last_item` are; for items without an identifier the caller supplies one.
 */
import { validationError } from './errors.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageQuery {
  size?: unknown;
  starting_after?: unknown;
  ending_before?: unknown;
}

export interface Pagination {
  count: number;
  total: number;
  first_item: string | null;
  last_item: string | null;
  links?: { next?: { href: string; method: string }; prev?: { href: string; method: string } };
}

export interface Page<T> {
  items: T[];
  pagination: Pagination;
}

/**
 * One page of `items` (in their stable order). `cursorOf(item, index)` names each item; `selfHref`
 * (path without query) lets the page carry Klarna's `links.next` / `links.prev`.
 */
export function paginate<T>(
  items: readonly T[],
  query: PageQuery,
  cursorOf: (item: T, index: number) => string,
  selfHref?: string,
): Page<T> {
  const size = typeof query.size === 'number' ? query.size : DEFAULT_PAGE_SIZE;
  const after = typeof query.starting_after === 'string' ? query.starting_after : undefined;
  const before = typeof query.ending_before === 'string' ? query.ending_before : undefined;
  if (after !== undefined && before !== undefined) {
    throw validationError(
      [{ parameter: 'query.ending_before', reason: 'cannot be combined with starting_after' }],
      'Use either starting_after or ending_before, not both.',
    );
  }
  const indexOf = (cursor: string, parameter: string) => {
    const index = findIndex(items, cursor, cursorOf);
    if (index < 0) throw validationError([{ parameter: `query.${parameter}`, reason: 'does not name an item of this list' }]);
    return index;
  };
  let start = 0;
  let end = Math.min(items.length, size);
  if (after !== undefined) {
    start = indexOf(after, 'starting_after') + 1;
    end = Math.min(items.length, start + size);
  } else if (before !== undefined) {
    end = indexOf(before, 'ending_before');
    start = Math.max(0, end - size);
  }
  const page = items.slice(start, end);
  const first = page.length ? cursorOf(page[0]!, start) : null;
  const last = page.length ? cursorOf(page[page.length - 1]!, end - 1) : null;
  const hasNext = end < items.length;
  const hasPrev = start > 0;
  const pagination: Pagination = {
    count: page.length,
    total: items.length,
    first_item: hasPrev ? first : null,
    last_item: hasNext ? last : null,
  };
  if (selfHref && (hasNext || hasPrev)) {
    pagination.links = {};
    if (hasNext && last) pagination.links.next = { href: `${selfHref}?size=${size}&starting_after=${encodeURIComponent(last)}`, method: 'GET' };
    if (hasPrev && first) pagination.links.prev = { href: `${selfHref}?size=${size}&ending_before=${encodeURIComponent(first)}`, method: 'GET' };
  }
  return { items: page, pagination };
}

function findIndex<T>(items: readonly T[], cursor: string, cursorOf: (item: T, index: number) => string): number {
  for (let index = 0; index < items.length; index += 1) {
    if (cursorOf(items[index]!, index) === cursor) return index;
  }
  return -1;
}
