/** Reference data: payment profiles and price plans (cached per principal for a short while). */
import { MERCHANT_CATEGORY_CODES } from '../contracts/merchant-category-codes.generated.ts';
import type { PaymentProfile, PricePlan, PricePlanFilters, PricePlanSummary } from '../datasources/partner-management.ts';
import { BadUserInputError, type FieldProblem } from '../errors.ts';
import { builder } from './builder.ts';
import { ID_RULES, assertId } from './ids.ts';

const PaymentProfileRef = builder.objectRef<PaymentProfile>('PaymentProfile').implement({
  description: 'How a payment product is priced and which payment programs it offers.',
  fields: (t) => ({
    id: t.exposeID('payment_profile_id', { description: "Klarna's identifier (KRN) of the payment profile." }),
    pricePlanId: t.string({ nullable: true, description: 'Its price plan (KRN).', resolve: (p) => p.price_plan_id ?? null }),
    paymentProgramPlanId: t.string({ nullable: true, description: 'Its payment program plan (KRN).', resolve: (p) => p.payment_program_plan_id ?? null }),
  }),
});

const PricePlanVersionRef = builder.simpleObject('PricePlanVersion', {
  description: 'One version of a price plan, in force from a date.',
  fields: (t) => ({
    version: t.int({ nullable: true, description: 'Version number.' }),
    effectiveFrom: t.field({ type: 'DateTime', nullable: true, description: 'In force from.' }),
    effectiveTo: t.field({ type: 'DateTime', nullable: true, description: 'In force until (open when null).' }),
    comment: t.string({ nullable: true, description: 'What changed.' }),
  }),
});

const PricePlanRateRef = builder.simpleObject('PricePlanRate', {
  description: 'The fees for one combination of category, currency and countries. Percentages are in hundredths (1557 = 15.57 %).',
  fields: (t) => ({
    merchantCategoryCode: t.string({ nullable: true, description: 'MCC.' }),
    currency: t.string({ nullable: true, description: 'ISO 4217 currency.' }),
    partnerCountry: t.string({ nullable: true, description: 'Country of the merchant.' }),
    customerCountry: t.string({ nullable: true, description: 'Country of the shopper.' }),
    pricingPaymentCategory: t.string({ nullable: true, description: 'DIGITAL or PHYSICAL goods.' }),
    paymentProgramId: t.string({ nullable: true, description: 'Payment program (KRN).' }),
    fixedFee: t.field({ type: 'Long', nullable: true, description: 'Fixed fee per transaction, minor units.' }),
    variableFee: t.int({ nullable: true, description: 'Variable fee, hundredths of a percent.' }),
    crossBorderFee: t.int({ nullable: true, description: 'Cross-border fee, hundredths of a percent.' }),
    microTransactionCap: t.field({ type: 'Long', nullable: true, description: 'Cap for micro transactions, minor units.' }),
  }),
});

const toVersion = (v: NonNullable<PricePlanSummary['versions']>[number]) => ({
  version: v.version ?? null,
  effectiveFrom: v.effective_from ?? null,
  effectiveTo: v.effective_to ?? null,
  comment: v.comment ?? null,
});

const PricePlanSummaryRef = builder.objectRef<PricePlanSummary>('PricePlanSummary').implement({
  description: 'A price plan with its versions.',
  fields: (t) => ({
    id: t.exposeID('price_plan_id', { description: "Klarna's identifier of the price plan." }),
    name: t.string({ nullable: true, description: 'Name.', resolve: (p) => p.name ?? null }),
    description: t.string({ nullable: true, description: 'Description.', resolve: (p) => p.description ?? null }),
    versions: t.field({ type: [PricePlanVersionRef], description: 'Its versions.', resolve: (p) => (p.versions ?? []).map(toVersion) }),
  }),
});

const PricePlanRef = builder.objectRef<PricePlan>('PricePlan').implement({
  description: 'One version of a price plan with its rates for the filters asked.',
  fields: (t) => ({
    id: t.exposeID('price_plan_id', { description: "Klarna's identifier of the price plan." }),
    name: t.string({ nullable: true, description: 'Name.', resolve: (p) => p.name ?? null }),
    description: t.string({ nullable: true, description: 'Description.', resolve: (p) => p.description ?? null }),
    version: t.int({ nullable: true, description: 'The version answered.', resolve: (p) => p.version ?? null }),
    effectiveFrom: t.field({ type: 'DateTime', nullable: true, description: 'In force from.', resolve: (p) => p.effective_from ?? null }),
    comment: t.string({ nullable: true, description: 'Comment of the version.', resolve: (p) => p.comment ?? null }),
    rates: t.field({
      type: [PricePlanRateRef],
      description: 'The rates matching the filters.',
      resolve: (p) =>
        (p.rates ?? []).map((r) => ({
          merchantCategoryCode: r.merchant_category_code ?? null,
          currency: r.currency ?? null,
          partnerCountry: r.partner_country ?? null,
          customerCountry: r.customer_country ?? null,
          pricingPaymentCategory: r.pricing_payment_category ?? null,
          paymentProgramId: r.payment_program_id ?? null,
          fixedFee: r.fixed_fee ?? null,
          variableFee: r.variable_fee ?? null,
          crossBorderFee: r.cross_border_fee ?? null,
          microTransactionCap: r.micro_transaction_cap ?? null,
        })),
    }),
  }),
});

const PricingPaymentCategory = builder.enumType('PricingPaymentCategory', {
  description: 'Whether goods are digital or physical.',
  values: { DIGITAL: { description: 'Digital goods.' }, PHYSICAL: { description: 'Physical goods.' } } as const,
});

/** The price plan filters, validated as the contract says, so bad ones never reach Klarna. */
function pricePlanFilters(args: {
  merchantCategoryCode: string;
  dateTime?: string | null;
  version?: number | null;
  currency?: string | null;
  partnerCountry?: string | null;
  customerCountry?: string | null;
  pricingPaymentCategory?: 'DIGITAL' | 'PHYSICAL' | null;
  paymentProgramId?: string | null;
}): PricePlanFilters {
  const problems: FieldProblem[] = [];
  if (!MERCHANT_CATEGORY_CODES.has(args.merchantCategoryCode)) problems.push({ path: 'merchantCategoryCode', message: 'is not a merchant category code Klarna knows' });
  if (args.currency != null && !/^[A-Za-z]{3}$/.test(args.currency)) problems.push({ path: 'currency', message: 'must be an ISO 4217 code such as EUR' });
  if (args.partnerCountry != null && !/^[A-Za-z]{2}$/.test(args.partnerCountry)) problems.push({ path: 'partnerCountry', message: 'must be an ISO 3166-1 alpha-2 code such as SE' });
  if (args.customerCountry != null && !/^[A-Za-z]{2}$/.test(args.customerCountry)) problems.push({ path: 'customerCountry', message: 'must be an ISO 3166-1 alpha-2 code such as SE' });
  if (args.version != null && args.version < 1) problems.push({ path: 'version', message: 'must be 1 or more' });
  if (args.paymentProgramId != null && !ID_RULES.klarnaId.test(args.paymentProgramId)) {
    problems.push({ path: 'paymentProgramId', message: 'must be a Klarna identifier (KRN)' });
  }
  if (problems.length) throw new BadUserInputError(`Invalid price plan filters: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`, problems);
  return {
    merchant_category_code: args.merchantCategoryCode as PricePlanFilters['merchant_category_code'],
    ...(args.dateTime ? { date_time: args.dateTime } : {}),
    ...(args.version != null ? { version: args.version } : {}),
    ...(args.currency ? { currency: args.currency.toUpperCase() } : {}),
    ...(args.partnerCountry ? { partner_country: args.partnerCountry.toUpperCase() } : {}),
    ...(args.customerCountry ? { customer_country: args.customerCountry.toUpperCase() } : {}),
    ...(args.pricingPaymentCategory ? { pricing_payment_category: args.pricingPaymentCategory } : {}),
    ...(args.paymentProgramId ? { payment_program_id: args.paymentProgramId } : {}),
  };
}

builder.queryFields((t) => ({
  paymentProfiles: t.field({
    type: [PaymentProfileRef],
    description: 'The payment profiles available to you.',
    resolve: (_root, _args, context) => context.loaders.paymentProfiles.load('all'),
  }),
  pricePlans: t.field({
    type: [PricePlanSummaryRef],
    description: 'The price plans available to you, with their versions.',
    resolve: (_root, _args, context) => context.loaders.pricePlans.load('all'),
  }),
  pricePlan: t.field({
    type: PricePlanRef,
    nullable: true,
    description: 'A price plan version with its rates for a merchant category, optionally narrowed.',
    args: {
      id: t.arg.id({ required: true, description: 'The price plan id.' }),
      merchantCategoryCode: t.arg.string({ required: true, description: 'MCC the rates apply to, e.g. 5411.' }),
      dateTime: t.arg({ type: 'DateTime', description: 'The version in force at this time (default: now).' }),
      version: t.arg.int({ description: 'A version number instead of a time.' }),
      currency: t.arg.string({ description: 'ISO 4217 currency.' }),
      partnerCountry: t.arg.string({ description: "Merchant's country (ISO 3166-1 alpha-2)." }),
      customerCountry: t.arg.string({ description: "Shopper's country (ISO 3166-1 alpha-2)." }),
      pricingPaymentCategory: t.arg({ type: PricingPaymentCategory, description: 'Digital or physical goods.' }),
      paymentProgramId: t.arg.string({ description: 'Payment program (KRN).' }),
    },
    resolve: (_root, { id, ...filters }, context) => {
      assertId(ID_RULES.pricePlan, String(id), 'id');
      return context.loaders.pricePlan.load({ id: String(id), filters: pricePlanFilters(filters) });
    },
  }),
}));
