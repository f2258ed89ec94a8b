/**
 * The per-request loaders: made fresh for every GraphQL request (and every subscription event), bound
 * to that request's datasources, so nothing loaded for one principal is ever served to another.
 */
import type { MerchantCardServiceClient } from '../datasources/merchant-card-service.ts';
import type { PageRequest, PartnerManagementClient, PricePlanFilters } from '../datasources/partner-management.ts';
import type { BackgroundDownload, ReportIndexes } from '../datasources/report-index.ts';
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
  /** Where settlement reports' rows start, per principal and report (absent: every read from the start). */
  reportIndexes?: ReportIndexes;
  /** A client with the caller's credentials bound to `signal` only (not this request): for background indexing of reports. */
  backgroundPm?: (signal: AbortSignal) => PartnerManagementClient;
}

/** How the background indexing of a report downloads it (none without a background client). */
function backgroundDownload(deps: LoaderDependencies, settlementId: string): BackgroundDownload | undefined {
  const { backgroundPm } = deps;
  return backgroundPm && ((signal) => (from) => backgroundPm(signal).streamSettlementCsv(settlementId, from));
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

/**
 * How each loader is made, once for the process. A request makes only the loaders its operation uses,
 * on first use (`createLoaders`): most operations touch two or three of these.
 */
const FACTORIES = {
  account: (deps: LoaderDependencies) => createAccountLoader(deps.pm),
  businessEntityPage: (deps: LoaderDependencies) => keyedLoader(({ accountId, page }: AccountPageKey) => deps.pm.listBusinessEntities(accountId, page)),
  businessEntity: (deps: LoaderDependencies) => keyedLoader(({ accountId, id }: AccountItemKey) => deps.pm.getBusinessEntity(accountId, id)),
  brandPage: (deps: LoaderDependencies) => keyedLoader(({ accountId, page }: AccountPageKey) => deps.pm.listBrands(accountId, page)),
  brand: (deps: LoaderDependencies) => keyedLoader(({ accountId, id }: AccountItemKey) => deps.pm.getBrand(accountId, id)),
  storePage: (deps: LoaderDependencies) => keyedLoader(({ accountId, page }: AccountPageKey) => deps.pm.listStores(accountId, page)),
  store: (deps: LoaderDependencies) => keyedLoader(({ accountId, id }: AccountItemKey) => deps.pm.getStore(accountId, id)),
  storeGroupPage: (deps: LoaderDependencies) => keyedLoader(({ accountId, page }: AccountPageKey) => deps.pm.listStoreGroups(accountId, page)),
  storeGroup: (deps: LoaderDependencies) => keyedLoader(({ accountId, id }: AccountItemKey) => deps.pm.getStoreGroup(accountId, id)),
  paymentProducts: (deps: LoaderDependencies) => keyedLoader((accountId: string) => deps.pm.listPaymentProducts(accountId), (id) => id),
  paymentAccount: (deps: LoaderDependencies) => keyedLoader(({ accountId, productId, id }: AccountItemKey & { productId: string }) =>
    deps.pm.getPaymentAccount(accountId, productId, id),
  ),
  complianceDecisionPage: (deps: LoaderDependencies) => keyedLoader(({ accountId, page }: AccountPageKey) => deps.pm.listComplianceDecisions(accountId, page)),
  complianceDecision: (deps: LoaderDependencies) => keyedLoader(({ accountId, id }: AccountItemKey) => deps.pm.getComplianceDecision(accountId, id)),
  credentials: (deps: LoaderDependencies) => keyedLoader((kind: 'api-key' | 'client-identifier') => deps.pm.listCredentials(kind), (kind) => kind),
  credential: (deps: LoaderDependencies) => keyedLoader((id: string) => deps.pm.getCredential(id), (id) => id),
  paymentProfiles: (deps: LoaderDependencies) => keyedLoader(
    () => deps.referenceCache.get(deps.principalHash, 'paymentProfiles', () => deps.pm.listPaymentProfiles()),
    () => 'all',
  ),
  pricePlans: (deps: LoaderDependencies) => keyedLoader(() => deps.referenceCache.get(deps.principalHash, 'pricePlans', () => deps.pm.listPricePlans()), () => 'all'),
  pricePlan: (deps: LoaderDependencies) => keyedLoader(({ id, filters, page }: { id: string; filters: PricePlanFilters; page?: PageRequest }) =>
    deps.referenceCache.get(deps.principalHash, `pricePlan:${JSON.stringify([id, filters, page])}`, () => deps.pm.getPricePlan(id, filters, page)),
  ),
  settlement: (deps: LoaderDependencies) => keyedLoader((id: string) => deps.pm.getSettlement(id), (id) => id),
  payoutStatus: (deps: LoaderDependencies) => keyedLoader((settlementId: string) => deps.pm.getPayoutStatus(settlementId), (id) => id),
  settlementTransactionPage: (deps: LoaderDependencies) => keyedLoader(({ settlementId, page }: { settlementId: string; page: PageRequest }) =>
    deps.pm.listSettlementTransactions(settlementId, page),
  ),
  /** A window of the CSV report, parsed while it streams; the download stops once the window is read. */
  settlementReport: (deps: LoaderDependencies) => keyedLoader(({ settlementId, window }: { settlementId: string; window: ReportWindow }) =>
    readSettlementReport(
      {
        download: (from) => deps.pm.streamSettlementCsv(settlementId, from),
        explain: (error) => deps.pm.explainStreamError(error),
        ...(deps.reportIndexes ? { index: deps.reportIndexes.slot(deps.principalHash, settlementId, backgroundDownload(deps, settlementId)) } : {}),
      },
      window,
    ),
  ),
  cardPromise: (deps: LoaderDependencies) => keyedLoader((id: string) => deps.mcs.getPromise(id), (id) => id),
  cardSettlement: (deps: LoaderDependencies) => keyedLoader(({ id, keyId }: { id: string; keyId: string }) => deps.mcs.getSettlement(id, keyId)),
  cardSettlementByOrder: (deps: LoaderDependencies) => keyedLoader(({ orderId, keyId }: { orderId: string; keyId: string }) => deps.mcs.getSettlementByOrder(orderId, keyId)),
  orderCancellation: (deps: LoaderDependencies) => keyedLoader((orderId: string) => deps.mcs.getOrderCancellation(orderId), (id) => id),
};

export type Loaders = { readonly [Name in keyof typeof FACTORIES]: ReturnType<(typeof FACTORIES)[Name]> };

/** One request's loaders: each made on first use from that request's datasources, then kept for the request. */
class RequestLoaders {
  readonly made: Partial<Record<keyof Loaders, unknown>> = {};
  constructor(readonly dependencies: LoaderDependencies) {}
}
for (const name of Object.keys(FACTORIES) as (keyof Loaders)[]) {
  Object.defineProperty(RequestLoaders.prototype, name, {
    get(this: RequestLoaders) {
      return (this.made[name] ??= FACTORIES[name](this.dependencies));
    },
  });
}

export function createLoaders(dependencies: LoaderDependencies): Loaders {
  return new RequestLoaders(dependencies) as unknown as Loaders;
}
