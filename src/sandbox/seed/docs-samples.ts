/**
 * The docs' samples as sandbox data: every identifier a response sample of the Partner Management
 * reference shows exists here and answers with the sample's values.
 *
 * - Account `krn:partner:global:account:live:LWT2XJSE` ("Merchant ABC US", M123786123412), with the
 *   sample business entity, brand, store group, store, payment product and payment account, plus the
 *   siblings a real merchant of that size has, and the sample compliance decision among eight.
 * - Credentials: the API key, client identifier and client certificate samples (see `docs-credentials.ts`).
 * - Settlement `krn:partner:eu1:settlement:live:113574395` with its payout sample and the CSV sample,
 *   and settlement `…:live:15328742` that the CSV sample's summary row names (see `docs-settlements.ts`).
 *
 * The reference does not say which acquirer the samples belong to: they are the demo principal's.
 */
import { emptyAccountRecord, type AccountRecord, type Pm, type SandboxState } from '../state.ts';
import { DOCS_ACQUIRING_ACCOUNT } from './acquiring-accounts.ts';
import { seedDocsCredentials } from './docs-credentials.ts';
import { seedDocsSettlements } from './docs-settlements.ts';
import { PAYMENT_PROFILES } from './reference-data.ts';

export const DOCS_ACCOUNT_ID = 'krn:partner:global:account:live:LWT2XJSE';
export const DOCS_PRODUCT_ID = 'krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918';
export const DOCS_PAYMENT_ACCOUNT_ID = 'krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b';
export const DOCS_ENTITY_ID = 'krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58';
export const DOCS_BRAND_ID = 'krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613';
export const DOCS_STORE_GROUP_ID = 'krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613';
export const DOCS_STORE_ID = 'krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613';
/** The decision id of the reference's path example; the first of the account's decisions. */
export const DOCS_DECISION_ID = 'krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291';

const US_ENTITY_ID = 'krn:partner:accounts:partner-business-entity:4f7b2c9e-1d3a-4e5b-8c6f-0a9d2e7b1c34';
const US_BRAND_ID = 'krn:partner:global:account:brand:2b6e9d14-7c3f-4a8e-b5d0-6f1c8a3e9b72';
const US_STORE_GROUP_ID = 'krn:partner:global:account:store-groups:6d3a1f8b-2e9c-4b7d-a0f5-3c8e1b6d9a27';
const US_PAYMENT_ACCOUNT_ID = 'krn:partner:global:payment-account:test:8a2f6c1e-9b4d-4e7a-b3c5-1d0e7f9a2b68';

const address = (street_address: string, postal_code: string, city: string, country: string, region?: string): Pm['Address'] => ({
  street_address,
  postal_code,
  city,
  ...(region ? { region } : {}),
  country,
});

function entities(): Pm['PartnerBusinessEntity'][] {
  return [
    {
      partner_business_entity_id: DOCS_ENTITY_ID,
      partner_business_entity_reference: 'business_entity_1',
      legal_registered_entity_name: 'Legal Entity LLC',
      legal_registration_country: 'US',
      enabled_merchant_category_codes: ['5411'],
      supplementary_business_data: {
        legal_registration: {
          legal_registration_number: '87-1234567',
          legal_registration_authority: 'Delaware Division of Corporations',
          legal_registration_entity_type: 'LIMITED_LIABILITY_COMPANY',
          tax_registration_number: '87-1234567',
          legal_registration_address: address('800 N King Street', '19801', 'Wilmington', 'US', 'DE'),
        },
        operating_addresses: [address('350 5th Avenue', '10118', 'New York', 'US', 'NY')],
        stakeholders: [
          {
            given_name: 'John',
            family_name: 'Doe',
            address: address('12 Orchard Street', '10002', 'New York', 'US', 'NY'),
            date_of_birth: '1980-04-12',
            national_identification: { number: '123-45-6789', country: 'US' },
            roles: ['OWNER', 'DIRECTOR'],
          },
        ],
        partner_payouts_state: {
          payouts_status: 'ENABLED',
          payouts_enabled_at: '2024-01-15T09:00:00Z',
          payouts_delay_days: 2,
          bank_accounts: [{ bank_account_type: 'LOCAL', account_holder: 'Legal Entity LLC' }],
        },
      },
    },
    {
      partner_business_entity_id: US_ENTITY_ID,
      partner_business_entity_reference: 'business_entity_2',
      legal_registered_entity_name: 'Merchant ABC Online Inc.',
      legal_registration_country: 'US',
      enabled_merchant_category_codes: ['5411', '5499'],
    },
  ];
}

function brands(): Pm['Brand'][] {
  return [
    {
      brand_id: DOCS_BRAND_ID,
      display_name: 'My Branding DE',
      brand_reference: 'My_Branding_Ref_DE',
      element: {
        logo_url: 'https://cdn.merchant-abc.example/de/logo.png',
        icon_url: 'https://cdn.merchant-abc.example/de/icon.png',
        feature_image_url: 'https://cdn.merchant-abc.example/de/feature.jpg',
      },
    },
    {
      brand_id: US_BRAND_ID,
      display_name: 'Merchant ABC',
      brand_reference: 'merchant_abc_us',
      element: { logo_url: 'https://cdn.merchant-abc.example/us/logo.png' },
    },
  ];
}

const storeGroups: Pm['StoreGroup'][] = [
  {
    store_group_id: DOCS_STORE_GROUP_ID,
    store_group_reference: 'store_group_de',
    brand_id: DOCS_BRAND_ID,
    brand_reference: 'My_Branding_Ref_DE',
    support_contact: { email: 'support-de@merchant-abc.example', phone: '+4930123456789', contact_form: 'https://www.merchant-abc.de/kontakt' },
    social_media_links: [{ provider: 'INSTAGRAM', url: 'https://www.instagram.com/merchantabc.de' }],
  },
  {
    store_group_id: US_STORE_GROUP_ID,
    store_group_reference: 'store_group_us',
    brand_id: US_BRAND_ID,
    brand_reference: 'merchant_abc_us',
    support_contact: { email: 'support@merchant-abc.example', phone: '+18445527621' },
    social_media_links: [
      { provider: 'FACEBOOK', url: 'https://www.facebook.com/merchantabc' },
      { provider: 'INSTAGRAM', url: 'https://www.instagram.com/merchantabc' },
    ],
  },
];

const STORES: [id: string, groupId: string, reference: string, url: string][] = [
  [DOCS_STORE_ID, DOCS_STORE_GROUP_ID, 'store_de_web', 'https://www.merchant-abc.de'],
  ['krn:partner:global:account:stores:3e8c1a5f-6b2d-4f9e-a7c4-8d0b5e2f1a96', DOCS_STORE_GROUP_ID, 'store_at_web', 'https://www.merchant-abc.at'],
  ['krn:partner:global:account:stores:b1d7e4a2-8c5f-4a3b-9e6d-2f0c7a1b5e83', US_STORE_GROUP_ID, 'store_us_web', 'https://www.merchant-abc.com'],
  ['krn:partner:global:account:stores:5c2e9f7a-1b4d-4c8e-b6a3-7e0d2f9c1a45', US_STORE_GROUP_ID, 'store_us_outlet', 'https://outlet.merchant-abc.com'],
  ['krn:partner:global:account:stores:e9a4c1d6-3f8b-4e2a-8d7c-5b1f0e6a9c32', US_STORE_GROUP_ID, 'store_us_fresh', 'https://fresh.merchant-abc.com'],
];

function product(): Pm['PaymentProduct'] {
  const common = { status: 'ENABLED', payment_acquiring_account_id: DOCS_ACQUIRING_ACCOUNT.id };
  return {
    product_id: DOCS_PRODUCT_ID,
    type: 'PAYMENT',
    payment_profile_id: PAYMENT_PROFILES[0]!.payment_profile_id,
    payment_accounts: [
      {
        payment_account_id: DOCS_PAYMENT_ACCOUNT_ID,
        ...common,
        payment_account_reference: 'payment_account_ref',
        default_merchant_category_code: '5411',
        partner_business_entity_id: DOCS_ENTITY_ID,
        default_store_group_id: US_STORE_GROUP_ID,
      },
      {
        payment_account_id: US_PAYMENT_ACCOUNT_ID,
        ...common,
        payment_account_reference: 'payment_account_ref_online',
        default_merchant_category_code: '5499',
        partner_business_entity_id: US_ENTITY_ID,
        default_store_group_id: US_STORE_GROUP_ID,
      },
    ],
    state: 'ENABLED',
    state_reason: 'APPROVED',
  };
}

/** Eight decisions over 2024; the sample's (NON_COMPLIANT) is the newest, so it heads the newest-first list. */
function decisions(): Pm['ComplianceDecision'][] {
  const types = ['NON_COMPLIANT', 'OTHER_RISK', 'PROHIBITED_OR_RESTRICTED_SEGMENT', 'NON_COMPLIANT', 'OTHER_RISK', 'FRAUDULENT_BEHAVIOUR', 'NON_COMPLIANT', 'OTHER_RISK'];
  const ids = [
    DOCS_DECISION_ID,
    'krn:partner:global:compliance:decision:0b7e3a91-4c6d-4f2a-9e58-d1c2b7a6f403',
    'krn:partner:global:compliance:decision:1c8f4b02-5d7e-4a3b-8f69-e2d3c8b7a514',
    'krn:partner:global:compliance:decision:2d9a5c13-6e8f-4b4c-9a7a-f3e4d9c8b625',
    'krn:partner:global:compliance:decision:3eab6d24-7f9a-4c5d-8b8b-a4f5eadac736',
    'krn:partner:global:compliance:decision:4fbc7e35-8aab-4d6e-9c9c-b5a6fbebd847',
    'krn:partner:global:compliance:decision:5acd8f46-9bbc-4e7f-8dad-c6b7acfce958',
    'krn:partner:global:compliance:decision:6bde9a57-acc0-4f8a-9ebe-d7c8bdadfa69',
  ];
  const decisions = ids.map((decision_id, index) => ({
    decision_id,
    decision_type: types[index]!,
    partner_account_id: DOCS_ACCOUNT_ID,
    product_instance_id: index % 3 === 1 ? null : DOCS_PRODUCT_ID,
    created_at: new Date(Date.UTC(2024, 7 - index, 5 + index, 9, 30)).toISOString().replace('.000Z', 'Z'),
  }));
  return decisions.reverse();
}

export function docsAccount(ownerId: string): AccountRecord {
  const record = emptyAccountRecord(ownerId, {
    partner_account_id: DOCS_ACCOUNT_ID,
    partner_account_reference: 'M123786123412',
    partner_account_name: 'Merchant ABC US',
    partner_account_contact: { given_name: 'John', family_name: 'Doe', email: 'john.doe@merchant-abc.example', phone: '+18445527621' },
    state: 'OPERATIONAL',
    state_reason: 'SETUP_COMPLETE',
  });
  for (const entity of entities()) record.entities.set(entity.partner_business_entity_id, entity);
  for (const brand of brands()) record.brands.set(brand.brand_id, brand);
  for (const group of storeGroups) {
    record.storeGroups.set(group.store_group_id, { ...group });
    record.storeIdsByGroup.set(group.store_group_id, []);
  }
  for (const [store_id, store_group_id, store_reference, url] of STORES) {
    record.stores.set(store_id, { store_id, type: 'WEBSITE', store_reference, url, store_group_id });
    record.storeIdsByGroup.get(store_group_id)!.push(store_id);
  }
  record.products.set(DOCS_PRODUCT_ID, product());
  for (const decision of decisions()) record.decisions.set(decision.decision_id, decision);
  return record;
}

export function seedDocsSamples(state: SandboxState, ownerId: string): void {
  state.accounts.set(DOCS_ACCOUNT_ID, docsAccount(ownerId));
  seedDocsCredentials(state, ownerId);
  seedDocsSettlements(state, ownerId);
}
