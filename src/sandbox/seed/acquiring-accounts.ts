/**
 * The acquirers' payment acquiring accounts: where payment accounts settle, one per currency (Klarna
 * settles each currency separately). They are not an r6 resource of their own; they appear in payment
 * accounts and settlements. A principal's account for a currency is derived from the pair, so it needs
 * no registry; the docs' sample account is the demo principal's USD account.
 */
import { uuidOf } from './hash.ts';

export interface AcquiringAccount {
  id: string;
  reference: string;
  currency: string;
  /** What the payout status calls the receiving bank account. */
  bankAccountReference: string;
}

export const SETTLEMENT_CURRENCIES = ['USD', 'EUR', 'GBP', 'SEK', 'DKK', 'NOK', 'CAD', 'AUD'] as const;

/** The docs' sample (getSettlement): settles Merchant ABC US, reference M123786123412. */
export const DOCS_ACQUIRING_ACCOUNT: AcquiringAccount = {
  id: 'krn:partner:global:payment-acquiring-account:live:3440b9b7-7ca2-44a3-8f62-776caacdaa0b',
  reference: 'M123786123412',
  currency: 'USD',
  bankAccountReference: 'PSP US Bank Account',
};

/** `principalId`'s acquiring account for `currency`. */
export function acquiringAccountOf(principalId: string, currency: string): AcquiringAccount {
  const tag = principalId.slice(principalId.lastIndexOf(':') + 1);
  return {
    id: `krn:partner:global:payment-acquiring-account:test:${uuidOf('acquiring-account', principalId, currency)}`,
    reference: `${tag}-${currency}-SETTLEMENT`,
    currency,
    bankAccountReference: `PSP ${currency} Bank Account`,
  };
}

/** The acquiring account named `id` among the docs' and `principalId`'s, if any. */
export function findAcquiringAccount(principalId: string, id: string): AcquiringAccount | undefined {
  if (id === DOCS_ACQUIRING_ACCOUNT.id) return DOCS_ACQUIRING_ACCOUNT;
  return SETTLEMENT_CURRENCIES.map((currency) => acquiringAccountOf(principalId, currency)).find((account) => account.id === id);
}
