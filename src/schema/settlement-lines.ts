/**
 * The lines of a settlement (`SettlementTransaction`) and its totals (`SettlementTotals`): the shapes a
 * settlement (`settlements.ts`) and its CSV report (`settlement-report.ts`) both answer with. They live
 * apart so that the report need not import `settlements.ts`, which imports the report (no circle).
 */
import type { SettlementTransaction } from '../datasources/partner-management.ts';
import { builder } from './builder.ts';
import { money, MoneyRef } from './money.ts';
import { openEnum } from './open-enum.ts';

export const SettlementTransactionRef = builder.objectRef<SettlementTransaction>('SettlementTransaction');

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
