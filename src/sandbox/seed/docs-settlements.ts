/**
 * The settlement samples of the reference.
 *
 * - `…:live:113574395`: exactly the getSettlement sample (USD 200) and the getPayoutStatus sample; its
 *   `totals`, collapsed in the sample, are the contract's example (capture 300, fixed fee −100), which
 *   sum to its `settlement_amount`. Its CSV report is the CSV sample, served verbatim, since the reference
 *   shows that sample for this settlement's path.
 * - `…:live:15328742`: the settlement the CSV sample's summary row names, with that row's values (EUR
 *   78743, its totals and payout fields) and the same CSV report.
 *
 * The JSON transactions of both are the CSV sample's 33 rows, parsed.
 */
import { parse } from 'csv-parse/sync';
import { TOTAL_COLUMNS, parseSettlementCsvTransactions } from '../settlement-csv.ts';
import type { Pm, SandboxState, SettlementRecord } from '../state.ts';
import { DOCS_ACQUIRING_ACCOUNT } from './acquiring-accounts.ts';
import { DOCS_SETTLEMENT_CSV } from './docs-settlement-csv.ts';

export const DOCS_SETTLEMENT_ID = 'krn:partner:eu1:settlement:live:113574395';
export const DOCS_CSV_SETTLEMENT_ID = 'krn:partner:eu1:settlement:live:15328742';

type Totals = NonNullable<Pm['Settlement']['totals']>;

function lazyTransactions(): () => readonly Pm['SettlementTransaction'][] {
  let parsed: Pm['SettlementTransaction'][] | undefined;
  return () => (parsed ??= parseSettlementCsvTransactions(DOCS_SETTLEMENT_CSV));
}

function sampleSettlement(ownerId: string): SettlementRecord {
  return {
    ownerId,
    settlement: {
      settlement_id: DOCS_SETTLEMENT_ID,
      payment_acquiring_account_id: DOCS_ACQUIRING_ACCOUNT.id,
      payment_acquiring_account_reference: DOCS_ACQUIRING_ACCOUNT.reference,
      created_at: '2024-10-13T00:00:00Z',
      period_from: '2024-10-05T00:00:00Z',
      period_to: '2024-10-12T00:00:00Z',
      settlement_amount: 200,
      currency: 'USD',
      totals: {
        ...(Object.fromEntries(TOTAL_COLUMNS.map((column) => [column, 0])) as Totals),
        capture_amount: 300,
        capture_fixed_fee_amount: -100,
      },
    },
    payout: {
      payout_id: 'krn:partner:eu1:settlement:live:123456789:payouts:1',
      paid_out_at: '2024-01-01T12:00:00Z',
      payout_amount: 200,
      currency: 'USD',
      status: 'PROCESSED',
      payout_bank_account_reference: 'string',
      payment_reference: '113574395',
    },
    transactionCount: 33,
    transactions: lazyTransactions(),
    csv: DOCS_SETTLEMENT_CSV,
  };
}

/** The settlement of the CSV sample's summary row (its first two lines). */
function csvSettlement(ownerId: string): SettlementRecord {
  const [heading = [], row = []]: string[][] = parse(DOCS_SETTLEMENT_CSV.split('\n', 2).join('\n'));
  const value = (column: string) => row[heading.indexOf(column)] ?? '';
  const totals = Object.fromEntries(TOTAL_COLUMNS.map((column) => [column, Number(value(column))])) as Totals;
  return {
    ownerId,
    settlement: {
      settlement_id: value('settlement_id'),
      payment_acquiring_account_id: value('payment_acquiring_account_id'),
      payment_acquiring_account_reference: value('payment_acquiring_account_reference'),
      created_at: value('created_at'),
      period_from: value('period_from'),
      period_to: value('period_to'),
      settlement_amount: Number(value('settlement_amount')),
      currency: value('currency'),
      totals,
    },
    payout: {
      payout_id: `${value('settlement_id')}:payouts:1`,
      paid_out_at: value('paid_out_at'),
      payout_amount: Number(value('settlement_amount')),
      currency: value('currency'),
      status: 'PROCESSED',
      payout_bank_account_reference: value('payout_bank_account_reference'),
      payment_reference: value('payment_reference'),
    },
    transactionCount: 33,
    transactions: lazyTransactions(),
    csv: DOCS_SETTLEMENT_CSV,
  };
}

export function seedDocsSettlements(state: SandboxState, ownerId: string): void {
  state.settlements.set(DOCS_SETTLEMENT_ID, sampleSettlement(ownerId));
  const fromCsv = csvSettlement(ownerId);
  state.settlements.set(fromCsv.settlement.settlement_id, fromCsv);
}
