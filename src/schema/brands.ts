/** Brands: how a merchant presents itself (name and images). */
import type { Brand } from '../datasources/partner-management.ts';
import { builder } from './builder.ts';
import { parseScopedKey, scope, scopedKey, type Scoped } from './scoped.ts';

export const BrandRef = builder.objectRef<Scoped<Brand>>('Brand');

builder.node(BrandRef, {
  description: 'A brand of a partner account; store groups sell under a brand.',
  id: { resolve: (brand) => scopedKey(brand.accountId, brand.brand_id) },
  loadOne: async (key, context) => {
    const { accountId, id } = parseScopedKey(key);
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
