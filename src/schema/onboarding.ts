/**
 * Onboarding a new merchant (`onboardMerchant`) and migrating a legacy one (`migrateMerchant`): the
 * whole account in one payload whose parts point at each other by reference. Klarna r6 takes exactly
 * one business entity, payment product, brand and store group; the gateway checks that and every
 * reference before anything is sent.
 */
import { z } from 'zod';
import type { OnboardingInput } from '../datasources/write-inputs.ts';
import { AccountRef } from './accounts.ts';
import { builder } from './builder.ts';
import { BrandInput, BusinessEntityInput, ContactInput, StoreGroupInput, brandSchema, businessEntitySchema, contactSchema, storeGroupSchema } from './inputs.ts';
import { MUTATION_ERRORS } from './mutation-errors.ts';
import { dateTime, idempotencyKey, keyFor, krn, mcc, parseInput, reference } from './validation.ts';

const PaymentAccountInput = builder.inputType('PaymentAccountInput', {
  description: "Where one business entity's payments settle.",
  fields: (t) => ({
    acquiringAccountId: t.string({ required: true, description: 'Your payment acquiring account (KRN).' }),
    reference: t.string({ required: true, description: 'Your reference for the payment account.' }),
    businessEntityReference: t.string({ required: true, description: 'The `reference` of a business entity in this input.' }),
    defaultStoreGroupReference: t.string({ required: true, description: 'The `reference` of a store group in this input.' }),
    defaultMerchantCategoryCode: t.string({ required: true, description: 'Default merchant category code (MCC), e.g. 5411.' }),
  }),
});

const PaymentProductInput = builder.inputType('PaymentProductInput', {
  description: 'The payment product to enable, priced by a payment profile.',
  fields: (t) => ({
    paymentProfileId: t.string({ required: true, description: 'A payment profile (KRN) from `paymentProfiles`.' }),
    paymentAccounts: t.field({ type: [PaymentAccountInput], required: true, description: 'Where its payments settle.' }),
    legacyMerchantId: t.string({ description: 'Migration only: the existing Klarna merchant id whose history to keep.' }),
  }),
});

function onboardingInputType(name: string, description: string, brandsRequired: boolean) {
  return builder.inputType(name, {
    description,
    fields: (t) => ({
      idempotencyKey: t.string({ description: 'Your key for this write; a retry with the same key is applied once. Generated when absent.' }),
      reference: t.string({ required: true, description: 'Your reference for the merchant.' }),
      name: t.string({ required: true, description: 'Business name.' }),
      contact: t.field({ type: ContactInput, required: true, description: "The account owner's contact details." }),
      businessEntities: t.field({ type: [BusinessEntityInput], required: true, description: 'Its legal entity (exactly one in Klarna r6).' }),
      paymentProduct: t.field({ type: PaymentProductInput, required: true, description: 'The payment product to enable.' }),
      brands: t.field({ type: [BrandInput], required: brandsRequired, description: `Its brand (exactly one in Klarna r6${brandsRequired ? '' : '; optional when migrating'}).` }),
      storeGroups: t.field({ type: [StoreGroupInput], required: true, description: 'Its store group with stores (exactly one in Klarna r6).' }),
      accountCreatedFromIp: t.string({ description: 'IP address the merchant signed up from (fraud checks).' }),
      accountCreatedAt: t.field({ type: 'DateTime', description: 'When the merchant signed up with you.' }),
    }),
  });
}

const OnboardMerchantInput = onboardingInputType('OnboardMerchantInput', 'A new merchant, complete: entity, payment product, brand and stores.', true);
const MigrateMerchantInput = onboardingInputType('MigrateMerchantInput', 'A legacy Klarna merchant to bring under the Management API; its data is replaced by this.', false);

function onboardingSchema(brandsRequired: boolean): z.ZodType<OnboardingInput & { idempotencyKey?: string | null }> {
  const one = <T extends z.ZodType>(item: T, what: string) => z.array(item).length(1, `Klarna r6 takes exactly one ${what}`);
  return z
    .object({
      idempotencyKey: idempotencyKey.nullish(),
      reference,
      name: reference,
      contact: contactSchema,
      businessEntities: one(businessEntitySchema, 'business entity'),
      paymentProduct: z.object({
        paymentProfileId: krn,
        legacyMerchantId: reference.nullish(),
        paymentAccounts: z
          .array(
            z.object({
              acquiringAccountId: krn,
              reference,
              businessEntityReference: reference,
              defaultStoreGroupReference: reference,
              defaultMerchantCategoryCode: mcc,
            }),
          )
          .min(1, 'needs at least one payment account')
          .max(100),
      }),
      brands: brandsRequired ? one(brandSchema, 'brand') : z.array(brandSchema).max(1, 'Klarna r6 takes at most one brand').nullish().transform((b) => b ?? []),
      storeGroups: one(storeGroupSchema, 'store group'),
      accountCreatedFromIp: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IP address' }).nullish(),
      accountCreatedAt: dateTime.nullish(),
    })
    .superRefine((input, ctx) => {
      // References inside the payload must point at parts of the same payload.
      const entities = new Set(input.businessEntities.map((entity) => entity.reference));
      const groups = new Set(input.storeGroups.map((group) => group.reference));
      const brands = new Set(input.brands.map((brand) => brand.reference));
      input.paymentProduct.paymentAccounts.forEach((account, index) => {
        const path = ['paymentProduct', 'paymentAccounts', index];
        if (!entities.has(account.businessEntityReference)) ctx.addIssue({ code: 'custom', path: [...path, 'businessEntityReference'], message: 'names no business entity of this input' });
        if (!groups.has(account.defaultStoreGroupReference)) ctx.addIssue({ code: 'custom', path: [...path, 'defaultStoreGroupReference'], message: 'names no store group of this input' });
      });
      input.storeGroups.forEach((group, index) => {
        if (group.brandReference && !brands.has(group.brandReference)) ctx.addIssue({ code: 'custom', path: ['storeGroups', index, 'brandReference'], message: 'names no brand of this input' });
      });
    }) as unknown as z.ZodType<OnboardingInput & { idempotencyKey?: string | null }>;
}

const onboardSchema = onboardingSchema(true);
const migrateSchema = onboardingSchema(false);

const OnboardMerchantPayload = builder.simpleObject('OnboardMerchantPayload', {
  description: 'The merchant was onboarded: its account starts PARTIALLY_OPERATIONAL and becomes OPERATIONAL when Klarna completes set-up.',
  fields: (t) => ({ account: t.field({ type: AccountRef, description: 'The new account.' }) }),
});
const MigrateMerchantPayload = builder.simpleObject('MigrateMerchantPayload', {
  description: 'The merchant was migrated: its account as Klarna now has it.',
  fields: (t) => ({ account: t.field({ type: AccountRef, description: 'The migrated account.' }) }),
});

builder.mutationFields((t) => ({
  onboardMerchant: t.field({
    type: OnboardMerchantPayload,
    description: 'Onboards a new merchant with its entity, payment product, brand and stores in one write.',
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: OnboardMerchantInput, required: true, description: 'The merchant.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(onboardSchema, args.input);
      const account = await context.pm.onboard(input, keyFor(input));
      context.refreshLoaders();
      return { account };
    },
  }),
  migrateMerchant: t.field({
    type: MigrateMerchantPayload,
    description: "Brings a legacy Klarna merchant under the Management API, replacing its data with this input.",
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: MigrateMerchantInput, required: true, description: 'The merchant.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(migrateSchema, args.input);
      const account = await context.pm.onboard(input, keyFor(input), true);
      context.refreshLoaders();
      return { account };
    },
  }),
}));
