/**
 * The generated portfolio: `accounts` partner accounts of the demo principal and three of the other
 * principal, deterministic for a seed (same seed, same ids and data; only settlement periods follow the
 * clock). Sizes are realistic: most merchants have a handful of web stores, some dozens, a few hundreds.
 *
 * The first account always is `LARGE_STORE_ACCOUNT_ID` with exactly 300 stores in four store groups, so
 * tests and benchmarks can page through it whatever the seed; the other ids are drawn from the seed
 * (`krn:partner:global:account:test:<8 upper-case alphanumerics>`, see `portfolioAccountIds`).
 */
import { seededRandom, type Random } from '../random.ts';
import type { AccountRecord, SandboxState } from '../state.ts';
import { hash32 } from './hash.ts';
import { portfolioAccount, type Lifecycle } from './portfolio-account.ts';

export const LARGE_STORE_ACCOUNT_ID = 'krn:partner:global:account:test:STORE300';
export const LARGE_STORE_ACCOUNT_STORES = 300;
export const OTHER_PORTFOLIO_SIZE = 3;

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ACCOUNT_KRN_PREFIX = 'krn:partner:global:account:test:';

function drawIds(random: Random, count: number, taken: Set<string>): string[] {
  const ids: string[] = [];
  while (ids.length < count) {
    let tag = '';
    for (let index = 0; index < 8; index += 1) tag += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
    const id = `${ACCOUNT_KRN_PREFIX}${tag}`;
    if (taken.has(id)) continue;
    taken.add(id);
    ids.push(id);
  }
  return ids;
}

/** The ids of the demo principal's `count` generated accounts; a prefix of the ids of any larger count. */
export function portfolioAccountIds(seed: number, count: number): string[] {
  if (count <= 0) return [];
  const drawn = drawIds(seededRandom(hash32('portfolio-account-ids', seed)), count - 1, new Set([LARGE_STORE_ACCOUNT_ID]));
  return [LARGE_STORE_ACCOUNT_ID, ...drawn];
}

/** The ids of the other principal's accounts. */
export function otherPortfolioAccountIds(seed: number): string[] {
  return drawIds(seededRandom(hash32('other-portfolio-account-ids', seed)), OTHER_PORTFOLIO_SIZE, new Set([LARGE_STORE_ACCOUNT_ID]));
}

/** Stores of the account at `index`: 300 for the first; otherwise 70 % 1–12, 20 % 20–79, 10 % 100–249. */
function storeCountOf(index: number, random: Random): number {
  if (index === 0) return LARGE_STORE_ACCOUNT_STORES;
  const roll = random();
  if (roll < 0.1) return 100 + Math.floor(random() * 150);
  if (roll < 0.3) return 20 + Math.floor(random() * 60);
  return 1 + Math.floor(random() * 12);
}

/** A few accounts (never the first three, which small test portfolios use) are not simply active. */
function lifecycleOf(index: number): Lifecycle {
  if (index % 13 === 10) return 'terminated';
  if (index % 11 === 7) return 'disabled-by-decision';
  if (index % 9 === 4) return 'disabled-by-partner';
  return 'active';
}

function generate(ids: string[], ownerId: string, seed: number, withLifecycles: boolean): AccountRecord[] {
  return ids.map((id, index) => {
    const random = seededRandom(hash32('portfolio-account', seed, id));
    const storeCount = withLifecycles ? storeCountOf(index, random) : 1 + Math.floor(random() * 12);
    return portfolioAccount({ id, ownerId, random, storeCount, lifecycle: withLifecycles ? lifecycleOf(index) : 'active' });
  });
}

export interface Portfolio {
  demo: AccountRecord[];
  other: AccountRecord[];
}

export function seedPortfolio(
  state: SandboxState,
  { principalId, otherPrincipalId, accounts, seed }: { principalId: string; otherPrincipalId: string; accounts: number; seed: number },
): Portfolio {
  const demo = generate(portfolioAccountIds(seed, accounts), principalId, seed, true);
  const other = generate(otherPortfolioAccountIds(seed), otherPrincipalId, seed, false);
  for (const record of [...demo, ...other]) state.accounts.set(record.account.partner_account_id, record);
  return { demo, other };
}
