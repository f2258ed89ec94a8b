/**
 * Settlements: what Klarna paid out for a period, with totals, payout status, transactions and the CSV
 * report. Reading a settlement starts its payout, transaction page and report window in the same tick,
 * so the whole `Settlement` query costs one parallel round trip.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../context.ts';
import type { PayoutStatus, Settlement, SettlementTransaction } from '../datasources/partner-management.ts';
import { builder } from './builder.ts';
import { assertKrn } from './account-loading.ts';
import type { ConnectionArguments } from './connections.ts';
import { lookahead, type SelectedField } from './lookahead.ts';
import { money, MoneyRef } from './money.ts';
import { openEnum } from './open-enum.ts';
import { planTransactionPage, transactionConnection } from './settlement-transactions.ts';
import { ReportRef, reportOf, reportWindow, startReportRead } from './settlement-report.ts';

export const SettlementRef = builder.objectRef<Settlement>('Settlement');
export const SettlementTransactionRef = builder.objectRef<SettlementTransaction>('SettlementTransaction');
const PayoutRef = builder.objectRef<PayoutStatus>('Payout');

const TransactionType = openEnum('SettlementTransactionType', 'What a settlement line is.', {
  SALE: 'A captured sale.',
  FEE: 'A fee charged.',
  REFUND: 'A refund.',
  CHARGEBACK: 'A chargeback.',
  FEE_CORRECTION: 'A correction of a fee.',
  HOLDBACK: 'Money held back.',
  RELEASE: 'Held-back money released.',
  DEPOSIT: 'A deposit.',
  REPAY: 'A debt repayment.',
});

const DetailedTransactionType = openEnum('SettlementTransactionDetailedType', 'The line in detail.', {
  CAPTURE: 'Capture of a payment.',
  CAPTURE_FIXED_FEE: 'Fixed fee of a capture.',
  PAYMENT_VARIABLE_FEE: 'Variable fee of a payment.',
  DISPUTE_FEE: 'Fee for a dispute.',
  REFUND: 'Refund of a payment.',
  CHARGEBACK: 'Chargeback of a payment.',
  CUSTOMER_PAYMENT_DEFAULT: 'The shopper did not pay.',
  CORRECTION_PAYMENT_VARIABLE_FEE: 'Correction of a variable fee.',
  CORRECTION_CAPTURE_FIXED_FEE: 'Correction of a fixed fee.',
  CORRECTION_CHARGEBACK: 'Correction of a chargeback.',
  HOLDBACK: 'Holdback.',
  RELEASE: 'Release.',
  DEPOSIT: 'Deposit.',
  REPAY: 'Repayment.',
});

const PayoutStatusEnum = openEnum('PayoutStatus', 'Where the payout is.', {
  PENDING: 'Not started.',
  IN_PROGRESS: 'Being paid out.',
  PROCESSED: 'Paid out.',
  FAILED: 'Failed.',
  RETURNED: 'Returned by the bank.',
});

builder.objectType(SettlementTransactionRef, {
  description: 'One line of a settlement: a sale, fee, refund or other movement, with the payment it belongs to.',
  fields: (t) => ({
    type: t.field({ type: TransactionType.ref, description: 'What the line is.', resolve: (x) => TransactionType.from(x.type) }),
    typeRaw: t.exposeString('type', { description: 'Type as Klarna sent it.' }),
    detailedType: t.field({ type: DetailedTransactionType.ref, description: 'The line in detail.', resolve: (x) => DetailedTransactionType.from(x.detailed_type) }),
    detailedTypeRaw: t.exposeString('detailed_type', { description: 'Detailed type as Klarna sent it.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the line was booked.', resolve: (x) => x.created_at }),
    amount: t.field({ type: MoneyRef, description: 'Amount (credit positive, debit negative).', resolve: (x) => money(x.transaction_amount, x.transaction_currency)! }),
    taxAmount: t.field({ type: MoneyRef, nullable: true, description: 'Tax on a fee line.', resolve: (x) => money(x.tax_amount, x.transaction_currency) }),
    taxRate: t.int({ nullable: true, description: 'Tax rate in hundredths of a percent (1900 = 19 %).', resolve: (x) => x.tax_rate ?? null }),
    paymentAccountId: t.string({ nullable: true, description: 'Payment account (KRN).', resolve: (x) => x.payment_account_id ?? null }),
    paymentAccountReference: t.string({ nullable: true, description: "Payment account's reference.", resolve: (x) => x.payment_account_reference ?? null }),
    productId: t.string({ nullable: true, description: 'Payment product (KRN).', resolve: (x) => x.product_id ?? null }),
    paymentTransactionId: t.string({ nullable: true, description: 'The payment (KRN).', resolve: (x) => x.payment_transaction_id ?? null }),
    paymentTransactionReference: t.string({ nullable: true, description: "The merchant's payment reference.", resolve: (x) => x.payment_transaction_reference ?? null }),
    paymentTransactionCreatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the payment was made.', resolve: (x) => x.payment_transaction_created_at ?? null }),
    captureId: t.string({ nullable: true, description: 'Capture (KRN).', resolve: (x) => x.payment_capture_id ?? null }),
    captureReference: t.string({ nullable: true, description: "Merchant's capture reference.", resolve: (x) => x.payment_capture_reference ?? null }),
    refundId: t.string({ nullable: true, description: 'Refund (KRN).', resolve: (x) => x.payment_refund_id ?? null }),
    refundReference: t.string({ nullable: true, description: "Merchant's refund reference.", resolve: (x) => x.payment_refund_reference ?? null }),
    disputeId: t.string({ nullable: true, description: 'Dispute (KRN).', resolve: (x) => x.payment_dispute_id ?? null }),
    chargebackId: t.string({ nullable: true, description: 'Chargeback (KRN).', resolve: (x) => x.payment_chargeback_id ?? null }),
    pricePlanId: t.string({ nullable: true, description: 'Price plan applied (KRN).', resolve: (x) => x.price_plan_id ?? null }),
    paymentProgramId: t.string({ nullable: true, description: 'Payment program (KRN).', resolve: (x) => x.payment_program_id ?? null }),
    merchantCategoryCode: t.string({ nullable: true, description: 'MCC of the sale.', resolve: (x) => x.merchant_category_code ?? null }),
  }),
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

const TOTALS = {
  captures: 'capture_amount',
  refunds: 'refund_amount',
  captureFixedFees: 'capture_fixed_fee_amount',
  captureVariableFees: 'capture_variable_fee_amount',
  disputeFees: 'dispute_fee_amount',
  feeCorrections: 'fee_correction_amount',
  chargebacks: 'chargeback_amount',
  chargebackCorrections: 'correction_chargeback_amount',
  tax: 'tax_amount',
  holdback: 'holdback_amount',
  release: 'release_amount',
  openingDebtBalance: 'opening_debt_balance',
  deposit: 'deposit_amount',
  repay: 'repay_amount',
  closingDebtBalance: 'closing_debt_balance',
} as const;

/** Totals from either the settlement's JSON `totals` or the report's summary line (same column names). */
export const SettlementTotalsRef = builder.objectRef<{ values: Record<string, unknown>; currency: string }>('SettlementTotals').implement({
  description: 'The settlement amount broken down by kind, each in minor units of the settlement currency.',
  fields: (t) =>
    Object.fromEntries(
      Object.entries(TOTALS).map(([field, column]) => [
        field,
        t.field({
          type: MoneyRef,
          nullable: true,
          description: `Total of \`${column}\`.`,
          resolve: ({ values, currency }) => money(typeof values[column] === 'number' ? (values[column] as number) : null, currency),
        }),
      ]),
    ),
});

/** Starts every call the settlement's selection needs, in the same tick as the settlement itself. */
function prefetch(context: GatewayContext, settlementId: string, selected: Map<string, SelectedField>): void {
  const quietly = (work: () => Promise<unknown>) => {
    try {
      work().catch(() => undefined); // the field's own resolver reports failures
    } catch {
      // invalid arguments are refused by the field's own resolver
    }
  };
  if (selected.has('payout')) quietly(() => context.loaders.payoutStatus.load(settlementId));
  for (const args of selected.get('transactions')?.args ?? []) {
    const plan = planTransactionPage(args as ConnectionArguments);
    if (!plan.empty) quietly(() => context.loaders.settlementTransactionPage.load({ settlementId, page: plan.request }));
  }
  const report = selected.get('report');
  if (report) startReportRead(context, settlementId, report);
}

/** The current field as its parent's lookahead would describe it. */
function selectionOf(info: GraphQLResolveInfo): SelectedField {
  return { args: [], children: () => lookahead(info) };
}

function loadSettlement(context: GatewayContext, id: string, info: GraphQLResolveInfo) {
  assertKrn(id, 'id');
  const selected = lookahead(info);
  // Bad paging is refused before anything is read.
  for (const args of selected.get('transactions')?.args ?? []) planTransactionPage(args as ConnectionArguments);
  for (const args of selected.get('report')?.children().get('rows')?.args ?? []) reportWindow(args as ConnectionArguments);
  const settlement = context.loaders.settlement.load(id);
  prefetch(context, id, selected);
  return settlement;
}

builder.node(SettlementRef, {
  description: 'What Klarna settled to a payment acquiring account for a period.',
  id: { resolve: (s) => s.settlement_id },
  loadOne: (id, context) => context.loaders.settlement.load(id),
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
      resolve: (s, _args, _context, info) => reportOf(s.settlement_id, selectionOf(info)),
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

