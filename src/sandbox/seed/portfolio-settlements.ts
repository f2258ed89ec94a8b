/**
 * Settlements of the generated portfolio. Each covers one acquiring account (one currency) over a week
 * and mixes the payment accounts of every merchant settling there, as Klarna's reports do.
 *
 * - `LARGE_SETTLEMENT_ID` (40,000 lines) and `HUGE_SETTLEMENT_ID` (100,000 lines): the currency of the
 *   first generated account, last week and the week before. Their ids are fixed whatever the seed.
 * - One settlement of a few hundred to two thousand lines per other currency of the portfolio.
 * - `OTHER_PRINCIPAL_SETTLEMENT_ID`: the other principal's, for isolation tests.
 *
 * Lines are generated on first use; booting costs one pass over the amounts (see settlement-generator).
 */
import { seededRandom } from '../random.ts';
import type { AccountRecord, SandboxState } from '../state.ts';
import { findAcquiringAccount } from './acquiring-accounts.ts';
import { hash32 } from './hash.ts';
import type { Portfolio } from './portfolio.ts';
import { settledPaymentAccounts } from './settled-accounts.ts';
import { generatedSettlement, type SettledPaymentAccount, type SettlementSpec } from './settlement-generator.ts';

export const LARGE_SETTLEMENT_ID = 'krn:partner:eu1:settlement:test:900040000';
export const LARGE_SETTLEMENT_TRANSACTIONS = 40_000;
export const HUGE_SETTLEMENT_ID = 'krn:partner:eu1:settlement:test:900100000';
export const HUGE_SETTLEMENT_TRANSACTIONS = 100_000;
export const OTHER_PRINCIPAL_SETTLEMENT_ID = 'krn:partner:eu1:settlement:test:800000300';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** A settlement week ending `weeksAgo` weeks before today's (UTC) settlement run. */
export function settlementWeek(nowMs: number, weeksAgo = 0): Pick<SettlementSpec, 'periodFromMs' | 'periodToMs' | 'createdAtMs'> {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS - weeksAgo * WEEK_MS;
  return { createdAtMs: today, periodToMs: today - DAY_MS, periodFromMs: today - DAY_MS - WEEK_MS };
}

/** Payment accounts of `records` by acquiring account, in account order. */
function byAcquiringAccount(records: readonly AccountRecord[]) {
  const groups = new Map<string, { currency: string; accounts: SettledPaymentAccount[] }>();
  for (const record of records) {
    for (const product of record.products.values()) {
      const acquiringId = product.payment_accounts?.[0]?.payment_acquiring_account_id;
      const acquiring = acquiringId ? findAcquiringAccount(record.ownerId, acquiringId) : undefined;
      if (!acquiringId || !acquiring) continue;
      const group = groups.get(acquiringId) ?? { currency: acquiring.currency, accounts: [] };
      group.accounts.push(...settledPaymentAccounts(record, acquiring.currency));
      groups.set(acquiringId, group);
    }
  }
  return groups;
}

function add(state: SandboxState, spec: SettlementSpec): void {
  state.settlements.set(spec.settlementId, generatedSettlement(spec));
}

export function seedPortfolioSettlements(state: SandboxState, portfolio: Portfolio, { seed, nowMs }: { seed: number; nowMs: number }): void {
  const random = seededRandom(hash32('portfolio-settlements', seed));
  const demoGroups = byAcquiringAccount(portfolio.demo);
  const firstAcquiringId = portfolio.demo[0]?.products.values().next().value?.payment_accounts?.[0]?.payment_acquiring_account_id;
  for (const [acquiringId, { currency, accounts }] of demoGroups) {
    const acquiring = findAcquiringAccount(portfolio.demo[0]!.ownerId, acquiringId)!;
    const base = { ownerId: portfolio.demo[0]!.ownerId, acquiring, currency, paymentAccounts: accounts };
    if (acquiringId === firstAcquiringId) {
      add(state, { ...base, settlementId: LARGE_SETTLEMENT_ID, transactionCount: LARGE_SETTLEMENT_TRANSACTIONS, seed: hash32(LARGE_SETTLEMENT_ID, seed), ...settlementWeek(nowMs), payoutStatus: 'IN_PROGRESS' });
      add(state, { ...base, settlementId: HUGE_SETTLEMENT_ID, transactionCount: HUGE_SETTLEMENT_TRANSACTIONS, seed: hash32(HUGE_SETTLEMENT_ID, seed), ...settlementWeek(nowMs, 1), payoutStatus: 'PROCESSED' });
      continue;
    }
    const settlementId = `krn:partner:eu1:settlement:test:${600_000_000 + Math.floor(random() * 99_999_999)}`;
    const transactionCount = 300 + Math.floor(random() * 1_700);
    add(state, { ...base, settlementId, transactionCount, seed: hash32(settlementId, seed), ...settlementWeek(nowMs), payoutStatus: 'IN_PROGRESS' });
  }
  const [otherGroup] = byAcquiringAccount(portfolio.other).entries();
  if (otherGroup) {
    const [acquiringId, { currency, accounts }] = otherGroup;
    const ownerId = portfolio.other[0]!.ownerId;
    add(state, {
      settlementId: OTHER_PRINCIPAL_SETTLEMENT_ID,
      ownerId,
      acquiring: findAcquiringAccount(ownerId, acquiringId)!,
      currency,
      paymentAccounts: accounts,
      transactionCount: 300,
      seed: hash32(OTHER_PRINCIPAL_SETTLEMENT_ID, seed),
      ...settlementWeek(nowMs, 1),
      payoutStatus: 'PROCESSED',
    });
  }
}
