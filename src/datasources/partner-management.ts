/**
 * Klarna Partner Management API v2 client: the only code that knows its paths, query strings and field
 * names. Methods are named for the domain and typed by the contract's generated types.
 */
import type { Readable } from 'node:stream';
import type { components, operations } from '../contracts/partner-management.generated.ts';
import { RestClient } from './rest-client.ts';

export type PmSchemas = components['schemas'];
export type PartnerAccount = PmSchemas['PartnerAccount'];
export type PartnerBusinessEntity = PmSchemas['PartnerBusinessEntity'];
export type Brand = PmSchemas['Brand'];
export type Store = PmSchemas['Store'];
export type StoreGroup = PmSchemas['StoreGroup'];
export type PaymentProduct = PmSchemas['PaymentProduct'];
export type PaymentAccount = PmSchemas['PaymentAccount'];
export type ComplianceDecision = PmSchemas['ComplianceDecision'];
export type Credential = PmSchemas['Credential'];
export type PaymentProfile = PmSchemas['PaymentProfile'];
export type PricePlan = PmSchemas['PricePlan'];
export type PricePlanSummary = PmSchemas['PricePlanSummary'];
export type Settlement = PmSchemas['Settlement'];
export type SettlementTransaction = PmSchemas['SettlementTransaction'];
export type PayoutStatus = PmSchemas['PayoutStatus'];
export type Pagination = PmSchemas['Pagination'];

/** Sub-resources `GET /v2/accounts/{id}` can embed. */
export type AccountExpansion = 'partner_busines_entities' | 'products' | 'brands' | 'store_groups' | 'store_groups.stores';

/** One page request in Klarna's terms: `size` items after or before a cursor (never both). */
export interface PageRequest {
  size: number;
  startingAfter?: string;
  endingBefore?: string;
}

export interface Page<T> {
  items: T[];
  pagination: Pagination;
}

export type PricePlanFilters = Omit<NonNullable<operations['getPricePlan']['parameters']['query']>, 'size' | 'starting_after' | 'ending_before'>;

type CredentialKind = 'api-key' | 'client-identifier';

const pageQuery = (page: PageRequest) => ({
  size: page.size,
  starting_after: page.startingAfter,
  ending_before: page.endingBefore,
});

export class PartnerManagementClient extends RestClient {
  protected readonly apiName = 'Partner Management API';

  getAccount(accountId: string, expand: readonly AccountExpansion[] = []): Promise<PartnerAccount> {
    return this.request({
      operation: 'getAccount',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}`,
      query: { expand: expand.length ? [...expand].sort().join(',') : undefined },
    });
  }

  async listBusinessEntities(accountId: string, page: PageRequest): Promise<Page<PartnerBusinessEntity>> {
    const body = await this.request<PmSchemas['PartnerBusinessEntityList']>({
      operation: 'listPartnerBusinessEntities',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}/partner-business-entities`,
      query: pageQuery(page),
    });
    return { items: body.partner_business_entities, pagination: body.pagination };
  }

  getBusinessEntity(accountId: string, entityId: string): Promise<PartnerBusinessEntity> {
    return this.request({
      operation: 'getPartnerBusinessEntity',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}/partner-business-entities/${entityId}`,
    });
  }

  async listBrands(accountId: string, page: PageRequest): Promise<Page<Brand>> {
    const body = await this.request<PmSchemas['BrandList']>({
      operation: 'listBrands',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}/brands`,
      query: pageQuery(page),
    });
    return { items: body.brands, pagination: body.pagination };
  }

  getBrand(accountId: string, brandId: string): Promise<Brand> {
    return this.request({ operation: 'getBrand', method: 'GET', path: this.path`/v2/accounts/${accountId}/brands/${brandId}` });
  }

  async listStores(accountId: string, page: PageRequest): Promise<Page<Store>> {
    const body = await this.request<PmSchemas['StoreList']>({
      operation: 'listStores',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}/stores`,
      query: pageQuery(page),
    });
    return { items: body.stores, pagination: body.pagination };
  }

  getStore(accountId: string, storeId: string): Promise<Store> {
    return this.request({ operation: 'getStore', method: 'GET', path: this.path`/v2/accounts/${accountId}/stores/${storeId}` });
  }

  async listStoreGroups(accountId: string, page: PageRequest): Promise<Page<StoreGroup>> {
    const body = await this.request<PmSchemas['StoreGroupList']>({
      operation: 'listStoreGroups',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}/store-groups`,
      query: pageQuery(page),
    });
    return { items: body.store_groups, pagination: body.pagination };
  }

  getStoreGroup(accountId: string, storeGroupId: string): Promise<StoreGroup> {
    return this.request({
      operation: 'getStoreGroup',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}/store-groups/${storeGroupId}`,
    });
  }

  listPaymentProducts(accountId: string): Promise<PaymentProduct[]> {
    return this.request({
      operation: 'listPaymentProducts',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}/products/payment`,
    });
  }

  getPaymentAccount(accountId: string, productId: string, paymentAccountId: string): Promise<PaymentAccount> {
    return this.request({
      operation: 'getPaymentAccount',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}/products/payment/${productId}/payment-accounts/${paymentAccountId}`,
    });
  }

  async listComplianceDecisions(accountId: string, page: PageRequest): Promise<Page<ComplianceDecision>> {
    const body = await this.request<PmSchemas['ComplianceDecisionList']>({
      operation: 'listComplianceDecisions',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}/compliance/decisions`,
      query: pageQuery(page),
    });
    return { items: body.decisions, pagination: body.pagination };
  }

  getComplianceDecision(accountId: string, decisionId: string): Promise<ComplianceDecision> {
    return this.request({
      operation: 'getComplianceDecision',
      method: 'GET',
      path: this.path`/v2/accounts/${accountId}/compliance/decisions/${decisionId}`,
    });
  }

  async listCredentials(kind: CredentialKind): Promise<Credential[]> {
    const body = await this.request<PmSchemas['CredentialList']>({
      operation: kind === 'api-key' ? 'listApiKeys' : 'listClientIdentifiers',
      method: 'GET',
      path: `/v2/account/integration/credentials/${kind}`,
    });
    return body.credentials;
  }

  /** A credential by id; its kind is read from the id (`...:credential:api:...` or `...:credential:client:...`). */
  getCredential(credentialId: string): Promise<Credential> {
    const kind: CredentialKind = /:credential:client:/.test(credentialId) ? 'client-identifier' : 'api-key';
    return this.request({
      operation: kind === 'api-key' ? 'getApiKey' : 'getClientIdentifier',
      method: 'GET',
      path: `/v2/account/integration/credentials/${kind}/${encodeURIComponent(credentialId)}`,
    });
  }

  listPaymentProfiles(): Promise<PaymentProfile[]> {
    return this.request({ operation: 'listPaymentProfiles', method: 'GET', path: '/v2/distribution/products/payment/profiles' });
  }

  listPricePlans(): Promise<PricePlanSummary[]> {
    return this.request({ operation: 'listPricePlans', method: 'GET', path: '/v2/distribution/products/payment/price-plans' });
  }

  getPricePlan(pricePlanId: string, filters: PricePlanFilters, page?: PageRequest): Promise<PricePlan> {
    return this.request({
      operation: 'getPricePlan',
      method: 'GET',
      path: this.path`/v2/distribution/products/payment/price-plans/${pricePlanId}`,
      query: { ...filters, ...(page ? pageQuery(page) : {}) },
    });
  }

  getSettlement(settlementId: string): Promise<Settlement> {
    return this.request({ operation: 'getSettlement', method: 'GET', path: this.path`/v2/settlements/${settlementId}` });
  }

  async listSettlementTransactions(settlementId: string, page: PageRequest): Promise<Page<SettlementTransaction>> {
    const body = await this.request<PmSchemas['SettlementTransactionList']>({
      operation: 'listSettlementTransactions',
      method: 'GET',
      path: this.path`/v2/settlements/${settlementId}/transactions`,
      query: pageQuery(page),
    });
    return { items: body.transactions, pagination: body.pagination };
  }

  getPayoutStatus(settlementId: string): Promise<PayoutStatus> {
    return this.request({ operation: 'getPayoutStatus', method: 'GET', path: this.path`/v2/settlements/${settlementId}/payouts/status` });
  }

  /** The settlement's CSV report as a byte stream; the caller parses it as it arrives. */
  async streamSettlementCsv(settlementId: string): Promise<Readable> {
    const response = await this.send({
      operation: 'getSettlementCsv',
      method: 'GET',
      path: this.path`/v2/settlements/${settlementId}/csv`,
      headers: { accept: 'text/csv' },
    });
    return response.body;
  }
}
