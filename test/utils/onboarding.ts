/** A valid `OnboardMerchantInput` for the sandbox, with unique references, for tests to vary. */
import type { Sandbox } from '../../src/sandbox/index.ts';
import { DOCS_ACQUIRING_ACCOUNT } from '../../src/sandbox/seed/acquiring-accounts.ts';

let counter = 0;

export function onboardingInput(sandbox: Sandbox, overrides: Record<string, unknown> = {}) {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}`;
  return {
    reference: `merchant-${tag}`,
    name: `Merchant ${tag}`,
    contact: { email: `owner-${tag}@example.com`, givenName: 'Ada', familyName: 'Lovelace', phone: '+46701234567' },
    businessEntities: [{ reference: 'entity-1', legalName: `Merchant ${tag} AB`, country: 'SE', merchantCategoryCodes: ['5411'] }],
    paymentProduct: {
      paymentProfileId: sandbox.state.paymentProfiles[0]!.payment_profile_id,
      paymentAccounts: [
        {
          acquiringAccountId: DOCS_ACQUIRING_ACCOUNT.id,
          reference: `payment-account-${tag}`,
          businessEntityReference: 'entity-1',
          defaultStoreGroupReference: 'group-1',
          defaultMerchantCategoryCode: '5411',
        },
      ],
    },
    brands: [{ reference: 'brand-1', displayName: `Merchant ${tag}`, logoUrl: 'https://example.com/logo.png' }],
    storeGroups: [
      {
        reference: 'group-1',
        brandReference: 'brand-1',
        supportContact: { email: 'support@example.com' },
        stores: [{ reference: 'web-1', type: 'WEBSITE', url: `https://${tag}.example.com` }],
      },
    ],
    ...overrides,
  };
}

export const ONBOARD_MUTATION = `mutation($input: OnboardMerchantInput!) {
  onboardMerchant(input: $input) {
    __typename
    ... on OnboardMerchantPayload { account { klarnaId name reference state stateReason contact { email } } }
    ... on UserError { code message }
    ... on ValidationError { problems { path message } }
  }
}`;
