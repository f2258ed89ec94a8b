/**
 * Input types shared by several mutations (onboarding and updates), with the zod schemas that check
 * them against Klarna's rules. GraphQL checks types and required fields; zod checks the rest.
 */
import { z } from 'zod';
import { builder } from './builder.ts';
import { country, email, mcc, reference, url } from './validation.ts';

export const StoreKind = builder.enumType('StoreKind', {
  description: 'Where a new or updated store sells (Klarna r6 accepts WEBSITE only).',
  values: {
    WEBSITE: { description: 'An online shop at a web address.' },
    PHYSICAL_STORE: { description: 'A shop with an address.' },
    MOBILE_APP: { description: 'A mobile application.' },
  } as const,
});

export const AddressInput = builder.inputType('AddressInput', {
  description: 'A postal address.',
  fields: (t) => ({
    streetAddress: t.string({ description: 'Street and number.' }),
    postalCode: t.string({ description: 'Postal code.' }),
    city: t.string({ description: 'City.' }),
    region: t.string({ description: 'Region or state.' }),
    country: t.string({ description: 'ISO 3166-1 alpha-2 country code, e.g. SE.' }),
  }),
});
export const addressSchema = z.object({
  streetAddress: z.string().max(255).nullish(),
  postalCode: z.string().max(32).nullish(),
  city: z.string().max(255).nullish(),
  region: z.string().max(255).nullish(),
  country: country.nullish(),
});

export const ContactInput = builder.inputType('AccountContactInput', {
  description: "The account owner's contact details.",
  fields: (t) => ({
    email: t.string({ required: true, description: 'E-mail address.' }),
    givenName: t.string({ description: 'Given name.' }),
    familyName: t.string({ description: 'Family name.' }),
    phone: t.string({ description: 'Phone number in E.164 form, e.g. +46701234567.' }),
  }),
});
export const contactSchema = z.object({
  email,
  givenName: z.string().max(255).nullish(),
  familyName: z.string().max(255).nullish(),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +46701234567').nullish(),
});

export const LegalRegistrationInput = builder.inputType('LegalRegistrationInput', {
  description: "How an entity is registered with its country's authorities.",
  fields: (t) => ({
    number: t.string({ description: 'Legal registration number.' }),
    authority: t.string({ description: 'Registering authority.' }),
    entityType: t.string({ description: 'Legal form, e.g. LIMITED_LIABILITY_COMPANY.' }),
    taxRegistrationNumber: t.string({ description: 'Tax registration (VAT) number.' }),
    address: t.field({ type: AddressInput, description: 'Registered address.' }),
  }),
});
export const businessDataShape = {
  legalRegistration: z
    .object({
      number: z.string().max(255).nullish(),
      authority: z.string().max(255).nullish(),
      entityType: z.string().max(64).nullish(),
      taxRegistrationNumber: z.string().max(255).nullish(),
      address: addressSchema.nullish(),
    })
    .nullish(),
  operatingAddresses: z.array(addressSchema).max(50).nullish(),
};

export const BusinessEntityInput = builder.inputType('BusinessEntityInput', {
  description: 'A legal entity of a new account.',
  fields: (t) => ({
    reference: t.string({ required: true, description: 'Your reference, unique within the account; payment accounts point to it.' }),
    legalName: t.string({ required: true, description: 'Registered legal name.' }),
    country: t.string({ required: true, description: 'Country of legal registration (ISO 3166-1 alpha-2).' }),
    merchantCategoryCodes: t.stringList({ description: 'Merchant category codes (MCC) it trades under.' }),
    legalRegistration: t.field({ type: LegalRegistrationInput, description: 'Registration details.' }),
    operatingAddresses: t.field({ type: [AddressInput], description: 'Where it operates.' }),
  }),
});
export const businessEntitySchema = z.object({
  reference,
  legalName: reference,
  country,
  merchantCategoryCodes: z.array(mcc).max(100).nullish(),
  ...businessDataShape,
});

export const BrandInput = builder.inputType('BrandInput', {
  description: 'A brand: the name and images shoppers see.',
  fields: (t) => ({
    reference: t.string({ required: true, description: 'Your reference, unique within the account; store groups point to it.' }),
    displayName: t.string({ required: true, description: 'The name shoppers see.' }),
    logoUrl: t.string({ description: 'Logo image URL.' }),
    iconUrl: t.string({ description: 'Icon image URL.' }),
    featureImageUrl: t.string({ description: 'Feature image URL.' }),
  }),
});
export const brandSchema = z.object({ reference, displayName: reference, logoUrl: url.nullish(), iconUrl: url.nullish(), featureImageUrl: url.nullish() });

export const StoreInput = builder.inputType('StoreInput', {
  description: 'A store of a store group.',
  fields: (t) => ({
    reference: t.string({ required: true, description: 'Your reference (at most 80 characters).' }),
    type: t.field({ type: StoreKind, required: true, description: 'Kind of store.' }),
    url: t.string({ required: true, description: 'Base URL of the website.' }),
  }),
});
export const storeSchema = z.object({ reference: reference.max(80, 'must be at most 80 characters'), type: z.enum(['WEBSITE', 'PHYSICAL_STORE', 'MOBILE_APP']), url });

const SupportContactInput = builder.inputType('SupportContactInput', {
  description: 'How shoppers reach the merchant (at least one of the three).',
  fields: (t) => ({
    email: t.string({ description: 'Support e-mail.' }),
    phone: t.string({ description: 'Support phone.' }),
    contactForm: t.string({ description: 'URL of a contact form.' }),
  }),
});
const SocialMediaLinkInput = builder.inputType('SocialMediaLinkInput', {
  description: 'A profile on a social network.',
  fields: (t) => ({
    provider: t.string({ required: true, description: 'FACEBOOK, INSTAGRAM, X, TWITTER, TIKTOK, YOUTUBE, LINKEDIN, PINTEREST, SNAPCHAT or OTHER.' }),
    url: t.string({ required: true, description: 'Profile URL.' }),
  }),
});

export const StoreGroupInput = builder.inputType('StoreGroupInput', {
  description: 'Stores selling under one brand, with their support contact.',
  fields: (t) => ({
    reference: t.string({ required: true, description: 'Your reference, unique within the account; payment accounts point to it.' }),
    brandReference: t.string({ description: 'The `reference` of the brand it sells under (onboarding only).' }),
    supportContact: t.field({ type: SupportContactInput, description: 'Support contact.' }),
    socialMediaLinks: t.field({ type: [SocialMediaLinkInput], description: 'Social media profiles.' }),
    stores: t.field({ type: [StoreInput], required: true, description: 'Its stores (the whole list).' }),
  }),
});
export const storeGroupSchema = z.object({
  reference,
  brandReference: reference.nullish(),
  supportContact: z
    .object({ email: email.nullish(), phone: z.string().max(32).nullish(), contactForm: url.nullish() })
    .refine((c) => Boolean(c.email || c.phone || c.contactForm), 'needs an e-mail, a phone or a contact form')
    .nullish(),
  socialMediaLinks: z
    .array(z.object({ provider: z.enum(['FACEBOOK', 'INSTAGRAM', 'X', 'TWITTER', 'TIKTOK', 'YOUTUBE', 'LINKEDIN', 'PINTEREST', 'SNAPCHAT', 'OTHER']), url }))
    .max(20)
    .nullish(),
  stores: z.array(storeSchema).min(1, 'needs at least one store').max(1_000),
});
