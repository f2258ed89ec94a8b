/**
 * The per-request loaders: made fresh for every GraphQL request (and every subscription event), bound
 * to that request's datasources, so nothing loaded for one principal is ever served to another.
 */
import type { MerchantCardServiceClient } from '../datasources/merchant-card-service.ts';
import type { PageRequest, PartnerManagementClient, PricePlanFilters } from '../datasources/partner-management.ts';
import { readSettlementReport, type ReportWindow } from '../datasources/settlement-report.ts';
import { createAccountLoader } from './account-loader.ts';
import { keyedLoader } from './keyed-loader.ts';
import type { ReferenceCache } from './reference-cache.ts';

export interface LoaderDependencies {
  pm: PartnerManagementClient;
  mcs: MerchantCardServiceClient;
  referenceCache: ReferenceCache;
  /** Hash of the caller's credentials: the key of anything cached beyond this request. */
  principalHash: string;
}

/** A page of an account's sub-resource list. */
export interface AccountPageKey {
  accountId: string;
  page: PageRequest;
}

/** A sub-resource of an account by its own id. */
export interface AccountItemKey {
  accountId: string;
  id: string;
}

export function createLoaders({ pm, mcs, referenceCache, principalHash }: LoaderDependencies) {
  return {
    account: createAccountLoader(pm),
    businessEntityPage: keyedLoader(({ accountId, page }: AccountPageKey) => pm.listBusinessEntities(accountId, page)),
    businessEntity: keyedLoader(({ accountId, id }: AccountItemKey) => pm.getBusinessEntity(accountId, id)),
    brandPage: keyedLoader(({ accountId, page }: AccountPageKey) => pm.listBrands(accountId, page)),
    brand: keyedLoader(({ accountId, id }: AccountItemKey) => pm.getBrand(accountId, id)),
    storePage: keyedLoader(({ accountId, page }: AccountPageKey) => pm.listStores(accountId, page)),
    store: keyedLoader(({ accountId, id }: AccountItemKey) => pm.getStore(accountId, id)),
    storeGroupPage: keyedLoader(({ accountId, page }: AccountPageKey) => pm.listStoreGroups(accountId, page)),
    storeGroup: keyedLoader(({ accountId, id }: AccountItemKey) => pm.getStoreGroup(accountId, id)),
    paymentProducts: keyedLoader((accountId: string) => pm.listPaymentProducts(accountId), (id) => id),
    paymentAccount: keyedLoader(({ accountId, productId, id }: AccountItemKey & { productId: string }) =>
      pm.getPaymentAccount(accountId, productId, id),
    ),
    complianceDecisionPage: keyedLoader(({ accountId, page }: AccountPageKey) => pm.listComplianceDecisions(accountId, page)),
    complianceDecision: keyedLoader(({ accountId, id }: AccountItemKey) => pm.getComplianceDecision(accountId, id)),
    credentials: keyedLoader((kind: 'api-key' | 'client-identifier') => pm.listCredentials(kind), (kind) => kind),
    credential: keyedLoader((id: string) => pm.getCredential(id), (id) => id),
    paymentProfiles: keyedLoader(
      () => referenceCache.get(principalHash, 'paymentProfiles', () => pm.listPaymentProfiles()),
      () => 'all',
    ),
    pricePlans: keyedLoader(() => referenceCache.get(principalHash, 'pricePlans', () => pm.listPricePlans()), () => 'all'),
    pricePlan: keyedLoader(({ id, filters, page }: { id: string; filters: PricePlanFilters; page?: PageRequest }) =>
      referenceCache.get(principalHash, `pricePlan:${JSON.stringify([id, filters, page])}`, () => pm.getPricePlan(id, filters, page)),
    ),
    settlement: keyedLoader((id: string) => pm.getSettlement(id), (id) => id),
    payoutStatus: keyedLoader((settlementId: string) => pm.getPayoutStatus(settlementId), (id) => id),
    settlementTransactionPage: keyedLoader(({ settlementId, page }: { settlementId: string; page: PageRequest }) =>
      pm.listSettlementTransactions(settlementId, page),
    ),
    /** A window of the CSV report, parsed while it streams; the download stops once the window is read. */
    settlementReport: keyedLoader(async ({ settlementId, window }: { settlementId: string; window: ReportWindow }) =>
      readSettlementReport(await pm.streamSettlementCsv(settlementId), window),
    ),
    cardPromise: keyedLoader((id: string) => mcs.getPromise(id), (id) => id),
    cardSettlement: keyedLoader(({ id, keyId }: { id: string; keyId: string }) => mcs.getSettlement(id, keyId)),
    cardSettlementByOrder: keyedLoader(({ orderId, keyId }: { orderId: string; keyId: string }) => mcs.getSettlementByOrder(orderId, keyId)),
    orderCancellation: keyedLoader((orderId: string) => mcs.getOrderCancellation(orderId), (id) => id),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
