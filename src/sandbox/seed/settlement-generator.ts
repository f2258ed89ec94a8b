/**
 * Generated settlements: realistic transaction lines for a payment acquiring account's period.
 *
 * Lines come in groups of three per payment: the capture (SALE/CAPTURE), its fixed fee, and either its
 * variable fee or, for some payments, a refund, a chargeback, a dispute fee or a fee correction. Line n
 * is a pure function of (seed, n), so the totals are computed at boot from amounts alone (no objects),
 * while the lines themselves, the bulk of the memory, are built only when first asked for.
 */
import { SETTLED_TOTAL_COLUMNS, TOTAL_COLUMNS } from '../settlement-csv.ts';
import type { Pm, SettlementRecord } from '../state.ts';
import type { AcquiringAccount } from './acquiring-accounts.ts';
import { indexedUuid, mix32 } from './hash.ts';

type Transaction = Pm['SettlementTransaction'];
type Totals = Required<NonNullable<Pm['Settlement']['totals']>>;

/** A payment account as its settlement lines describe it, with the fees its price plan charges. */
export interface SettledPaymentAccount {
  payment_account_id: string;
  payment_account_reference: string;
  product_id: string;
  merchant_category_code: string;
  price_plan_id: string;
  payment_program_id: string;
  /** Minor units. */
  fixedFee: number;
  /** Percentage in minor units. */
  variableFee: number;
  /** Tax on fees, percentage in minor units (1900 = 19 %). */
  taxRate: number;
}

export interface SettlementSpec {
  settlementId: string;
  ownerId: string;
  acquiring: AcquiringAccount;
  currency: string;
  /** At least one. */
  paymentAccounts: readonly SettledPaymentAccount[];
  transactionCount: number;
  seed: number;
  periodFromMs: number;
  periodToMs: number;
  createdAtMs: number;
  payoutStatus: 'PROCESSED' | 'IN_PROGRESS' | 'PENDING';
}

interface LineKind {
  type: string;
  detailedType: string;
  total: keyof Totals;
  fee: boolean;
}

const KINDS = {
  capture: { type: 'SALE', detailedType: 'CAPTURE', total: 'capture_amount', fee: false },
  fixedFee: { type: 'FEE', detailedType: 'CAPTURE_FIXED_FEE', total: 'capture_fixed_fee_amount', fee: true },
  variableFee: { type: 'FEE', detailedType: 'PAYMENT_VARIABLE_FEE', total: 'capture_variable_fee_amount', fee: true },
  refund: { type: 'REFUND', detailedType: 'REFUND', total: 'refund_amount', fee: false },
  chargeback: { type: 'CHARGEBACK', detailedType: 'CHARGEBACK', total: 'chargeback_amount', fee: false },
  disputeFee: { type: 'FEE', detailedType: 'DISPUTE_FEE', total: 'dispute_fee_amount', fee: true },
  feeCorrection: { type: 'FEE_CORRECTION', detailedType: 'CORRECTION_PAYMENT_VARIABLE_FEE', total: 'fee_correction_amount', fee: true },
} as const satisfies Record<string, LineKind>;

const DAY_MS = 86_400_000;

/** ISO 8601 without milliseconds, as the docs' summary rows write times. */
export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Line {
  kind: LineKind;
  group: number;
  groupHash: number;
  account: SettledPaymentAccount;
  amount: number;
  tax: number;
}

/**
 * Amount-level description of line `index`, written into `line` (the totals pass visits every line of
 * a 100,000-line settlement at boot, so it allocates nothing).
 */
function lineAt(spec: SettlementSpec, index: number, line: Line): Line {
  const group = Math.floor(index / 3);
  const slot = index % 3;
  const groupHash = mix32(spec.seed, group);
  const account = spec.paymentAccounts[groupHash % spec.paymentAccounts.length]!;
  const capture = 500 + (mix32(groupHash, 1) % 49_500);
  let kind: LineKind;
  let amount: number;
  if (slot === 0) {
    kind = KINDS.capture;
    amount = capture;
  } else if (slot === 1) {
    kind = KINDS.fixedFee;
    amount = -account.fixedFee;
  } else {
    const variable = Math.max(1, Math.round((capture * account.variableFee) / 10_000));
    const roll = mix32(groupHash, 2) % 100;
    kind = roll < 84 ? KINDS.variableFee : roll < 93 ? KINDS.refund : roll < 97 ? KINDS.chargeback : roll < 99 ? KINDS.disputeFee : KINDS.feeCorrection;
    if (kind === KINDS.variableFee) amount = -variable;
    else if (kind === KINDS.refund) amount = -Math.round((capture * (1 + (roll % 4))) / 4);
    else if (kind === KINDS.chargeback) amount = -capture;
    else if (kind === KINDS.disputeFee) amount = -account.fixedFee * 8;
    else amount = Math.max(1, Math.round(variable / 10));
  }
  line.kind = kind;
  line.group = group;
  line.groupHash = groupHash;
  line.account = account;
  line.amount = amount;
  line.tax = kind.fee ? Math.round((amount * account.taxRate) / 10_000) : 0;
  return line;
}

const scratchLine = (spec: SettlementSpec): Line => ({ kind: KINDS.capture, group: 0, groupHash: 0, account: spec.paymentAccounts[0]!, amount: 0, tax: 0 });

/** Line `index` in full, as listSettlementTransactions shows it. */
function transactionAt(spec: SettlementSpec, index: number): Transaction {
  const { kind, group, groupHash, account, amount, tax } = lineAt(spec, index, scratchLine(spec));
  const groups = Math.ceil(spec.transactionCount / 3);
  const groupStartMs = spec.periodFromMs + Math.floor(((spec.periodToMs - spec.periodFromMs) * group) / groups);
  const createdMs = groupStartMs + (index % 3) * 1_250;
  const paymentId = `krn:payment:eu1:transaction:${indexedUuid(spec.seed, group)}`;
  const reference = (groupHash % 1_000_000).toString().padStart(6, '0');
  const transaction: Transaction = {
    type: kind.type,
    detailed_type: kind.detailedType,
    created_at: new Date(createdMs).toISOString(),
    transaction_amount: amount,
    transaction_currency: spec.currency,
    payment_account_id: account.payment_account_id,
    payment_account_reference: account.payment_account_reference,
    product_id: account.product_id,
    payment_transaction_id: paymentId,
    payment_transaction_created_at: new Date(groupStartMs - (mix32(groupHash, 3) % (3 * DAY_MS))).toISOString(),
    payment_transaction_reference: `order-${reference}-${group}`,
  };
  if (kind !== KINDS.chargeback) {
    transaction.payment_capture_id = `${paymentId}:capture:1`;
    transaction.payment_capture_reference = `capture-${reference}`;
  }
  if (kind === KINDS.refund) {
    transaction.payment_refund_id = `${paymentId}:refund:1`;
    transaction.payment_refund_reference = `refund-${reference}`;
  }
  if (kind === KINDS.chargeback || kind === KINDS.disputeFee) {
    transaction.payment_dispute_id = `krn:payment:eu1:dispute:faulty-goods:${groupHash % 1_000_000}`;
    if (kind === KINDS.chargeback) transaction.payment_chargeback_id = `${paymentId}:chargeback:1`;
  }
  if (kind.fee) {
    transaction.tax_amount = tax;
    transaction.tax_rate = account.taxRate;
    transaction.applied_transaction_fee = amount;
    transaction.applied_cross_border_fee = 0;
    transaction.applied_buy_rate_incentives = 0;
    transaction.applied_sell_rate_incentives = 0;
  }
  transaction.price_plan_id = account.price_plan_id;
  transaction.payment_program_id = account.payment_program_id;
  transaction.merchant_category_code = account.merchant_category_code;
  return transaction;
}

/** The totals of the spec's lines; a pass over amounts only. */
export function totalsOf(spec: SettlementSpec): Totals {
  const totals = Object.fromEntries(TOTAL_COLUMNS.map((column) => [column, 0])) as Totals;
  const line = scratchLine(spec);
  for (let index = 0; index < spec.transactionCount; index += 1) {
    lineAt(spec, index, line);
    totals[line.kind.total] += line.amount;
    totals.tax_amount += line.tax;
  }
  return totals;
}

export const settledAmountOf = (totals: Totals) => SETTLED_TOTAL_COLUMNS.reduce((sum, column) => sum + totals[column], 0);

/** The settlement's record; its lines are generated on the first call of `transactions()` and kept. */
export function generatedSettlement(spec: SettlementSpec): SettlementRecord {
  const totals = totalsOf(spec);
  const amount = settledAmountOf(totals);
  const number = spec.settlementId.slice(spec.settlementId.lastIndexOf(':') + 1);
  const settlement: Pm['Settlement'] = {
    settlement_id: spec.settlementId,
    payment_acquiring_account_id: spec.acquiring.id,
    payment_acquiring_account_reference: spec.acquiring.reference,
    created_at: isoSeconds(spec.createdAtMs),
    period_from: isoSeconds(spec.periodFromMs),
    period_to: isoSeconds(spec.periodToMs),
    settlement_amount: amount,
    currency: spec.currency,
    totals,
  };
  const payout: Pm['PayoutStatus'] = {
    payout_id: `${spec.settlementId}:payouts:1`,
    paid_out_at: spec.payoutStatus === 'PROCESSED' ? isoSeconds(spec.createdAtMs + DAY_MS) : null,
    payout_amount: Math.max(0, amount),
    currency: spec.currency,
    status: spec.payoutStatus,
    payout_bank_account_reference: spec.acquiring.bankAccountReference,
    payment_reference: number,
  };
  let lines: Transaction[] | undefined;
  return {
    ownerId: spec.ownerId,
    settlement,
    payout,
    transactionCount: spec.transactionCount,
    transactions: () => (lines ??= Array.from({ length: spec.transactionCount }, (_, index) => transactionAt(spec, index))),
    transactionAt: (index) => lines?.[index] ?? transactionAt(spec, index),
  };
}
