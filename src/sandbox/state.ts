/**
 * The sandbox's one consistent in-memory world. Records hold the REST shapes of the contracts (types
 * generated from `openapi/`), split where Klarna's API addresses parts separately (an account's stores
 * are reachable from the account, its store groups and by id).
 *
 * Every record names its owner: the partner (API caller) that may see it. A caller never sees another
 * partner's accounts, settlements or card orders; reference data (payment profiles, price plans) is
 * shared, as at Klarna.
 */
import type { components as PmComponents } from '../contracts/partner-management.generated.ts';
import type { components as McsComponents } from '../contracts/merchant-card-service.generated.ts';

export type Pm = PmComponents['schemas'];
export type Mcs = McsComponents['schemas'];

/** A Klarna API caller: an acquiring/distribution partner with its credentials. */
export interface Principal {
  /** The caller's own partner account KRN (`recipient_account_id` of its webhooks). */
  id: string;
  name: string;
  environment: 'LIVE' | 'TEST';
}

export interface CredentialRecord {
  ownerId: string;
  credential: Pm['Credential'];
  /** The API key secret itself: what a caller presents as Basic credentials. Shown once on create. */
  secret?: string;
}

export interface AccountRecord {
  ownerId: string;
  /** The account's own fields, without the sub-resources held below. */
  account: Pm['PartnerAccount'];
  entities: Map<string, Pm['PartnerBusinessEntity']>;
  brands: Map<string, Pm['Brand']>;
  /** Store groups without their `stores`; membership is `storeIdsByGroup`. */
  storeGroups: Map<string, Pm['StoreGroup']>;
  storeIdsByGroup: Map<string, string[]>;
  stores: Map<string, Pm['Store']>;
  products: Map<string, Pm['PaymentProduct']>;
  decisions: Map<string, Pm['ComplianceDecision']>;
}

export interface SettlementRecord {
  ownerId: string;
  settlement: Pm['Settlement'];
  payout: Pm['PayoutStatus'];
  transactionCount: number;
  /** The transactions, in order; generated on first use for large settlements. */
  transactions: () => readonly Pm['SettlementTransaction'][];
  /** A generated settlement's transaction `index` (the same as `transactions()[index]`), made on its own. */
  transactionAt?: (index: number) => Pm['SettlementTransaction'];
  /** A fixed CSV report (the docs' sample, byte for byte); otherwise the CSV is rendered. */
  csv?: string;
}

export interface PortalAccessRecord {
  grantedBy: string;
  accountId: string;
  principal: string;
  roles: string[];
  expiresAt?: string;
  inactivityGracePeriod?: string;
}

export interface CardOrderRecord {
  ownerId: string;
  orderId: string;
  /** Order total in minor units, for a settlement without a promise. */
  amount: number;
  currency: string;
  activePromiseId?: string;
  settlementId?: string;
  /** Marked through the admin route: a cancellation of this order is then rejected (`CARD_IN_USE`). */
  cardInUse: boolean;
  cancellation?: {
    status: 'PENDING' | 'CANCELLED' | 'REJECTED';
    checkAfter: string;
    reasonCode?: 'CARD_IN_USE' | 'OTHER';
    reasonMessage?: string;
  };
}

export interface PromiseRecord {
  ownerId: string;
  promise: Mcs['promise_response'];
  invalidated: boolean;
}

/** A virtual card in clear. Only ever leaves the sandbox encrypted for an enrolled key. */
export interface PlainCard {
  reference: string;
  card_id: string;
  amount: number;
  currency: string;
  brand: string;
  holder: string;
  pan: string;
  cvv: string;
  expiry_date: string;
}

export interface CardSettlementRecord {
  ownerId: string;
  settlement_id: string;
  promise_id?: string;
  order_id: string;
  created_at: string;
  expires_at: string;
  cards: PlainCard[];
}

export interface EnrolledKey {
  ownerId: string;
  keyId: string;
  publicKeyPem: string;
  /** Kept only so that the sandbox's demo and tests can show the round trip; Klarna never has it. */
  privateKeyPem?: string;
}

export interface SandboxState {
  principals: Map<string, Principal>;
  /** Secret (as presented in `Authorization: Basic`) → principal id. */
  principalBySecret: Map<string, string>;
  credentials: Map<string, CredentialRecord>;
  accounts: Map<string, AccountRecord>;
  paymentProfiles: Pm['PaymentProfile'][];
  pricePlans: Map<string, Pm['PricePlan'] & { versions?: Pm['PricePlanVersion'][] }>;
  settlements: Map<string, SettlementRecord>;
  portalAccess: Map<string, PortalAccessRecord>;
  cardOrders: Map<string, CardOrderRecord>;
  promises: Map<string, PromiseRecord>;
  cardSettlements: Map<string, CardSettlementRecord>;
  enrolledKeys: Map<string, EnrolledKey>;
}

export function createEmptyState(): SandboxState {
  return {
    principals: new Map(),
    principalBySecret: new Map(),
    credentials: new Map(),
    accounts: new Map(),
    paymentProfiles: [],
    pricePlans: new Map(),
    settlements: new Map(),
    portalAccess: new Map(),
    cardOrders: new Map(),
    promises: new Map(),
    cardSettlements: new Map(),
    enrolledKeys: new Map(),
  };
}

export function emptyAccountRecord(ownerId: string, account: Pm['PartnerAccount']): AccountRecord {
  return {
    ownerId,
    account,
    entities: new Map(),
    brands: new Map(),
    storeGroups: new Map(),
    storeIdsByGroup: new Map(),
    stores: new Map(),
    products: new Map(),
    decisions: new Map(),
  };
}
