/** Brands: how a merchant presents itself (name and images). */
import type { Brand } from '../datasources/partner-management.ts';
import { builder } from './builder.ts';
import { nodeKeyParts } from './global-ids.ts';
import { brandSchema } from './inputs.ts';
import { MUTATION_ERRORS } from './mutation-errors.ts';
import { scope, scopedKey, type Scoped } from './scoped.ts';
import { idempotencyKey, keyFor, krn, parseInput } from './validation.ts';

export const BrandRef = builder.objectRef<Scoped<Brand>>('Brand');

builder.node(BrandRef, {
  description: 'A brand of a partner account; store groups sell under a brand.',
  id: { resolve: (brand) => scopedKey(brand.accountId, brand.brand_id) },
  loadOne: async (key, context) => {
    const [accountId = '', id = ''] = nodeKeyParts('Brand', key);
    return scope(accountId, await context.loaders.brand.load({ accountId, id }));
  },
  fields: (t) => ({
    klarnaId: t.exposeString('brand_id', { description: "Klarna's identifier (KRN) of the brand." }),
    reference: t.exposeString('brand_reference', { description: "The partner's own reference, unique within the account." }),
    displayName: t.exposeString('display_name', { description: 'The name shoppers see.' }),
    logoUrl: t.string({ nullable: true, description: 'Logo image URL.', resolve: (b) => b.element?.logo_url ?? null }),
    iconUrl: t.string({ nullable: true, description: 'Icon image URL.', resolve: (b) => b.element?.icon_url ?? null }),
    featureImageUrl: t.string({ nullable: true, description: 'Feature image URL.', resolve: (b) => b.element?.feature_image_url ?? null }),
  }),
});

const UpdateBrandInput = builder.inputType('UpdateBrandInput', {
  description: 'A brand, replaced whole: name, reference and images.',
  fields: (t) => ({
    idempotencyKey: t.string({ description: 'Your key for this write; a retry with the same key is applied once. Generated when absent.' }),
    accountId: t.id({ required: true, description: 'The account (KRN).' }),
    brandId: t.id({ required: true, description: 'The brand (KRN).' }),
    reference: t.string({ required: true, description: 'Your reference; store groups point to it.' }),
    displayName: t.string({ required: true, description: 'The name shoppers see.' }),
    logoUrl: t.string({ description: 'Logo image URL (omitted: removed).' }),
    iconUrl: t.string({ description: 'Icon image URL (omitted: removed).' }),
    featureImageUrl: t.string({ description: 'Feature image URL (omitted: removed).' }),
  }),
});
const updateBrandSchema = brandSchema.extend({ idempotencyKey: idempotencyKey.nullish(), accountId: krn, brandId: krn });

const UpdateBrandPayload = builder.simpleObject('UpdateBrandPayload', {
  description: 'The brand as Klarna now has it.',
  fields: (t) => ({ brand: t.field({ type: BrandRef, description: 'The updated brand.' }) }),
});

builder.mutationField('updateBrand', (t) =>
  t.field({
    type: UpdateBrandPayload,
    description: 'Replaces a brand: its name, reference and images.',
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: UpdateBrandInput, required: true, description: 'The brand.' }) },
    resolve: async (_root, args, context) => {
      const { accountId, brandId, ...input } = parseInput(updateBrandSchema, args.input);
      const brand = await context.pm.updateBrand(accountId, brandId, input, keyFor(input));
      context.refreshLoaders();
      return { brand: scope(accountId, brand) };
    },
  }),
);
