/**
 * The rates of a price plan version for one merchant category code. Klarna's rate cards are not
 * published; the sandbox derives a deterministic card per (plan, version, MCC) along the dimensions the
 * read filters name: currency and partner country (the plan's markets), customer country (domestic or
 * cross-border), pricing payment category and payment program.
 *
 * Fees: fixed fee per currency (minor units); variable fee = plan base + MCC risk adjustment + 0.20 %
 * for DIGITAL − 0.15 % under the incentive program − version reductions (percentage in minor units);
 * cross-border fee 1.00 % abroad; DIGITAL payments have a micro-transaction cap of twice the fixed fee.
 */
import type { Pm } from '../state.ts';
import { PAYMENT_PROGRAM_IDS, PLAN_BASE_VARIABLE_FEE, PLAN_MARKETS, PRICE_PLAN_IDS } from './reference-data.ts';

type Rate = Pm['PricePlanRate'];

export const PRICING_PAYMENT_CATEGORIES = ['PHYSICAL', 'DIGITAL'] as const;

const FIXED_FEE_BY_CURRENCY: Readonly<Record<string, number>> = {
  USD: 30, CAD: 30, AUD: 30, EUR: 25, GBP: 20, SEK: 250, DKK: 200, NOK: 250,
};

/** Categories Klarna prices as riskier (travel, lodging, jewellery, electronics, digital goods) or safer (groceries). */
const MCC_ADJUSTMENT: Readonly<Record<string, number>> = {
  '4722': 60, '7011': 50, '5944': 50, '5732': 30, '5734': 30, '5816': 40, '5411': -40, '5912': -20,
};

/** Reduction of the variable fee by a plan's later versions, cumulative. */
const VERSION_REDUCTION: Readonly<Record<string, readonly number[]>> = {
  [PRICE_PLAN_IDS.default]: [0, 20, 50],
  [PRICE_PLAN_IDS.standard]: [0, 25],
};

export function fixedFeeOf(currency: string): number {
  return FIXED_FEE_BY_CURRENCY[currency] ?? 30;
}

/** The variable fee (percentage in minor units) of one rate. */
export function variableFeeOf(planId: string, version: number, mcc: string, category: string, programId: string): number {
  const base = PLAN_BASE_VARIABLE_FEE[planId] ?? 329;
  const reduction = VERSION_REDUCTION[planId]?.[version - 1] ?? 0;
  return (
    base +
    (MCC_ADJUSTMENT[mcc] ?? 0) +
    (category === 'DIGITAL' ? 20 : 0) -
    (programId === PAYMENT_PROGRAM_IDS.incentive ? 15 : 0) -
    reduction
  );
}

/** Every rate of the plan's `version` for `mcc`, in a stable order. */
export function ratesFor(planId: string, version: number, mcc: string): Rate[] {
  const rates: Rate[] = [];
  for (const market of PLAN_MARKETS[planId] ?? []) {
    const fixed = fixedFeeOf(market.currency);
    for (const customerCountry of [market.country, market.crossBorderCountry]) {
      for (const category of PRICING_PAYMENT_CATEGORIES) {
        for (const programId of [PAYMENT_PROGRAM_IDS.base, PAYMENT_PROGRAM_IDS.incentive]) {
          rates.push({
            merchant_category_code: mcc,
            currency: market.currency,
            partner_country: market.country,
            customer_country: customerCountry,
            pricing_payment_category: category,
            payment_program_id: programId,
            fixed_fee: fixed,
            variable_fee: variableFeeOf(planId, version, mcc, category, programId),
            cross_border_fee: customerCountry === market.country ? 0 : 100,
            micro_transaction_cap: category === 'DIGITAL' ? fixed * 2 : null,
          });
        }
      }
    }
  }
  return rates;
}
