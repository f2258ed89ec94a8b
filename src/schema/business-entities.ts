/** Partner business entities: the legal entities behind an account. */
import type { PartnerBusinessEntity } from '../datasources/partner-management.ts';
import { builder } from './builder.ts';
import { nodeKeyParts } from './global-ids.ts';
import { z } from 'zod';
import { AddressInput, LegalRegistrationInput, businessDataShape } from './inputs.ts';
import { MUTATION_ERRORS } from './mutation-errors.ts';
import { scope, scopedKey, type Scoped } from './scoped.ts';
import { idempotencyKey, keyFor, krn, parseInput } from './validation.ts';

export const BusinessEntityRef = builder.objectRef<Scoped<PartnerBusinessEntity>>('BusinessEntity');

const AddressRef = builder.simpleObject('Address', {
  description: 'A postal address.',
  fields: (t) => ({
    streetAddress: t.string({ nullable: true, description: 'Street and number.' }),
    streetAddress2: t.string({ nullable: true, description: 'Further address line.' }),
    postalCode: t.string({ nullable: true, description: 'Postal code.' }),
    city: t.string({ nullable: true, description: 'City.' }),
    region: t.string({ nullable: true, description: 'Region or state.' }),
    country: t.string({ nullable: true, description: 'ISO 3166-1 alpha-2 country code.' }),
  }),
});

type RestAddress = { street_address?: string; street_address2?: string; postal_code?: string; city?: string; region?: string; country?: string };
const toAddress = (address: RestAddress | undefined) =>
  address && {
    streetAddress: address.street_address ?? null,
    streetAddress2: address.street_address2 ?? null,
    postalCode: address.postal_code ?? null,
    city: address.city ?? null,
    region: address.region ?? null,
    country: address.country ?? null,
  };

const LegalRegistrationRef = builder.simpleObject('LegalRegistration', {
  description: "How the entity is registered with its country's authorities.",
  fields: (t) => ({
    number: t.string({ nullable: true, description: 'Legal registration number.' }),
    authority: t.string({ nullable: true, description: 'Registering authority.' }),
    entityType: t.string({ nullable: true, description: 'Legal form, e.g. LIMITED_LIABILITY_COMPANY (open list).' }),
    taxRegistrationNumber: t.string({ nullable: true, description: 'Tax registration (VAT) number.' }),
    address: t.field({ type: AddressRef, nullable: true, description: 'Registered address.' }),
  }),
});

builder.node(BusinessEntityRef, {
  description: 'A legal entity of a partner account, with its registration data.',
  id: { resolve: (entity) => scopedKey(entity.accountId, entity.partner_business_entity_id) },
  loadOne: async (key, context) => {
    const [accountId = '', id = ''] = nodeKeyParts('BusinessEntity', key);
    return scope(accountId, await context.loaders.businessEntity.load({ accountId, id }));
  },
  fields: (t) => ({
    klarnaId: t.exposeString('partner_business_entity_id', { description: "Klarna's identifier (KRN) of the entity." }),
    reference: t.exposeString('partner_business_entity_reference', { description: "The partner's own reference, unique within the account." }),
    legalName: t.string({ nullable: true, description: 'Registered legal name.', resolve: (e) => e.legal_registered_entity_name ?? null }),
    country: t.string({ nullable: true, description: 'Country of legal registration (ISO 3166-1 alpha-2).', resolve: (e) => e.legal_registration_country ?? null }),
    merchantCategoryCodes: t.stringList({ description: 'Merchant category codes (MCC) the entity may trade under.', resolve: (e) => e.enabled_merchant_category_codes ?? [] }),
    legalRegistration: t.field({
      type: LegalRegistrationRef,
      nullable: true,
      description: 'Registration details, when provided.',
      resolve: (e) => {
        const registration = e.supplementary_business_data?.legal_registration;
        if (!registration) return null;
        return {
          number: registration.legal_registration_number ?? null,
          authority: registration.legal_registration_authority ?? null,
          entityType: registration.legal_registration_entity_type ?? null,
          taxRegistrationNumber: registration.tax_registration_number ?? null,
          address: toAddress(registration.legal_registration_address) ?? null,
        };
      },
    }),
    operatingAddresses: t.field({
      type: [AddressRef],
      description: 'Where the entity operates.',
      resolve: (e) => (e.supplementary_business_data?.operating_addresses ?? []).map((address) => toAddress(address)!),
    }),
  }),
});

const UpdateBusinessEntityInput = builder.inputType('UpdateBusinessEntityInput', {
  description: "A business entity's registration data and operating addresses (its name and country are fixed).",
  fields: (t) => ({
    idempotencyKey: t.string({ description: 'Your key for this write; a retry with the same key is applied once. Generated when absent.' }),
    accountId: t.id({ required: true, description: 'The account (KRN).' }),
    businessEntityId: t.id({ required: true, description: 'The business entity (KRN).' }),
    legalRegistration: t.field({ type: LegalRegistrationInput, description: 'Registration details.' }),
    operatingAddresses: t.field({ type: [AddressInput], description: 'Where it operates.' }),
  }),
});
const updateBusinessEntitySchema = z
  .object({ idempotencyKey: idempotencyKey.nullish(), accountId: krn, businessEntityId: krn, ...businessDataShape })
  .refine((input) => input.legalRegistration || input.operatingAddresses, { message: 'give legalRegistration or operatingAddresses', path: ['legalRegistration'] });

const UpdateBusinessEntityPayload = builder.simpleObject('UpdateBusinessEntityPayload', {
  description: 'The business entity as Klarna now has it.',
  fields: (t) => ({ businessEntity: t.field({ type: BusinessEntityRef, description: 'The updated entity.' }) }),
});

builder.mutationField('updateBusinessEntity', (t) =>
  t.field({
    type: UpdateBusinessEntityPayload,
    description: "Updates a business entity's supplementary data (registration, addresses).",
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: UpdateBusinessEntityInput, required: true, description: 'The entity.' }) },
    resolve: async (_root, args, context) => {
      const { accountId, businessEntityId, ...input } = parseInput(updateBusinessEntitySchema, args.input);
      const entity = await context.pm.updateBusinessEntity(accountId, businessEntityId, input, keyFor(input));
      context.refreshLoaders();
      return { businessEntity: scope(accountId, entity) };
    },
  }),
);
