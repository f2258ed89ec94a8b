/**
 * What each field costs upstream, for the call planner (`plan/calls.ts`, whose contract applies): one
 * entry per field whose resolver calls Klarna or decides what the resolvers below it will find,
 * mirroring that resolver and keyed by the loader it uses. A field not listed costs nothing and hands
 * its parent's value down (connections, edges, plain objects). Change an entry with its resolver;
 * `test/gateway/planned-cost.test.ts` compares plans with the calls the sandbox counted.
 *
 * What Klarna's answers carry decides some costs, as its contract (and the sandbox) has them:
 * - `getAccount` answers carry the owner's contact and the payment products, whatever `expand` says;
 *   `updateAccount` answers the contact, onboarding and migration neither;
 * - store groups arrive with their stores inline from their own list and read, and from an account
 *   only with `expand=store_groups.stores`.
 */
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { isObjectType, type DocumentNode, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { ACCOUNT_EXPANSIONS, type AccountExpansion } from '../datasources/partner-management.ts';
import { MAX_ACCOUNTS_PER_QUERY, planAccountRead } from './account-loading.ts';
import { ID_RULES, assertId } from './ids.ts';
import { pageRequestFrom } from './connections.ts';
import { planOperation, type CallRecorder, type CostPlan, type FieldCost, type PlannedField, type PlannedValue } from './plan/calls.ts';
import type { ConnectionArguments } from './plan/window.ts';
import { planSettlementRead } from './settlement-loading.ts';
import { reportOf, reportWindow } from './settlement-report-plan.ts';
import { planTransactionPage } from './settlement-transactions.ts';
import { decodeGlobalId, NODE_KEYS, nodeKeyParts, type NodeType } from './global-ids.ts';

/** Whether `check` accepts the input (a resolver that refuses it makes no call). */
function accepted(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/** `account(id:)` and each id of `accounts(ids:)`: one `getAccount` with the selection's `expand`, and the lists it starts. */
function readAccount(id: string, field: PlannedField, calls: CallRecorder): PlannedValue | null {
  if (!accepted(() => assertId(ID_RULES.account, id, 'id'))) return null;
  // Bad paging arguments are left out of the plan, not thrown (each connection refuses itself).
  const plan = planAccountRead(field.selected());
  calls.foldedCall('account', id, plan.expand);
  for (const page of plan.decisionPages) calls.call('complianceDecisionPage', { accountId: id, page });
  for (const page of plan.storePages) calls.call('storePage', { accountId: id, page });
  return { accountId: id, accountSource: 'read' };
}

/** The settlement and every call `loadSettlement` starts with it. */
function readSettlement(id: string, field: PlannedField, calls: CallRecorder): PlannedValue | null {
  if (!accepted(() => assertId(ID_RULES.settlement, id, 'id'))) return null;
  const plan = planSettlementRead(field.selected());
  calls.call('settlement', id);
  if (plan.payout) calls.call('payoutStatus', id);
  for (const page of plan.transactionPages) calls.call('settlementTransactionPage', { settlementId: id, page });
  for (const window of plan.reportWindows) calls.call('settlementReport', { settlementId: id, window });
  return { settlementId: id };
}

/** What `node(id:)` loads for a global id, by the node type's `loadOne`; null when the id is refused. */
function readNode(globalId: unknown, calls: CallRecorder): PlannedValue | null {
  let typename: string;
  let id: string;
  let parts: string[];
  try {
    ({ typename, id } = decodeGlobalId(String(globalId)));
    if (!(typename in NODE_KEYS)) return null; // NOT_FOUND, no call
    parts = nodeKeyParts(typename as NodeType, id);
  } catch {
    return null;
  }
  const [accountId = '', itemId = ''] = parts;
  const scoped = () => ({ accountId, id: itemId });
  const load = (loader: string, key: () => unknown, value: PlannedValue = {}): PlannedValue => {
    calls.call(loader, key());
    return value;
  };
  const loaders: Record<string, () => PlannedValue> = {
    Account: () => {
      calls.foldedCall('account', id, []);
      return { accountId: id, accountSource: 'read' };
    },
    BusinessEntity: () => load('businessEntity', scoped),
    Brand: () => load('brand', scoped),
    Store: () => load('store', scoped),
    StoreGroup: () => load('storeGroup', scoped, { storesInline: true }),
    ComplianceDecision: () => load('complianceDecision', scoped),
    PaymentProduct: () => load('paymentProducts', () => accountId),
    PaymentAccount: () => load('paymentAccount', () => parts),
    Credential: () => load('credential', () => id),
    Settlement: () => load('settlement', () => id, { settlementId: id }),
    CardSettlement: () => load('cardSettlement', () => parts),
    CardPromise: () => load('cardPromise', () => id),
    CardOrder: () => ({ orderId: id }),
  };
  const loader = loaders[typename];
  if (!loader) return null;
  try {
    return { ...loader(), typeName: typename };
  } catch {
    return null; // a malformed local id: refused before any call
  }
}

/** An account's sub-resource list: answered by the account when it was read with `expansion`, else one page call. */
function accountList(loader: string, expansion?: AccountExpansion): FieldCost {
  return ({ args, parent }, calls) => {
    const embedded = expansion !== undefined && parent.accountSource === 'read' && calls.foldedOf('account', parent.accountId).has(expansion);
    if (embedded) return undefined;
    let page;
    try {
      page = pageRequestFrom(args as ConnectionArguments);
    } catch {
      return null;
    }
    if (parent.accountId) calls.call(loader, { accountId: parent.accountId, page });
    else calls.callPerItem(loader); // an account just onboarded: its id is Klarna's answer
    return undefined;
  };
}

/** A call per value whose key the plan may not know (a new account, a new promise). */
function callFor(calls: CallRecorder, loader: string, key: unknown): void {
  if (key === undefined) calls.callPerItem(loader);
  else calls.call(loader, key);
}

/** A field whose resolver makes one call, with the key `keyOf` names (undefined: unknown before execution). */
const oneCall =
  (loader: string, keyOf: (field: PlannedField) => unknown): FieldCost =>
  (field, calls) => {
    callFor(calls, loader, keyOf(field));
    return undefined;
  };

/** A mutation: its write (one call, never shared), and its `input` for the payload's fields. */
const write =
  (callsMade = 1): FieldCost =>
  ({ args }, calls) => {
    for (let call = 0; call < callsMade; call += 1) calls.callPerItem(`write${call}`);
    return { input: (args.input ?? {}) as Record<string, unknown> };
  };

const inputOf = (value: PlannedValue, name: string) => (value.input?.[name] == null ? undefined : String(value.input[name]));
const orderOfInput: FieldCost = ({ parent }) => ({ orderId: inputOf(parent, 'orderId') });

export const FIELD_COSTS: Readonly<Record<string, FieldCost>> = {
  'Query.account': (field, calls) => readAccount(String(field.args.id), field, calls),
  'Query.accounts': (field, calls) => {
    const ids = (field.args.ids as unknown[]).map(String);
    if (ids.length > MAX_ACCOUNTS_PER_QUERY || !ids.every((id) => accepted(() => assertId(ID_RULES.account, id, 'ids')))) return null;
    const accounts = ids.map((id) => readAccount(id, field, calls));
    // One account's bad paging refuses the whole list (it is the same selection for every id).
    return accounts.every((account) => account !== null) ? accounts : null;
  },
  'Query.node': (field, calls) => readNode(field.args.id, calls),
  // A refused id answers null in its place, and nothing below it.
  'Query.nodes': (field, calls) => (field.args.ids as unknown[]).flatMap((id) => readNode(id, calls) ?? []),
  'Query.settlement': (field, calls) => readSettlement(String(field.args.id), field, calls),
  'Query.cardOrder': ({ args }) => ({ orderId: String(args.orderId) }),
  'Query.cardPromise': oneCall('cardPromise', ({ args }) => String(args.id)),
  'Query.cardSettlement': oneCall('cardSettlement', ({ args }) => [String(args.id), String(args.keyId)]),
  'Query.apiKeys': oneCall('credentials', () => 'api-key'),
  'Query.clientIdentifiers': oneCall('credentials', () => 'client-identifier'),
  'Query.credential': oneCall('credential', ({ args }) => String(args.id)),
  // Reference data may come from the per-principal cache (no call); planned as a call.
  'Query.paymentProfiles': oneCall('paymentProfiles', () => 'all'),
  'Query.pricePlans': oneCall('pricePlans', () => 'all'),
  'Query.pricePlan': oneCall('pricePlan', ({ args }) => args),

  'Account.contact': ({ parent }, calls) => {
    // A write's answer without the contact: the account is read for it.
    if (parent.accountSource !== 'read' && !parent.withContact) callFor(calls, 'account', parent.accountId);
    return undefined;
  },
  'Account.businessEntities': accountList('businessEntityPage', ACCOUNT_EXPANSIONS.businessEntities),
  'Account.brands': accountList('brandPage', ACCOUNT_EXPANSIONS.brands),
  'Account.storeGroups': (field, calls) => {
    const result = accountList('storeGroupPage', ACCOUNT_EXPANSIONS.storeGroups)(field, calls);
    if (result === null) return null;
    const { parent } = field;
    const fromAccount = parent.accountSource === 'read' && calls.foldedOf('account', parent.accountId).has(ACCOUNT_EXPANSIONS.storeGroups);
    const storesInline = !fromAccount || calls.foldedOf('account', parent.accountId).has(ACCOUNT_EXPANSIONS.storeGroupsWithStores);
    return { accountId: parent.accountId, storesInline };
  },
  'Account.stores': accountList('storePage'),
  'Account.complianceDecisions': accountList('complianceDecisionPage'),
  'Account.paymentProducts': ({ parent }, calls) => {
    if (parent.accountSource !== 'read') callFor(calls, 'paymentProducts', parent.accountId);
    return undefined;
  },
  'StoreGroup.stores': ({ args, parent }, calls) => {
    if (!accepted(() => pageRequestFrom(args as ConnectionArguments))) return null;
    if (!parent.storesInline) calls.callPerItem('storeGroup');
    return undefined;
  },

  'Settlement.payout': oneCall('payoutStatus', ({ parent }) => parent.settlementId),
  'Settlement.transactions': ({ args, parent }, calls) => {
    let plan;
    try {
      plan = planTransactionPage(args as ConnectionArguments);
    } catch {
      return null;
    }
    if (!plan.empty) calls.call('settlementTransactionPage', { settlementId: parent.settlementId, page: plan.request });
    return undefined;
  },
  'Settlement.report': (field) => ({
    settlementId: field.parent.settlementId,
    summaryWindow: reportOf(field.parent.settlementId ?? '', { args: [], children: field.selected }).summaryWindow,
  }),
  'SettlementReport.summary': oneCall('settlementReport', ({ parent }) => ({ settlementId: parent.settlementId, window: parent.summaryWindow })),
  'SettlementReport.rows': ({ args, parent }, calls) => {
    let window;
    try {
      window = reportWindow(args as ConnectionArguments);
    } catch {
      return null;
    }
    calls.call('settlementReport', { settlementId: parent.settlementId, window });
    return undefined;
  },

  'CardOrder.settlement': oneCall('cardSettlementByOrder', ({ args, parent }) => parent.orderId && [parent.orderId, String(args.keyId)]),
  'CardOrder.cancellation': oneCall('orderCancellation', ({ parent }) => parent.orderId),

  'Mutation.updateAccount': write(),
  'Mutation.updateBusinessEntity': write(),
  'Mutation.updateBrand': write(),
  'Mutation.updateStore': write(),
  'Mutation.updateStoreGroup': write(),
  'Mutation.updatePaymentAccount': write(),
  'Mutation.enablePaymentProduct': write(),
  'Mutation.disablePaymentProduct': write(),
  'Mutation.onboardMerchant': write(),
  'Mutation.migrateMerchant': write(),
  'Mutation.createApiKey': write(),
  'Mutation.updateApiKey': write(),
  // The write, then the credential read afresh for the payload.
  'Mutation.disableApiKey': write(2),
  'Mutation.createClientIdentifier': write(),
  'Mutation.updateClientIdentifier': write(),
  'Mutation.disableClientIdentifier': write(2),
  'Mutation.revokeClientCertificate': write(),
  'Mutation.grantPortalAccess': write(),
  'Mutation.revokePortalAccess': write(),
  'Mutation.createCardPromise': write(),
  'Mutation.createCardSettlement': write(),
  'Mutation.requestOrderCancellation': write(),

  'UpdateAccountPayload.account': ({ parent }) => ({ accountId: inputOf(parent, 'accountId'), accountSource: 'summary', withContact: true }),
  'OnboardMerchantPayload.account': () => ({ accountSource: 'summary' }),
  'MigrateMerchantPayload.account': () => ({ accountSource: 'summary' }),
  'PaymentProductStatePayload.account': ({ parent }, calls) => {
    const accountId = inputOf(parent, 'accountId');
    calls.foldedCall('account', accountId, [ACCOUNT_EXPANSIONS.products]);
    return { accountId, accountSource: 'read' };
  },
  'UpdateStoreGroupPayload.storeGroup': ({ parent }) => ({ accountId: inputOf(parent, 'accountId'), storesInline: true }),
  // The new promise's id is Klarna's answer.
  'CreateCardPromisePayload.promise': oneCall('cardPromise', () => undefined),
  'CreateCardPromisePayload.order': orderOfInput,
  'CreateCardSettlementPayload.order': orderOfInput,
  'RequestOrderCancellationPayload.order': orderOfInput,
};

/** A mutation is planned as if it succeeds: its payload, not its error types (`UserError`), is walked. */
const isPayload = (type: GraphQLObjectType) => !type.getInterfaces().some((face) => face.name === 'UserError');

/** The calls and rows an operation is planned to cost (undefined: it cannot run as sent). */
export function planOperationCost(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null, variables?: Record<string, unknown> | null): CostPlan | undefined {
  return planOperation({ schema, document, operationName, variables, costs: FIELD_COSTS, plannedMember: isPayload });
}

export type CostPlanner = typeof planOperationCost;

/**
 * `planOperationCost` remembering its plans (made once at boot, by the gateway's cost plugin): a plan
 * depends only on the schema, the document (Yoga's parse cache hands out one object per document text),
 * the operation name and the variables, so the same dashboard asked again is not planned again. Keyed by
 * a hash of the variables (no caller's input is kept), at most `maxPlans` of them.
 */
export function createCostPlanner({ maxPlans = 1_000 }: { maxPlans?: number } = {}): CostPlanner {
  const plans = new LRUCache<string, { plan: CostPlan | undefined }>({ max: maxPlans });
  const identities = new WeakMap<object, number>();
  let lastIdentity = 0;
  const identityOf = (object: object): number => {
    let identity = identities.get(object);
    if (identity === undefined) identities.set(object, (identity = lastIdentity += 1));
    return identity;
  };
  return (schema, document, operationName, variables) => {
    // Short variables key the plan as they are (most operations: none, or an id or two); long ones by
    // their hash, so that the cache's memory stays bounded.
    const json = JSON.stringify(variables ?? {});
    const variablesKey = json.length <= 256 ? json : hash('sha256', json, 'base64url');
    const key = `${identityOf(schema)} ${identityOf(document)} ${operationName ?? ''} ${variablesKey}`;
    const known = plans.get(key);
    if (known) return known.plan;
    const plan = planOperationCost(schema, document, operationName, variables);
    plans.set(key, { plan });
    return plan;
  };
}

/** Entries naming a field the schema does not have (a renamed field whose cost would silently be lost). */
export function unknownCostEntries(schema: GraphQLSchema): string[] {
  return Object.keys(FIELD_COSTS).filter((entry) => {
    const [typeName = '', fieldName = ''] = entry.split('.');
    const type = schema.getType(typeName);
    return !(isObjectType(type) && type.getFields()[fieldName]);
  });
}
