/**
 * An account's payment accounts as settlement lines name them, with the fees their price plan charges
 * (rate card: domestic, PHYSICAL, version 1) and the VAT on fees of the entity's country.
 */
import type { AccountRecord, Pm } from '../state.ts';
import { COUNTRIES } from './portfolio-catalog.ts';
import { fixedFeeOf, variableFeeOf } from './rate-card.ts';
import { PAYMENT_PROFILES, PRICE_PLAN_IDS, programOfProfile } from './reference-data.ts';
import type { SettledPaymentAccount } from './settlement-generator.ts';

/** The payment accounts of `record` (all its products), settled in `currency`. */
export function settledPaymentAccounts(
  record: AccountRecord,
  currency: string,
  profiles: readonly Pm['PaymentProfile'][] = PAYMENT_PROFILES,
): SettledPaymentAccount[] {
  const settled: SettledPaymentAccount[] = [];
  for (const product of record.products.values()) {
    const profile = profiles.find((candidate) => candidate.payment_profile_id === product.payment_profile_id);
    const planId = profile?.price_plan_id ?? PRICE_PLAN_IDS.default;
    const programId = profile ? programOfProfile(profile) : programOfProfile(PAYMENT_PROFILES[0]!);
    for (const account of product.payment_accounts ?? []) {
      const entity = account.partner_business_entity_id ? record.entities.get(account.partner_business_entity_id) : undefined;
      const taxRate = COUNTRIES.find((country) => country.country === entity?.legal_registration_country)?.taxRate ?? 0;
      const mcc = account.default_merchant_category_code ?? '5999';
      settled.push({
        payment_account_id: account.payment_account_id,
        payment_account_reference: account.payment_account_reference ?? account.payment_account_id,
        product_id: product.product_id,
        merchant_category_code: mcc,
        price_plan_id: planId,
        payment_program_id: programId,
        fixedFee: fixedFeeOf(currency),
        variableFee: variableFeeOf(planId, 1, mcc, 'PHYSICAL', programId),
        taxRate,
      });
    }
  }
  return settled;
}
