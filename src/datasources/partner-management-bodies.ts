/**
 * The gateway's write inputs as Klarna's REST bodies (snake_case, Klarna's nesting). Only fields the
 * caller gave are sent, so a PATCH changes exactly what was asked.
 */
import type { components } from '../contracts/partner-management.generated.ts';
import type {
  AccountUpdateInput,
  AddressInput,
  BrandInput,
  BusinessDataInput,
  BusinessEntityInput,
  ContactInput,
  OnboardingInput,
  StoreGroupInput,
  StoreInput,
} from './write-inputs.ts';

type S = components['schemas'];
type Mcc = S['MerchantCategoryCode'];

/** Drops keys whose value is undefined or null (Klarna treats absent and null differently). */
function compact<T extends object>(object: T): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== null)) as {
    [K in keyof T]?: Exclude<T[K], null | undefined>;
  };
}

const address = (a: AddressInput): S['Address'] =>
  compact({ street_address: a.streetAddress, postal_code: a.postalCode, city: a.city, region: a.region, country: a.country ?? undefined }) as S['Address'];

const contact = (c: ContactInput): S['PartnerAccountContact'] =>
  compact({ email: c.email, given_name: c.givenName, family_name: c.familyName, phone: c.phone }) as S['PartnerAccountContact'];

export function businessData(input: BusinessDataInput): S['SupplementaryBusinessData'] {
  const registration = input.legalRegistration;
  return compact({
    legal_registration: registration
      ? compact({
          legal_registration_number: registration.number,
          legal_registration_authority: registration.authority,
          legal_registration_entity_type: registration.entityType,
          tax_registration_number: registration.taxRegistrationNumber,
          legal_registration_address: registration.address ? address(registration.address) : undefined,
        })
      : undefined,
    operating_addresses: input.operatingAddresses?.map(address),
  });
}

const businessEntity = (e: BusinessEntityInput): S['PartnerBusinessEntityData'] => {
  const data = businessData(e);
  return compact({
    partner_business_entity_reference: e.reference,
    legal_registered_entity_name: e.legalName,
    legal_registration_country: e.country,
    enabled_merchant_category_codes: e.merchantCategoryCodes as Mcc[] | undefined,
    supplementary_business_data: Object.keys(data).length ? data : undefined,
  }) as S['PartnerBusinessEntityData'];
};

export function brand(b: BrandInput): S['BrandData'] {
  const element = compact({ logo_url: b.logoUrl, icon_url: b.iconUrl, feature_image_url: b.featureImageUrl });
  return compact({ display_name: b.displayName, brand_reference: b.reference, element: Object.keys(element).length ? element : undefined }) as S['BrandData'];
}

export const store = (s: StoreInput): S['StoreData'] => ({ type: s.type as S['StoreType'], store_reference: s.reference, url: s.url });

export function storeGroup(g: StoreGroupInput): S['StoreGroupData'] {
  return compact({
    store_group_reference: g.reference,
    brand_reference: g.brandReference,
    support_contact: g.supportContact ? compact({ email: g.supportContact.email, phone: g.supportContact.phone, contact_form: g.supportContact.contactForm }) : undefined,
    social_media_links: g.socialMediaLinks?.map((link) => ({ provider: link.provider as S['SocialMediaProvider'], url: link.url })),
    stores: g.stores.map(store),
  }) as S['StoreGroupData'];
}

/** The body of `POST /v2/distribution/onboard` (and of `migrate`, which adds the legacy merchant id). */
export function onboardingBody(input: OnboardingInput): S['OnboardRequest'] & S['MigrateRequest'] {
  const product = input.paymentProduct;
  const creation = compact({ account_created_from_ip: input.accountCreatedFromIp, account_created_at: input.accountCreatedAt });
  return compact({
    partner_account_reference: input.reference,
    partner_account_name: input.name,
    partner_account_contact: contact(input.contact),
    partner_business_entities: input.businessEntities.map(businessEntity),
    products: [
      compact({
        type: 'PAYMENT' as const,
        payment_profile_id: product.paymentProfileId,
        merchant_id: product.legacyMerchantId,
        payment_accounts: product.paymentAccounts.map((a) => ({
          payment_acquiring_account_id: a.acquiringAccountId,
          payment_account_reference: a.reference,
          partner_business_entity_reference: a.businessEntityReference,
          default_store_group_reference: a.defaultStoreGroupReference,
          default_merchant_category_code: a.defaultMerchantCategoryCode as Mcc,
        })),
      }),
    ],
    brands: input.brands.length ? input.brands.map(brand) : undefined,
    store_groups: input.storeGroups.map(storeGroup),
    supplementary_account_data: Object.keys(creation).length ? { account_creation: creation } : undefined,
  }) as S['OnboardRequest'] & S['MigrateRequest'];
}

export const accountUpdateBody = (input: AccountUpdateInput): S['AccountUpdateRequest'] =>
  compact({ partner_account_reference: input.reference, partner_account_name: input.name, partner_account_contact: input.contact ? contact(input.contact) : undefined });
