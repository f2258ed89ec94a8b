/**
 * Settlements: what Klarna paid out for a period, with totals, payout status, transactions and the CSV
 * report. Reading a settlement starts its payout, transaction page and report window in the same tick,
 * so the whole `Settlement` query costs one parallel round trip. The line and totals types are
 * `settlement-lines.ts`, shared with the report (`settlement-report.ts`).
 */
import type { PayoutStatus, Settlement } from '../datasources/partner-management.ts';
import { builder } from './builder.ts';
import { nodeKeyParts } from './global-ids.ts';
import { money, MoneyRef } from './money.ts';
import { openEnum } from './open-enum.ts';
import { currentSelection } from './plan/lookahead.ts';
import { SettlementTotalsRef, SettlementTransactionRef } from './settlement-lines.ts';
import { loadSettlement } from './settlement-loading.ts';
import { reportOf } from './settlement-report-plan.ts';
import { ReportRef } from './settlement-report.ts';
import { planTransactionPage, transactionConnection } from './settlement-transactions.ts';

export const SettlementRef = builder.objectRef<Settlement>('Settlement');
const PayoutRef = builder.objectRef<PayoutStatus>('Payout');

const PayoutStatusEnum = openEnum('PayoutStatus', 'Where the payout is.', {
  PENDING: 'Not started.',
  IN_PROGRESS: 'Being paid out.',
  PROCESSED: 'Paid out.',
  FAILED: 'Failed.',
  RETURNED: 'Returned by the bank.',
});

builder.objectType(PayoutRef, {
  description: 'The latest payout attempt of a settlement.',
  fields: (t) => ({
    klarnaId: t.exposeString('payout_id', { description: "Klarna's identifier of the payout." }),
    status: t.field({ type: PayoutStatusEnum.ref, description: 'Where the payout is.', resolve: (p) => PayoutStatusEnum.from(p.status) }),
    statusRaw: t.exposeString('status', { description: 'Status as Klarna sent it.' }),
    paidOutAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was paid out.', resolve: (p) => p.paid_out_at ?? null }),
    amount: t.field({ type: MoneyRef, nullable: true, description: 'Amount paid out.', resolve: (p) => money(p.payout_amount, p.currency) }),
    bankAccountReference: t.string({ nullable: true, description: 'The bank account paid to.', resolve: (p) => p.payout_bank_account_reference ?? null }),
    paymentReference: t.string({ nullable: true, description: 'Reference on the bank transfer.', resolve: (p) => p.payment_reference ?? null }),
  }),
});

builder.node(SettlementRef, {
  description: 'What Klarna settled to a payment acquiring account for a period.',
  id: { resolve: (s) => s.settlement_id },
  loadOne: (key, context) => context.loaders.settlement.load(nodeKeyParts('Settlement', key)[0]!),
  fields: (t) => ({
    klarnaId: t.exposeString('settlement_id', { description: "Klarna's identifier (KRN) of the settlement." }),
    acquiringAccountId: t.exposeString('payment_acquiring_account_id', { description: 'The payment acquiring account settled to (KRN).' }),
    acquiringAccountReference: t.string({ nullable: true, description: "That account's reference.", resolve: (s) => s.payment_acquiring_account_reference ?? null }),
    createdAt: t.field({ type: 'DateTime', description: 'When the settlement was created.', resolve: (s) => s.created_at }),
    periodFrom: t.field({ type: 'DateTime', description: 'Start of the settled period.', resolve: (s) => s.period_from }),
    periodTo: t.field({ type: 'DateTime', description: 'End of the settled period.', resolve: (s) => s.period_to }),
    currency: t.exposeString('currency', { description: 'ISO 4217 currency of the settlement.' }),
    amount: t.field({ type: MoneyRef, description: 'The settled amount (signed).', resolve: (s) => money(s.settlement_amount, s.currency)! }),
    totals: t.field({ type: SettlementTotalsRef, nullable: true, description: 'The amount broken down.', resolve: (s) => (s.totals ? { values: s.totals, currency: s.currency } : null) }),
    payout: t.field({
      type: PayoutRef,
      nullable: true,
      description: 'The latest payout attempt.',
      resolve: (s, _args, context) => context.loaders.payoutStatus.load(s.settlement_id),
    }),
    transactions: t.connection({
      type: SettlementTransactionRef,
      nullable: true,
      description: 'The settlement lines, in order. Page forward with `first`/`after`, backward with `last`/`before: pageInfo.startCursor`.',
      resolve: async (s, args, context) => {
        const plan = planTransactionPage(args);
        if (plan.empty) return { edges: [], pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null } };
        const page = await context.loaders.settlementTransactionPage.load({ settlementId: s.settlement_id, page: plan.request });
        return transactionConnection(page, plan);
      },
    }),
    report: t.field({
      type: ReportRef,
      nullable: true,
      description: 'The CSV settlement report, parsed as it streams: its summary line and its rows.',
      resolve: (s, _args, _context, info) => reportOf(s.settlement_id, currentSelection(info)),
    }),
  }),
});

builder.queryField('settlement', (t) =>
  t.field({
    type: SettlementRef,
    nullable: true,
    description: 'A settlement by its Klarna id (KRN), e.g. krn:partner:eu1:settlement:live:113574395.',
    args: { id: t.arg.id({ required: true, description: 'The settlement KRN.' }) },
    resolve: (_root, { id }, context, info) => loadSettlement(context, String(id), info),
  }),
);

