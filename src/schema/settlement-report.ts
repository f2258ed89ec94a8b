/**
 * The settlement report (Klarna's CSV) as a graph: its summary line and its rows as a connection. Rows
 * have no ids, so a row's cursor is its position in the report; each page parses the stream only up to
 * the rows it returns (plus one, to know whether more follow). How a selection is read is
 * `settlement-report-plan.ts`.
 */
import { builder } from './builder.ts';
import { money, MoneyRef } from './money.ts';
import { SettlementTotalsRef, SettlementTransactionRef } from './settlement-lines.ts';
import { reportWindow, rowCursor, type ReportShape } from './settlement-report-plan.ts';

export const ReportRef = builder.objectRef<ReportShape>('SettlementReport');

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
