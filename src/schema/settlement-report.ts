/**
 * The settlement report (Klarna's CSV) as a graph: its summary line and its rows as a connection. Rows
 * have no ids, so a row's cursor is its position in the report; each page parses the stream only up to
 * the rows it returns (plus one, to know whether more follow).
 */
import type { GatewayContext } from '../context.ts';
import type { ReportWindow } from '../datasources/settlement-report.ts';
import { BadUserInputError } from '../errors.ts';
import { builder } from './builder.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ConnectionArguments } from './connections.ts';
import type { SelectedField } from './lookahead.ts';
import { money, MoneyRef } from './money.ts';
import { SettlementTotalsRef, SettlementTransactionRef } from './settlements.ts';

interface ReportShape {
  settlementId: string;
  /** The window the summary is read with: the rows' own, so summary and rows cost one download. */
  summaryWindow: ReportWindow;
}

export const ReportRef = builder.objectRef<ReportShape>('SettlementReport');

const rowCursor = (index: number) => Buffer.from(`row:${index}`).toString('base64url');

function rowIndex(cursor: string, argument: string): number {
  const match = /^row:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new BadUserInputError(`\`${argument}\` is not a cursor of this connection.`, [{ path: argument, message: 'is not a cursor of this connection' }]);
  return Number(match[1]);
}

/** The report window the Relay arguments name, or BAD_USER_INPUT. */
export function reportWindow({ first, after, last, before }: ConnectionArguments): ReportWindow {
  const problem = (path: string, message: string) => new BadUserInputError(`\`${path}\` ${message}.`, [{ path, message }]);
  if (first != null && last != null) throw problem('last', 'cannot be combined with `first`');
  if (after != null && before != null) throw problem('before', 'cannot be combined with `after`');
  const take = first ?? last ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(take) || take < 1 || take > MAX_PAGE_SIZE) throw problem(last != null ? 'last' : 'first', `must be between 1 and ${MAX_PAGE_SIZE}`);
  if (last != null) {
    if (before == null) throw problem('last', 'needs `before` (page backward from a cursor)');
    return { kind: 'backward', before: rowIndex(before, 'before'), take };
  }
  return { kind: 'forward', skip: after != null ? rowIndex(after, 'after') + 1 : 0, take };
}

/** The windows a `report` selection reads: one per `rows` occurrence, or just the summary. */
function windowsOf(report: SelectedField): ReportWindow[] {
  const windows: ReportWindow[] = [];
  for (const args of report.children().get('rows')?.args ?? []) {
    try {
      windows.push(reportWindow(args as ConnectionArguments));
    } catch {
      // refused by the rows field itself
    }
  }
  return windows.length ? windows : [{ kind: 'summary' }];
}

/** Starts reading the windows a `report` selection needs (called with the settlement, in the same tick). */
export function startReportRead(context: GatewayContext, settlementId: string, report: SelectedField): void {
  for (const window of windowsOf(report)) context.loaders.settlementReport.load({ settlementId, window }).catch(() => undefined);
}

/** The report object for a settlement, remembering which window its summary shares. */
export function reportOf(settlementId: string, report: SelectedField | undefined): ReportShape {
  return { settlementId, summaryWindow: report ? windowsOf(report)[0]! : { kind: 'summary' } };
}

const SummaryRef = builder.objectRef<Record<string, string | number | null>>('SettlementReportSummary').implement({
  description: "The report's summary line.",
  fields: (t) => {
    const text = (column: string) => (s: Record<string, string | number | null>) => (s[column] == null ? null : String(s[column]));
    return {
      settlementId: t.string({ nullable: true, description: 'Settlement (KRN) as the report names it.', resolve: text('settlement_id') }),
      acquiringAccountId: t.string({ nullable: true, description: 'Payment acquiring account (KRN).', resolve: text('payment_acquiring_account_id') }),
      createdAt: t.field({ type: 'DateTime', nullable: true, description: 'When the settlement was created.', resolve: text('created_at') }),
      periodFrom: t.field({ type: 'DateTime', nullable: true, description: 'Start of the period.', resolve: text('period_from') }),
      periodTo: t.field({ type: 'DateTime', nullable: true, description: 'End of the period.', resolve: text('period_to') }),
      amount: t.field({
        type: MoneyRef,
        nullable: true,
        description: 'Settled amount.',
        resolve: (s) => money(typeof s.settlement_amount === 'number' ? s.settlement_amount : null, text('currency')(s)),
      }),
      totals: t.field({ type: SettlementTotalsRef, nullable: true, description: 'The amount broken down.', resolve: (s) => (s.currency ? { values: s, currency: String(s.currency) } : null) }),
      paidOutAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was paid out.', resolve: text('paid_out_at') }),
      payoutBankAccountReference: t.string({ nullable: true, description: 'Bank account paid to.', resolve: text('payout_bank_account_reference') }),
      paymentReference: t.string({ nullable: true, description: 'Reference on the bank transfer.', resolve: text('payment_reference') }),
    };
  },
});

builder.objectType(ReportRef, {
  description: 'The settlement report (CSV), read as it streams.',
  fields: (t) => ({
    summary: t.field({
      type: SummaryRef,
      nullable: true,
      description: 'The summary line.',
      resolve: async ({ settlementId, summaryWindow }, _args, context) =>
        (await context.loaders.settlementReport.load({ settlementId, window: summaryWindow })).summary,
    }),
    rows: t.connection({
      type: SettlementTransactionRef,
      nullable: true,
      description: 'The transaction rows, in report order.',
      resolve: async ({ settlementId }, args, context) => {
        const window = reportWindow(args);
        const page = await context.loaders.settlementReport.load({ settlementId, window });
        const edges = page.rows.map(({ index, row }) => ({ cursor: rowCursor(index), node: row }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.hasNext,
            hasPreviousPage: page.hasPrevious,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges[edges.length - 1]?.cursor ?? null,
          },
        };
      },
    }),
  }),
});
