/**
 * Cursors for settlement transactions, which have no identifiers: Klarna pages them with opaque cursors
 * and tells only the cursors at a page's ends (`first_item`, `last_item`). An edge's cursor therefore
 * names a position: "`offset` items after the anchor this page was read from". `pageInfo.endCursor` is
 * Klarna's `last_item` itself and `pageInfo.startCursor` carries its `first_item`, so paging forward
 * from any cursor and backward from a page's start both cost one call.
 */
import type { Page, PageRequest, SettlementTransaction } from '../datasources/partner-management.ts';
import { BadUserInputError } from '../errors.ts';
import type { Connection } from './connections.ts';
import { MAX_PAGE_SIZE, parseWindow, windowProblem, type ConnectionArguments } from './plan/window.ts';

interface Position {
  /** Klarna cursor the position is counted from (`starting_after`); null = the list's start. */
  a: string | null;
  /** Items after the anchor up to and including the edge. */
  s: number;
  /** Klarna's `first_item` of the edge's page (`ending_before`), on the first edge only. */
  b?: string | null;
}

const encode = (position: Position) => Buffer.from(JSON.stringify(position)).toString('base64url');

function decode(cursor: string, argument: string): Position {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position;
    if ((typeof value.a === 'string' || value.a === null) && Number.isInteger(value.s) && (value.s >= 0 || argument === 'before')) return value;
  } catch {
    // fall through
  }
  throw new BadUserInputError(`\`${argument}\` is not a cursor to page on; use \`pageInfo.endCursor\` or an edge cursor of a forward page.`, [
    { path: argument, message: 'is not a cursor to page on' },
  ]);
}

export interface TransactionPagePlan {
  request: PageRequest;
  /** Items at the start of Klarna's page that are before the asked window. */
  drop: number;
  /** Position anchor of the page Klarna returns (for its edges' cursors). */
  anchor: string | null;
  offset: number;
  backward: boolean;
  /** Nothing can be in the window (backward from the list's start): no call is needed. */
  empty: boolean;
}

/** How to ask Klarna for the window the Relay arguments name (BAD_USER_INPUT first, as `parseWindow`). */
export function planTransactionPage(args: ConnectionArguments): TransactionPagePlan {
  const { size, backward, after, before } = parseWindow(args, decode);
  if (backward) {
    // Only a page's start knows Klarna's `first_item`, the one cursor Klarna pages backward from.
    if (before.b === undefined) throw windowProblem('before', 'must be a `pageInfo.startCursor` of this connection to page backward');
    return { request: { size, ...(before.b ? { endingBefore: before.b } : {}) }, drop: 0, anchor: null, offset: 0, backward: true, empty: !before.b };
  }
  if (!after) return { request: { size }, drop: 0, anchor: null, offset: 0, backward: false, empty: false };
  const fetch = Math.min(MAX_PAGE_SIZE, after.s + size);
  return {
    request: { size: fetch, ...(after.a ? { startingAfter: after.a } : {}) },
    drop: after.s,
    anchor: after.a,
    offset: after.s,
    backward: false,
    empty: false,
  };
}

/** The connection for Klarna's answer to a plan. */
export function transactionConnection(page: Page<SettlementTransaction>, plan: TransactionPagePlan): Connection<SettlementTransaction> {
  const items = page.items.slice(plan.drop);
  // Edges of a backward page have no known anchor: only the page's start and end cursors page on.
  const edges = items.map((node, index) => ({
    node,
    cursor: encode({
      a: plan.anchor,
      s: plan.backward ? -1 : plan.offset + index + 1,
      ...(index === 0 ? { b: page.pagination.first_item ?? null } : {}),
    }),
  }));
  const hasNextPage = page.pagination.last_item != null;
  if (edges.length) {
    // The last edge is Klarna's own `last_item`, so `after: endCursor` asks exactly for the next page.
    const lastEdge = edges[edges.length - 1]!;
    if (hasNextPage) lastEdge.cursor = encode({ a: page.pagination.last_item!, s: 0, ...(edges.length === 1 ? { b: page.pagination.first_item ?? null } : {}) });
  }
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: page.pagination.first_item != null || plan.drop > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
