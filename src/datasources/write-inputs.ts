/**
 * What the gateway asks Klarna to write, in the gateway's own (camelCase) terms. The schema validates
 * GraphQL input into these shapes; `partner-management-bodies.ts` turns them into Klarna's REST bodies.
 */

export interface AddressInput {
  streetAddress?: string | null;
  postalCode?: string | null;
  city?: string | null;
  region?: string | null;
  country?: string | null;
}

export interface ContactInput {
  email: string;
  givenName?: string | null;
  familyName?: string | null;
  phone?: string | null;
}

export interface LegalRegistrationInput {
  number?: string | null;
  authority?: string | null;
  entityType?: string | null;
  taxRegistrationNumber?: string | null;
  address?: AddressInput | null;
}

export interface BusinessDataInput {
  legalRegistration?: LegalRegistrationInput | null;
  operatingAddresses?: AddressInput[] | null;
}

export interface BusinessEntityInput extends BusinessDataInput {
  reference: string;
  legalName: string;
  country: string;
  merchantCategoryCodes?: string[] | null;
}

export interface BrandInput {
  reference: string;
  displayName: string;
  logoUrl?: string | null;
  iconUrl?: string | null;
  featureImageUrl?: string | null;
}

export interface StoreInput {
  reference: string;
  type: string;
  url: string;
}

export interface StoreGroupInput {
  reference: string;
  brandReference?: string | null;
  supportContact?: { email?: string | null; phone?: string | null; contactForm?: string | null } | null;
  socialMediaLinks?: { provider: string; url: string }[] | null;
  stores: StoreInput[];
}

export interface PaymentAccountInput {
  acquiringAccountId: string;
  reference: string;
  businessEntityReference: string;
  defaultStoreGroupReference: string;
  defaultMerchantCategoryCode: string;
}

export interface OnboardingInput {
  reference: string;
  name: string;
  contact: ContactInput;
  businessEntities: BusinessEntityInput[];
  paymentProduct: { paymentProfileId: string; paymentAccounts: PaymentAccountInput[]; legacyMerchantId?: string | null };
  brands: BrandInput[];
  storeGroups: StoreGroupInput[];
  accountCreatedFromIp?: string | null;
  accountCreatedAt?: string | null;
}

export interface AccountUpdateInput {
  reference?: string | null;
  name?: string | null;
  contact?: ContactInput | null;
}

export interface CardSpecificationInput {
  reference: string;
  amount: number;
  currency: string;
  fundAmount?: number | null;
}
