/**
 * Klarna-managed reference data, shared by every partner: payment profiles and price plans.
 *
 * Identifiers are the docs' own where the docs show one: the payment profile of the product sample, the
 * price plan of "Read a Price Plan" and of the CSV sample (`…:pricing:payments:price-plan:ad71bc48…`,
 * `…:baff081e…`), the path example of "Read a Price Plan" (`…:payment:price-plan:171080e7…`) and the
 * two payment programs of the CSV sample. The list sample spells the default plan
 * `…:pricing:payment:price-plan:ad71bc48…` (without the s); that spelling is an alias of the same plan.
 */
import type { Pm, SandboxState } from '../state.ts';

export const PAYMENT_PROGRAM_IDS = {
  base: 'krn:partner:global:pricing:payments:program:a5cd46f7e-573d-4b02-bab8-1f1c0e343291',
  incentive: 'krn:partner:global:pricing:payments:program:6bda01c4-ee39-4aec-a160-f2a7fa3ce90d',
} as const;

export const PRICE_PLAN_IDS = {
  default: 'krn:partner:global:pricing:payments:price-plan:ad71bc48-8a07-4919-a2c1',
  marketplace: 'krn:partner:global:pricing:payments:price-plan:baff081e-c246-4ba1-ad94-e4f913a77a34',
  standard: 'krn:partner:global:payment:price-plan:171080e7-2637-4675-a224-ec032723ebdf',
} as const;

/** Other spellings of a plan id seen in the docs → the plan's id. */
export const PRICE_PLAN_ALIASES: Readonly<Record<string, string>> = {
  'krn:partner:global:pricing:payment:price-plan:ad71bc48-8a07-4919-a2c1': PRICE_PLAN_IDS.default,
};

const PROGRAM_PLAN_IDS = {
  base: 'krn:network:global:all:payment:payment-program-plan:5cd46f7e-573d-4b02-bab8-1f1c0e343291',
  incentive: 'krn:network:global:all:payment:payment-program-plan:8e2d4b61-0c3a-4f5e-b7d9-2a6c1e9f3b08',
} as const;

/** The payment profile of the docs' product sample comes first. */
export const PAYMENT_PROFILES: readonly Required<Pm['PaymentProfile']>[] = [
  {
    payment_profile_id: 'krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58',
    price_plan_id: PRICE_PLAN_IDS.default,
    payment_program_plan_id: PROGRAM_PLAN_IDS.base,
  },
  {
    payment_profile_id: 'krn:partner:global:account:payment-profile:7c1f0a52-4e8b-4d3a-9f26-1b5e8c0d7a94',
    price_plan_id: PRICE_PLAN_IDS.marketplace,
    payment_program_plan_id: PROGRAM_PLAN_IDS.incentive,
  },
  {
    payment_profile_id: 'krn:partner:global:account:payment-profile:c3a9e1d7-5b2f-4c8e-a6d0-9f4b7e2c1a35',
    price_plan_id: PRICE_PLAN_IDS.standard,
    payment_program_plan_id: PROGRAM_PLAN_IDS.base,
  },
];

/** The payment program a profile's program plan applies. */
export function programOfProfile(profile: Pm['PaymentProfile']): string {
  return profile.payment_program_plan_id === PROGRAM_PLAN_IDS.incentive ? PAYMENT_PROGRAM_IDS.incentive : PAYMENT_PROGRAM_IDS.base;
}

/** A market a plan prices: the partner's country, its currency and the customer country priced as cross-border. */
export interface Market {
  country: string;
  currency: string;
  crossBorderCountry: string;
}

const market = (country: string, currency: string, crossBorderCountry: string): Market => ({ country, currency, crossBorderCountry });

export const PLAN_MARKETS: Readonly<Record<string, readonly Market[]>> = {
  [PRICE_PLAN_IDS.default]: [market('US', 'USD', 'CA'), market('DE', 'EUR', 'AT'), market('FR', 'EUR', 'BE'), market('NL', 'EUR', 'BE')],
  [PRICE_PLAN_IDS.marketplace]: [
    market('DE', 'EUR', 'AT'),
    market('FR', 'EUR', 'BE'),
    market('NL', 'EUR', 'BE'),
    market('ES', 'EUR', 'PT'),
    market('IT', 'EUR', 'FR'),
    market('AT', 'EUR', 'DE'),
    market('FI', 'EUR', 'SE'),
    market('GB', 'GBP', 'IE'),
    market('SE', 'SEK', 'NO'),
    market('DK', 'DKK', 'SE'),
    market('NO', 'NOK', 'SE'),
  ],
  [PRICE_PLAN_IDS.standard]: [market('US', 'USD', 'CA'), market('CA', 'CAD', 'US'), market('GB', 'GBP', 'IE'), market('AU', 'AUD', 'NZ'), market('SE', 'SEK', 'NO')],
};

/** Variable fee of a plan before MCC, category and program adjustments (percentage in minor units). */
export const PLAN_BASE_VARIABLE_FEE: Readonly<Record<string, number>> = {
  [PRICE_PLAN_IDS.default]: 299,
  [PRICE_PLAN_IDS.marketplace]: 329,
  [PRICE_PLAN_IDS.standard]: 349,
};

type StoredPricePlan = SandboxState['pricePlans'] extends Map<string, infer T> ? T : never;
type Version = Pm['PricePlanVersion'];

/** First instant of the month after `nowMs` (UTC): when the default plan's announced version takes effect. */
function nextMonthIso(nowMs: number): string {
  const now = new Date(nowMs);
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().replace('.000Z', 'Z');
}

/** Versions in effective order, each ending where the next begins. */
function chain(versions: Omit<Version, 'effective_to'>[]): Version[] {
  return versions.map(({ comment, ...version }, index) => ({
    ...version,
    effective_to: versions[index + 1]?.effective_from ?? null,
    ...(comment !== undefined ? { comment } : {}),
  }));
}

export function pricePlans(nowMs: number): StoredPricePlan[] {
  return [
    {
      price_plan_id: PRICE_PLAN_IDS.default,
      name: 'price plan',
      description: 'Default Price Plan',
      versions: chain([
        { version: 1, effective_from: '2024-01-01T12:00:00Z', comment: 'Active, effective post Jan 1 2024' },
        { version: 2, effective_from: '2025-01-01T00:00:00Z', comment: 'Lower variable fees, effective Jan 1 2025' },
        { version: 3, effective_from: nextMonthIso(nowMs), comment: 'Announced: lower variable fees from next month' },
      ]),
    },
    {
      price_plan_id: PRICE_PLAN_IDS.marketplace,
      name: 'marketplace price plan',
      description: 'Price Plan for marketplaces and multi-brand retailers in Europe',
      versions: chain([{ version: 1, effective_from: '2024-06-01T00:00:00Z', comment: 'Launch of the marketplace pricing' }]),
    },
    {
      price_plan_id: PRICE_PLAN_IDS.standard,
      name: 'standard price plan',
      description: 'Standard Price Plan for distribution partners',
      versions: chain([
        { version: 1, effective_from: '2023-01-01T00:00:00Z', comment: 'Initial version' },
        { version: 2, effective_from: '2024-04-01T00:00:00Z', comment: 'Cross-border fees revised, effective Apr 1 2024' },
      ]),
    },
  ];
}

export function seedReferenceData(state: SandboxState, nowMs: number): void {
  state.paymentProfiles = PAYMENT_PROFILES.map((profile) => ({ ...profile }));
  for (const plan of pricePlans(nowMs)) state.pricePlans.set(plan.price_plan_id, plan);
}
