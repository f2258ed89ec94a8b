/**
 * Klarna Partner Management API v2 client: the only code that knows its paths, query strings and field
 * names. Methods are named for the domain and typed by the contract's generated types.
 */
import type { Readable } from 'node:stream';
import type { components, operations, paths } from '../contracts/partner-management.generated.ts';
import { GatewayError, UpstreamInvalidResponseError, UpstreamUnavailableError } from '../errors.ts';
import { accountUpdateBody, brand, businessData, onboardingBody, store, storeGroup } from './partner-management-bodies.ts';
import { pathOf, type PathParameters } from './request-path.ts';
import { RestClient } from './rest-client.ts';
import type { AccountUpdateInput, BrandInput, BusinessDataInput, OnboardingInput, StoreGroupInput, StoreInput } from './write-inputs.ts';

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
export type PartnerAccountSummary = PmSchemas['PartnerAccountSummary'];

/**
 * The sub-resources `GET /v2/accounts/{id}` can embed, by what they are, as Klarna's `expand` spells them
 * (`partner_busines_entities` is spelled so in Klarna's reference). Callers name an expansion through
 * this map, never by its upstream spelling.
 */
export const ACCOUNT_EXPANSIONS = {
  businessEntities: 'partner_busines_entities',
  products: 'products',
  brands: 'brands',
  storeGroups: 'store_groups',
  /** Store groups with each group's stores inside. */
  storeGroupsWithStores: 'store_groups.stores',
} as const satisfies Record<string, NonNullable<NonNullable<operations['getAccount']['parameters']['query']>['expand']>[number]>;

export type AccountExpansion = (typeof ACCOUNT_EXPANSIONS)[keyof typeof ACCOUNT_EXPANSIONS];

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

/** Which credential collection an id belongs to. */
const credentialKind = (credentialId: string): CredentialKind => (/:credential:client:/.test(credentialId) ? 'client-identifier' : 'api-key');

/** A request path from one of the contract's path templates (the compiler takes no other), see `pathOf`. */
const pmPath = <Template extends keyof paths & string>(template: Template, parameters: PathParameters<Template>) => pathOf(template, parameters);

const credentialsPath = (kind: CredentialKind) =>
  kind === 'api-key' ? pmPath('/v2/account/integration/credentials/api-key', {}) : pmPath('/v2/account/integration/credentials/client-identifier', {});

const credentialPath = (credentialId: string) =>
  credentialKind(credentialId) === 'api-key'
    ? pmPath('/v2/account/integration/credentials/api-key/{credential_id}', { credential_id: credentialId })
    : pmPath('/v2/account/integration/credentials/client-identifier/{credential_id}', { credential_id: credentialId });

const pageQuery = (page: PageRequest) => ({
  size: page.size,
  starting_after: page.startingAfter,
  ending_before: page.endingBefore,
});

/** How errors name this API to the caller. */
export const PARTNER_MANAGEMENT_API = 'Partner Management API';

/** A download of the settlement report (`streamSettlementCsv`). */
export interface ReportDownload {
  body: Readable;
  /** Where in the report `body` starts (0: the whole report). */
  offset: number;
  /** Klarna said it serves byte ranges of it (`Accept-Ranges: bytes`). */
  acceptsRanges: boolean;
  /** Its strong validator (`ETag`), if Klarna sent one. */
  etag?: string;
}

export class PartnerManagementClient extends RestClient {
  protected readonly apiName = PARTNER_MANAGEMENT_API;

  /** `/v2/accounts/{id}` and everything under it is about that account. */
  protected override accountOf(path: string): string | undefined {
    const segment = /^\/v2\/accounts\/([^/?]+)/.exec(path)?.[1];
    return segment === undefined ? undefined : decodeURIComponent(segment);
  }

  getAccount(accountId: string, expand: readonly AccountExpansion[] = []): Promise<PartnerAccount> {
    return this.request({
      operation: 'getAccount',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}', { partner_account_id: accountId }),
      query: { expand: expand.length ? [...expand].sort().join(',') : undefined },
    });
  }

  async listBusinessEntities(accountId: string, page: PageRequest): Promise<Page<PartnerBusinessEntity>> {
    const body = await this.request<PmSchemas['PartnerBusinessEntityList']>({
      operation: 'listPartnerBusinessEntities',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/partner-business-entities', { partner_account_id: accountId }),
      query: pageQuery(page),
    });
    return { items: body.partner_business_entities, pagination: body.pagination };
  }

  getBusinessEntity(accountId: string, entityId: string): Promise<PartnerBusinessEntity> {
    return this.request({
      operation: 'getPartnerBusinessEntity',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/partner-business-entities/{partner_business_entity_id}', {
        partner_account_id: accountId,
        partner_business_entity_id: entityId,
      }),
    });
  }

  async listBrands(accountId: string, page: PageRequest): Promise<Page<Brand>> {
    const body = await this.request<PmSchemas['BrandList']>({
      operation: 'listBrands',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/brands', { partner_account_id: accountId }),
      query: pageQuery(page),
    });
    return { items: body.brands, pagination: body.pagination };
  }

  getBrand(accountId: string, brandId: string): Promise<Brand> {
    return this.request({
      operation: 'getBrand',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/brands/{brand_id}', { partner_account_id: accountId, brand_id: brandId }),
    });
  }

  async listStores(accountId: string, page: PageRequest): Promise<Page<Store>> {
    const body = await this.request<PmSchemas['StoreList']>({
      operation: 'listStores',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/stores', { partner_account_id: accountId }),
      query: pageQuery(page),
    });
    return { items: body.stores, pagination: body.pagination };
  }

  getStore(accountId: string, storeId: string): Promise<Store> {
    return this.request({
      operation: 'getStore',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/stores/{store_id}', { partner_account_id: accountId, store_id: storeId }),
    });
  }

  async listStoreGroups(accountId: string, page: PageRequest): Promise<Page<StoreGroup>> {
    const body = await this.request<PmSchemas['StoreGroupList']>({
      operation: 'listStoreGroups',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/store-groups', { partner_account_id: accountId }),
      query: pageQuery(page),
    });
    return { items: body.store_groups, pagination: body.pagination };
  }

  getStoreGroup(accountId: string, storeGroupId: string): Promise<StoreGroup> {
    return this.request({
      operation: 'getStoreGroup',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/store-groups/{store_group_id}', { partner_account_id: accountId, store_group_id: storeGroupId }),
    });
  }

  listPaymentProducts(accountId: string): Promise<PaymentProduct[]> {
    return this.request({
      operation: 'listPaymentProducts',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/products/payment', { partner_account_id: accountId }),
    });
  }

  getPaymentAccount(accountId: string, productId: string, paymentAccountId: string): Promise<PaymentAccount> {
    return this.request({
      operation: 'getPaymentAccount',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/products/payment/{product_id}/payment-accounts/{payment_account_id}', {
        partner_account_id: accountId,
        product_id: productId,
        payment_account_id: paymentAccountId,
      }),
    });
  }

  async listComplianceDecisions(accountId: string, page: PageRequest): Promise<Page<ComplianceDecision>> {
    const body = await this.request<PmSchemas['ComplianceDecisionList']>({
      operation: 'listComplianceDecisions',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/compliance/decisions', { partner_account_id: accountId }),
      query: pageQuery(page),
    });
    return { items: body.decisions, pagination: body.pagination };
  }

  getComplianceDecision(accountId: string, decisionId: string): Promise<ComplianceDecision> {
    return this.request({
      operation: 'getComplianceDecision',
      method: 'GET',
      path: pmPath('/v2/accounts/{partner_account_id}/compliance/decisions/{decision_id}', { partner_account_id: accountId, decision_id: decisionId }),
    });
  }

  async listCredentials(kind: CredentialKind): Promise<Credential[]> {
    const body = await this.request<PmSchemas['CredentialList']>({
      operation: kind === 'api-key' ? 'listApiKeys' : 'listClientIdentifiers',
      method: 'GET',
      path: credentialsPath(kind),
    });
    return body.credentials;
  }

  /** A credential by id; its kind is read from the id (`...:credential:api:...` or `...:credential:client:...`). */
  getCredential(credentialId: string): Promise<Credential> {
    const kind = credentialKind(credentialId);
    return this.request({
      operation: kind === 'api-key' ? 'getApiKey' : 'getClientIdentifier',
      method: 'GET',
      path: credentialPath(credentialId),
    });
  }

  listPaymentProfiles(): Promise<PaymentProfile[]> {
    return this.request({ operation: 'listPaymentProfiles', method: 'GET', path: pmPath('/v2/distribution/products/payment/profiles', {}) });
  }

  listPricePlans(): Promise<PricePlanSummary[]> {
    return this.request({ operation: 'listPricePlans', method: 'GET', path: pmPath('/v2/distribution/products/payment/price-plans', {}) });
  }

  getPricePlan(pricePlanId: string, filters: PricePlanFilters, page?: PageRequest): Promise<PricePlan> {
    return this.request({
      operation: 'getPricePlan',
      method: 'GET',
      path: pmPath('/v2/distribution/products/payment/price-plans/{price_plan_id}', { price_plan_id: pricePlanId }),
      query: { ...filters, ...(page ? pageQuery(page) : {}) },
    });
  }

  getSettlement(settlementId: string): Promise<Settlement> {
    return this.request({ operation: 'getSettlement', method: 'GET', path: pmPath('/v2/settlements/{settlement_id}', { settlement_id: settlementId }) });
  }

  async listSettlementTransactions(settlementId: string, page: PageRequest): Promise<Page<SettlementTransaction>> {
    const body = await this.request<PmSchemas['SettlementTransactionList']>({
      operation: 'listSettlementTransactions',
      method: 'GET',
      path: pmPath('/v2/settlements/{settlement_id}/transactions', { settlement_id: settlementId }),
      query: pageQuery(page),
    });
    return { items: body.transactions, pagination: body.pagination };
  }

  getPayoutStatus(settlementId: string): Promise<PayoutStatus> {
    return this.request({
      operation: 'getPayoutStatus',
      method: 'GET',
      path: pmPath('/v2/settlements/{settlement_id}/payouts/status', { settlement_id: settlementId }),
    });
  }

  /** The settlement's CSV report as a byte stream; the caller parses it as it arrives. */
  /**
   * The gateway's error for a failure while a streamed body (`streamSettlementCsv`) is read: the
   * operation's deadline is OPERATION_TIMEOUT, anything else Klarna being unavailable.
   */
  explainStreamError(error: unknown): Error {
    const explained = this.context.budget ? this.context.budget.explain(error) : error;
    return explained instanceof GatewayError ? explained : new UpstreamUnavailableError(this.apiName);
  }

  /**
   * The settlement report's download: whole, or (`from`) from a byte offset, asked for with
   * `Range: bytes=<offset>-` and `If-Range` (the validator of the text the offset was measured in).
   * The answer says where its body starts: the offset asked for when Klarna answered 206 from it, else 0
   * (the whole report: Klarna ignored the range, or the report is another text now).
   */
  async streamSettlementCsv(settlementId: string, from?: { offset: number; etag?: string }): Promise<ReportDownload> {
    const response = await this.send({
      operation: 'getSettlementCsv',
      method: 'GET',
      path: pmPath('/v2/settlements/{settlement_id}/csv', { settlement_id: settlementId }),
      headers: { accept: 'text/csv', ...(from ? { range: `bytes=${from.offset}-`, ...(from.etag ? { 'if-range': from.etag } : {}) } : {}) },
    });
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    let offset = 0;
    if (response.status === 206) {
      const range = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header('content-range')?.trim() ?? '');
      if (!from || !range || Number(range[1]) !== from.offset) {
        response.body.destroy();
        throw new UpstreamInvalidResponseError(this.apiName);
      }
      offset = from.offset;
    }
    const etag = header('etag');
    return {
      body: response.body,
      offset,
      acceptsRanges: /\bbytes\b/i.test(header('accept-ranges') ?? ''),
      // A strong validator of the usual shape only (a weak one may not be sent in If-Range).
      ...(etag && /^"[\x21\x23-\x7e]{1,200}"$/.test(etag) ? { etag } : {}),
    };
  }

  // Writes. Every write carries the caller's idempotency key, so the HTTP layer may resend it after a
  // failure in transit (Klarna applies a key once and replays its first answer for 24 hours).

  onboard(input: OnboardingInput, idempotencyKey: string, migrate = false): Promise<PartnerAccountSummary> {
    return this.request({
      operation: migrate ? 'migratePartner' : 'onboardPartner',
      method: 'POST',
      path: migrate ? pmPath('/v2/distribution/migrate', {}) : pmPath('/v2/distribution/onboard', {}),
      body: onboardingBody(input),
      idempotencyKey,
    });
  }

  updateAccount(accountId: string, input: AccountUpdateInput, idempotencyKey: string): Promise<PartnerAccountSummary> {
    return this.request({
      operation: 'updateAccount',
      method: 'PATCH',
      path: pmPath('/v2/accounts/{partner_account_id}', { partner_account_id: accountId }),
      body: accountUpdateBody(input),
      idempotencyKey,
    });
  }

  updateBusinessEntity(accountId: string, entityId: string, input: BusinessDataInput, idempotencyKey: string): Promise<PartnerBusinessEntity> {
    return this.request({
      operation: 'updatePartnerBusinessEntity',
      method: 'PATCH',
      path: pmPath('/v2/accounts/{partner_account_id}/partner-business-entities/{partner_business_entity_id}', {
        partner_account_id: accountId,
        partner_business_entity_id: entityId,
      }),
      body: { supplementary_business_data: businessData(input) },
      idempotencyKey,
    });
  }

  updateBrand(accountId: string, brandId: string, input: BrandInput, idempotencyKey: string): Promise<Brand> {
    return this.request({
      operation: 'updateBrand',
      method: 'PATCH',
      path: pmPath('/v2/accounts/{partner_account_id}/brands/{brand_id}', { partner_account_id: accountId, brand_id: brandId }),
      body: brand(input),
      idempotencyKey,
    });
  }

  updateStore(accountId: string, storeId: string, input: StoreInput, idempotencyKey: string): Promise<Store> {
    return this.request({
      operation: 'updateStore',
      method: 'PATCH',
      path: pmPath('/v2/accounts/{partner_account_id}/stores/{store_id}', { partner_account_id: accountId, store_id: storeId }),
      body: store(input),
      idempotencyKey,
    });
  }

  updateStoreGroup(accountId: string, storeGroupId: string, input: StoreGroupInput, idempotencyKey: string): Promise<StoreGroup> {
    const { brand_reference: _brand, ...body } = storeGroup(input);
    return this.request({
      operation: 'updateStoreGroup',
      method: 'PATCH',
      path: pmPath('/v2/accounts/{partner_account_id}/store-groups/{store_group_id}', { partner_account_id: accountId, store_group_id: storeGroupId }),
      body,
      idempotencyKey,
    });
  }

  updatePaymentAccount(
    accountId: string,
    productId: string,
    paymentAccountId: string,
    input: { reference?: string | null; defaultMerchantCategoryCode?: string | null },
    idempotencyKey: string,
  ): Promise<PaymentAccount> {
    const body: PmSchemas['PaymentAccountUpdateRequest'] = {};
    if (input.reference) body.payment_account_reference = input.reference;
    if (input.defaultMerchantCategoryCode) body.default_merchant_category_code = input.defaultMerchantCategoryCode as PmSchemas['MerchantCategoryCode'];
    return this.request({
      operation: 'updatePaymentAccount',
      method: 'PATCH',
      path: pmPath('/v2/accounts/{partner_account_id}/products/payment/{product_id}/payment-accounts/{payment_account_id}', {
        partner_account_id: accountId,
        product_id: productId,
        payment_account_id: paymentAccountId,
      }),
      body,
      idempotencyKey,
    });
  }

  setPaymentProductState(
    accountId: string,
    productId: string,
    change: { enable: true } | { enable: false; reason: 'FRAUD' | 'VOLUNTARY'; reasonDetails: string },
    idempotencyKey: string,
  ): Promise<PaymentProduct> {
    return this.request({
      operation: change.enable ? 'enablePaymentProduct' : 'disablePaymentProduct',
      method: 'POST',
      path: change.enable
        ? pmPath('/v2/accounts/{partner_account_id}/products/payment/{product_id}/enable', { partner_account_id: accountId, product_id: productId })
        : pmPath('/v2/accounts/{partner_account_id}/products/payment/{product_id}/disable', { partner_account_id: accountId, product_id: productId }),
      ...(change.enable ? {} : { body: { reason: change.reason, reason_details: change.reasonDetails } }),
      idempotencyKey,
    });
  }

  createCredential(kind: CredentialKind, description: string | undefined, idempotencyKey: string): Promise<Credential> {
    return this.request({
      operation: kind === 'api-key' ? 'createApiKey' : 'createClientIdentifier',
      method: 'POST',
      path: credentialsPath(kind),
      body: description === undefined ? {} : { description },
      idempotencyKey,
    });
  }

  updateCredential(credentialId: string, description: string, idempotencyKey: string): Promise<Credential> {
    const kind = credentialKind(credentialId);
    return this.request({
      operation: kind === 'api-key' ? 'updateApiKey' : 'updateClientIdentifier',
      method: 'PATCH',
      path: credentialPath(credentialId),
      body: { description },
      idempotencyKey,
    });
  }

  async disableCredential(credentialId: string, idempotencyKey: string): Promise<void> {
    const kind = credentialKind(credentialId);
    if (kind === 'api-key') this.context.credentialRevoked?.(credentialId);
    const response = await this.send({
      operation: kind === 'api-key' ? 'disableApiKey' : 'disableClientIdentifier',
      method: 'DELETE',
      path: credentialPath(credentialId),
      idempotencyKey,
    });
    await response.body.dump();
  }

  revokeClientCertificate(credentialId: string, revokedFrom: string, idempotencyKey: string): Promise<Credential> {
    this.context.credentialRevoked?.(credentialId);
    return this.request({
      operation: 'revokeClientCertificate',
      method: 'POST',
      path: pmPath('/v2/account/integration/credentials/client-certificate/{credential_id}/revoke', { credential_id: credentialId }),
      body: { revoked_from: revokedFrom },
      idempotencyKey,
    });
  }

  /** Grants portal access as the signed JWT says; `CREATED` for a new user access, `UPDATED` otherwise. */
  async grantPortalAccess(jwt: string, idempotencyKey: string): Promise<'CREATED' | 'UPDATED'> {
    const response = await this.send({
      operation: 'grantPortalUserAccess',
      method: 'POST',
      path: pmPath('/v2/portal/user-access', {}),
      body: { jwt },
      idempotencyKey,
    });
    await response.body.dump();
    return response.status === 201 ? 'CREATED' : 'UPDATED';
  }

  async revokePortalAccess(filter: { accountId?: string | null; principal?: string | null }, idempotencyKey: string): Promise<void> {
    const response = await this.send({
      operation: 'revokePortalUserAccess',
      method: 'DELETE',
      path: pmPath('/v2/portal/user-access', {}),
      query: { partner_account_id: filter.accountId ?? undefined, principal: filter.principal ?? undefined },
      idempotencyKey,
    });
    await response.body.dump();
  }
}
