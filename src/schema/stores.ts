/** Stores (where a merchant sells) and store groups (stores under one brand, with support contacts). */
import type { Store, StoreGroup } from '../datasources/partner-management.ts';
import { builder } from './builder.ts';
import { nodeKeyParts } from './global-ids.ts';
import { connectionFromArray, pageRequestFrom } from './connections.ts';
import { openEnum } from './open-enum.ts';
import { z } from 'zod';
import { StoreGroupInput, StoreKind, storeGroupSchema, storeSchema } from './inputs.ts';
import { MUTATION_ERRORS } from './mutation-errors.ts';
import { scope, scopeAll, scopedKey, type Scoped } from './scoped.ts';
import { idempotencyKey, keyFor, krn, parseInput } from './validation.ts';

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
    const [accountId = '', id = ''] = nodeKeyParts('Store', key);
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
    const [accountId = '', id = ''] = nodeKeyParts('StoreGroup', key);
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
      // Synchronous when the group came with its stores (no promise per group).
      resolve: (group, args, context) => {
        const request = pageRequestFrom(args);
        const page = (stores: typeof group.stores) => connectionFromArray(scopeAll(group.accountId, stores), request, (store) => store.store_id);
        if (group.stores) return page(group.stores);
        return context.loaders.storeGroup.load({ accountId: group.accountId, id: group.store_group_id }).then((read) => page(read.stores));
      },
    }),
  }),
});

const keyField = 'Your key for this write; a retry with the same key is applied once. Generated when absent.';

const UpdateStoreInput = builder.inputType('UpdateStoreInput', {
  description: 'A store, replaced whole.',
  fields: (t) => ({
    idempotencyKey: t.string({ description: keyField }),
    accountId: t.id({ required: true, description: 'The account (KRN).' }),
    storeId: t.id({ required: true, description: 'The store (KRN).' }),
    reference: t.string({ required: true, description: 'Your reference (at most 80 characters).' }),
    type: t.field({ type: StoreKind, required: true, description: 'Kind of store.' }),
    url: t.string({ required: true, description: 'Base URL of the website.' }),
  }),
});
const updateStoreSchema = storeSchema.extend({ idempotencyKey: idempotencyKey.nullish(), accountId: krn, storeId: krn });

const UpdateStoreGroupInput = builder.inputType('UpdateStoreGroupInput', {
  description: "A store group, replaced whole: its stores are matched by `reference` (kept stores keep their ids; stores left out are removed).",
  fields: (t) => ({
    idempotencyKey: t.string({ description: keyField }),
    accountId: t.id({ required: true, description: 'The account (KRN).' }),
    storeGroupId: t.id({ required: true, description: 'The store group (KRN).' }),
    group: t.field({ type: StoreGroupInput, required: true, description: 'The group as it should be (`brandReference` is ignored).' }),
  }),
});
const updateStoreGroupSchema = z.object({ idempotencyKey: idempotencyKey.nullish(), accountId: krn, storeGroupId: krn, group: storeGroupSchema });

const UpdateStorePayload = builder.simpleObject('UpdateStorePayload', {
  description: 'The store as Klarna now has it.',
  fields: (t) => ({ store: t.field({ type: StoreRef, description: 'The updated store.' }) }),
});
const UpdateStoreGroupPayload = builder.simpleObject('UpdateStoreGroupPayload', {
  description: 'The store group as Klarna now has it.',
  fields: (t) => ({ storeGroup: t.field({ type: StoreGroupRef, description: 'The updated store group with its stores.' }) }),
});

builder.mutationFields((t) => ({
  updateStore: t.field({
    type: UpdateStorePayload,
    description: "Replaces a store's reference, type and URL.",
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: UpdateStoreInput, required: true, description: 'The store.' }) },
    resolve: async (_root, args, context) => {
      const { accountId, storeId, ...input } = parseInput(updateStoreSchema, args.input);
      const store = await context.pm.updateStore(accountId, storeId, input, keyFor(input));
      context.refreshLoaders();
      return { store: scope(accountId, store) };
    },
  }),
  updateStoreGroup: t.field({
    type: UpdateStoreGroupPayload,
    description: 'Replaces a store group: reference, support contact, social media links and its whole store list.',
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: UpdateStoreGroupInput, required: true, description: 'The store group.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(updateStoreGroupSchema, args.input);
      const group = await context.pm.updateStoreGroup(input.accountId, input.storeGroupId, input.group, keyFor(input));
      context.refreshLoaders();
      return { storeGroup: scope(input.accountId, group) };
    },
  }),
}));
