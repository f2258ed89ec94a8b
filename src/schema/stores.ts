/** Stores (where a merchant sells) and store groups (stores under one brand, with support contacts). */
import type { Store, StoreGroup } from '../datasources/partner-management.ts';
import { builder } from './builder.ts';
import { connectionFromArray, pageRequestFrom } from './connections.ts';
import { openEnum } from './open-enum.ts';
import { parseScopedKey, scope, scopeAll, scopedKey, type Scoped } from './scoped.ts';

export const StoreRef = builder.objectRef<Scoped<Store>>('Store');
export const StoreGroupRef = builder.objectRef<Scoped<StoreGroup>>('StoreGroup');

const StoreType = openEnum('StoreType', 'Where a store sells.', {
  WEBSITE: 'An online shop at a web address.',
  PHYSICAL_STORE: 'A shop with an address.',
  MOBILE_APP: 'A mobile application.',
});

builder.node(StoreRef, {
  description: 'A place where the merchant sells.',
  id: { resolve: (store) => scopedKey(store.accountId, store.store_id) },
  loadOne: async (key, context) => {
    const { accountId, id } = parseScopedKey(key);
    return scope(accountId, await context.loaders.store.load({ accountId, id }));
  },
  fields: (t) => ({
    klarnaId: t.exposeString('store_id', { description: "Klarna's identifier (KRN) of the store." }),
    reference: t.exposeString('store_reference', { description: "The partner's own reference, unique within the account." }),
    type: t.field({ type: StoreType.ref, description: 'Kind of store.', resolve: (s) => StoreType.from(s.type) }),
    typeRaw: t.exposeString('type', { description: 'Kind of store as Klarna sent it.' }),
    url: t.string({ nullable: true, description: 'Base URL of a website store.', resolve: (s) => s.url ?? null }),
    storeGroupId: t.string({ nullable: true, description: 'The store group it belongs to (KRN).', resolve: (s) => s.store_group_id ?? null }),
  }),
});

const SupportContactRef = builder.simpleObject('SupportContact', {
  description: 'How shoppers reach the merchant for support.',
  fields: (t) => ({
    email: t.string({ nullable: true, description: 'Support e-mail address.' }),
    phone: t.string({ nullable: true, description: 'Support phone number.' }),
    contactForm: t.string({ nullable: true, description: 'URL of a contact form.' }),
  }),
});

const SocialMediaLinkRef = builder.simpleObject('SocialMediaLink', {
  description: 'A profile of the merchant on a social network.',
  fields: (t) => ({
    provider: t.string({ description: 'The network, e.g. INSTAGRAM (open list).' }),
    url: t.string({ description: 'Profile URL.' }),
  }),
});

builder.node(StoreGroupRef, {
  description: 'Stores that sell under one brand and share support contacts.',
  id: { resolve: (group) => scopedKey(group.accountId, group.store_group_id) },
  loadOne: async (key, context) => {
    const { accountId, id } = parseScopedKey(key);
    return scope(accountId, await context.loaders.storeGroup.load({ accountId, id }));
  },
  fields: (t) => ({
    klarnaId: t.exposeString('store_group_id', { description: "Klarna's identifier (KRN) of the store group." }),
    reference: t.exposeString('store_group_reference', { description: "The partner's own reference, unique within the account." }),
    brandId: t.string({ nullable: true, description: 'The brand the group sells under (KRN).', resolve: (g) => g.brand_id ?? null }),
    supportContact: t.field({
      type: SupportContactRef,
      nullable: true,
      description: 'Support contact of the group.',
      resolve: ({ support_contact: c }) => c && { email: c.email ?? null, phone: c.phone ?? null, contactForm: c.contact_form ?? null },
    }),
    socialMediaLinks: t.field({
      type: [SocialMediaLinkRef],
      description: 'Social media profiles.',
      resolve: (g) => (g.social_media_links ?? []).map((link) => ({ provider: String(link.provider ?? ''), url: String(link.url ?? '') })),
    }),
    stores: t.connection({
      type: StoreRef,
      nullable: true,
      description: 'The stores of the group. Answered from the account when it was read with its stores; otherwise one read of the group.',
      resolve: async (group, args, context) => {
        const request = pageRequestFrom(args);
        const stores = group.stores ?? (await context.loaders.storeGroup.load({ accountId: group.accountId, id: group.store_group_id })).stores;
        return connectionFromArray(scopeAll(group.accountId, stores), request, (store) => store.store_id);
      },
    }),
  }),
});
